package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// clientCert issues a client certificate from a fresh CA and returns the CA pool, the
// certificate PEM and its key PEM.
func clientCert(t *testing.T) (*x509.CertPool, string, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "client CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: "errand"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}

// TestConnectorClientCertificate checks that an .http connector's crt and key secrets are
// presented to a server that requires a client certificate.
func TestConnectorClientCertificate(t *testing.T) {
	pool, crt, key := clientCert(t)
	api := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"client":"` + r.TLS.PeerCertificates[0].Subject.CommonName + `"}`))
	}))
	api.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	api.StartTLS()
	defer api.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}))

	ctx := context.Background()
	obs := &terminalCounter{done: make(chan string, 4)}
	rt, err := Open(ctx, Config{DataDir: t.TempDir(), Observer: obs, Logger: quietLogger()})
	require.NoError(t, err)
	defer rt.Close()
	_, err = rt.Connectors.Create(ctx, connector.CreateParams{Name: "mtls-api", TypeID: ".http",
		Config: map[string]any{"url": api.URL, "ca": caPEM}, Secrets: map[string]any{"crt": crt, "key": key}})
	require.NoError(t, err)
	_, err = rt.Connectors.Create(ctx, connector.CreateParams{Name: "no-cert-api", TypeID: ".http",
		Config: map[string]any{"url": api.URL, "ca": caPEM}})
	require.NoError(t, err)
	require.NoError(t, rt.Queue.Start(ctx))
	run := func(conn string) *store.Execution {
		yaml := "version: \"1\"\nname: mtls\ntriggers:\n  - type: manual\nsteps:\n  - name: call\n    type: http\n    connector-id: " +
			conn + "\n    with:\n      path: /whoami\n"
		ex, err := rt.Engine.Start(ctx, engine.StartParams{YAML: yaml, TriggeredBy: "manual"})
		require.NoError(t, err)
		select {
		case <-obs.done:
		case <-time.After(30 * time.Second):
			t.Fatal("the run did not finish")
		}
		got, err := rt.Store.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		return got
	}
	ok := run("mtls-api")
	require.Equal(t, store.StatusCompleted, ok.Status, "%s", ok.Error)
	steps, err := rt.Store.StepExecutionList(ctx, ok.ID)
	require.NoError(t, err)
	require.Contains(t, string(steps[0].Output), `"client":"errand"`)
	require.Equal(t, store.StatusFailed, run("no-cert-api").Status, "the server refuses a client without a certificate")
}
