package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/store"
)

// seedWorkflow holds the four examples of the seed page, verbatim, in one workflow.
const seedWorkflow = `version: "1"
name: seed-examples
triggers:
  - type: alert
steps:
  - name: notify_security_channel
    type: slack
    connector-id: "security-alerts-channel"
    with:
      message: "High-priority alert: {{ event.name }}. Please investigate immediately."
  - name: create_jira_ticket
    type: jira
    connector-id: "engineering-project"
    with:
      projectKey: "ENG"
      issueType: "Task"
      summary: "Automated Task: Review '{{ event.name }}'"
      description: "Workflow '{{ workflow.name }}' requires manual review for a potential issue."
  - name: trigger_response_action
    type: http
    connector-id: "security-response-api"
    with:
      path: "/v1/response-actions/isolate"
      method: "POST"
      headers:
        Content-Type: "application/json"
      body:
        endpoint_id: "{{ event.agent.id }}"
        reason: "Triggered by workflow '{{ workflow.name }}'"
  - name: trigger_custom_automation
    type: http
    with:
      url: "https://hooks.example.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
      method: "POST"
      headers:
        Content-Type: "application/json"
      body:
        event_id: "{{ event.id }}"
        message: "Workflow action triggered by '{{ workflow.name }}'"
`

// recorded is one request a fake received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// recorder is a fake service that records requests and answers with respond.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	respond  func(w http.ResponseWriter, r *http.Request)
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.requests = append(rc.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
	rc.mu.Unlock()
	rc.respond(w, r)
}

func (rc *recorder) only(t *testing.T) recorded {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Len(t, rc.requests, 1)
	return rc.requests[0]
}

func TestSeedExamplesSendTheExactRequests(t *testing.T) {
	slack := &recorder{respond: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "ok")
	}}
	jira := &recorder{respond: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"10042","key":"ENG-42","self":"https://jira.example/rest/api/2/issue/10042"}`)
	}}
	response := &recorder{respond: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"action_id":"a-1","status":"pending"}`)
	}}
	hooks := &recorder{respond: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"accepted":true}`)
	}}
	slackSrv, jiraSrv, respSrv := httptest.NewServer(slack), httptest.NewServer(jira), httptest.NewServer(response)
	defer slackSrv.Close()
	defer jiraSrv.Close()
	defer respSrv.Close()
	hooksSrv, caPEM := newTLSServerFor(t, "hooks.example.com", hooks)
	defer hooksSrv.Close()

	ctx := context.Background()
	obs := &terminalCounter{done: make(chan string, 8)}
	rt, err := Open(ctx, Config{DataDir: t.TempDir(), Observer: obs, Logger: quietLogger(), Egress: Egress{
		LookupIP: resolveTo("hooks.example.com", hooksSrv.Listener.Addr()),
		TLS:      &httpclient.TLSOptions{CAPEM: caPEM},
	}})
	require.NoError(t, err)
	defer rt.Close()
	createSeedConnectors(t, rt, slackSrv.URL, jiraSrv.URL, respSrv.URL)

	event := map[string]any{"name": "Suspicious login", "id": "evt-1", "agent": map[string]any{"id": "agent-7"}}
	ex, err := rt.Engine.Start(ctx, engine.StartParams{YAML: seedWorkflow, Event: event, TriggeredBy: "alert"})
	require.NoError(t, err)
	require.NoError(t, rt.Queue.Start(ctx))
	select {
	case <-obs.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the seed workflow did not finish")
	}
	final, err := rt.Store.ExecutionGet(ctx, ex.ID)
	require.NoError(t, err)
	require.Equal(t, store.StatusCompleted, final.Status, "error: %s", final.Error)

	got := slack.only(t)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/services/T1/B1/slacksecret", got.Path)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.JSONEq(t, `{"text":"High-priority alert: Suspicious login. Please investigate immediately."}`, string(got.Body))

	got = jira.only(t)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/rest/api/2/issue", got.Path)
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("bot@example.com:jira-token-123")), got.Header.Get("Authorization"))
	require.JSONEq(t, `{"fields":{"project":{"key":"ENG"},"issuetype":{"name":"Task"},
		"summary":"Automated Task: Review 'Suspicious login'",
		"description":"Workflow 'seed-examples' requires manual review for a potential issue."}}`, string(got.Body))

	got = response.only(t)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/api/v1/response-actions/isolate", got.Path)
	require.Equal(t, "Bearer resp-token-456", got.Header.Get("Authorization"))
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.JSONEq(t, `{"endpoint_id":"agent-7","reason":"Triggered by workflow 'seed-examples'"}`, string(got.Body))

	got = hooks.only(t)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", got.Path)
	require.Empty(t, got.Header.Get("Authorization"), "a direct URL carries no connector credentials")
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.JSONEq(t, `{"event_id":"evt-1","message":"Workflow action triggered by 'seed-examples'"}`, string(got.Body))

	steps, err := rt.Store.StepExecutionList(ctx, ex.ID)
	require.NoError(t, err)
	outputs := map[string]json.RawMessage{}
	for _, s := range steps {
		outputs[s.StepName] = s.Output
	}
	require.JSONEq(t, `{"id":"10042","key":"ENG-42","url":"`+jiraSrv.URL+`/browse/ENG-42"}`, string(outputs["create_jira_ticket"]))
}

// createSeedConnectors stores the three connectors the seed names.
func createSeedConnectors(t *testing.T, rt *Runtime, slackURL, jiraURL, respURL string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []connector.CreateParams{
		{Name: "security-alerts-channel", TypeID: ".slack",
			Secrets: map[string]any{"webhookUrl": slackURL + "/services/T1/B1/slacksecret"}},
		{Name: "engineering-project", TypeID: ".jira",
			Config:  map[string]any{"apiUrl": jiraURL, "projectKey": "ENG"},
			Secrets: map[string]any{"email": "bot@example.com", "apiToken": "jira-token-123"}},
		{Name: "security-response-api", TypeID: ".http",
			Config:  map[string]any{"url": respURL + "/api", "authType": "bearer"},
			Secrets: map[string]any{"token": "resp-token-456"}},
	} {
		_, err := rt.Connectors.Create(ctx, p)
		require.NoError(t, err, p.Name)
	}
}

// resolveTo makes host resolve to the fake's loopback address; other names resolve normally.
func resolveTo(host string, addr net.Addr) func(ctx context.Context, h string) ([]netip.Addr, error) {
	ip := netip.MustParseAddrPort(addr.String()).Addr()
	return func(ctx context.Context, h string) ([]netip.Addr, error) {
		if h == host {
			return []netip.Addr{ip}, nil
		}
		return net.DefaultResolver.LookupNetIP(ctx, "ip", h)
	}
}

// newTLSServerFor starts an HTTPS fake whose certificate (from a test CA) names host. The
// seed's URL has no port, so the fake listens on 127.0.0.1:443 (tests run as root here and
// in CI; elsewhere the test says why it cannot run).
func newTLSServerFor(t *testing.T, host string, h http.Handler) (*httptest.Server, []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "errand test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:443")
	if err != nil {
		t.Skipf("the direct-URL seed example needs to listen on 127.0.0.1:443 (as hooks.example.com): %v", err)
	}
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}
	srv.StartTLS()
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}
