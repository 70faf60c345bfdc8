package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/api"
	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/events"
	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
)

// The test keys, one per role, sent as Kibana sends API keys; newEnv creates them with
// the auth package (hashed in the store) and sets these.
var viewerKey, editorKey, adminKey string

// auditLog records audit entries.
type auditLog struct {
	mu      sync.Mutex
	entries []*store.AuditEntry
}

func (a *auditLog) Record(_ context.Context, e *store.AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
}

func (a *auditLog) all() []*store.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*store.AuditEntry(nil), a.entries...)
}

// env is a running API over a real runtime (SQLite store, started queue).
type env struct {
	t      *testing.T
	srv    *httptest.Server
	rt     *server.Runtime
	audit  *auditLog
	broker *events.Broker
	keys   *auth.Keys
}

// options change the Deps of a test environment.
type options func(*api.Deps)

func newEnv(t *testing.T, opts ...options) *env {
	t.Helper()
	ctx := context.Background()
	broker := events.NewBroker(0)
	rt, err := server.Open(ctx, server.Config{DataDir: t.TempDir(), Observer: broker, Workers: 4})
	require.NoError(t, err)
	qctx, cancel := context.WithCancel(ctx)
	require.NoError(t, rt.Queue.Start(qctx))
	e := &env{t: t, rt: rt, audit: &auditLog{}, broker: broker,
		keys: auth.NewKeys(rt.Store, auth.KeysOptions{MaxFailures: 3, FailureWindow: time.Hour})}
	for _, k := range []struct {
		dst  *string
		role string
	}{{&viewerKey, store.RoleViewer}, {&editorKey, store.RoleEditor}, {&adminKey, store.RoleAdmin}} {
		token, _, err := e.keys.Create(ctx, k.role, k.role, nil, "test")
		require.NoError(t, err)
		*k.dst = "ApiKey " + token
	}
	d := api.Deps{Store: rt.Store, Engine: rt.Engine, Connectors: rt.Connectors, Registry: rt.Registry,
		Auth: e.keys, Audit: e.audit, Broker: broker,
		Ready: func(ctx context.Context) error { return rt.Store.DB().PingContext(ctx) }}
	for _, o := range opts {
		o(&d)
	}
	e.srv = httptest.NewServer(api.New(d))
	t.Cleanup(func() {
		e.srv.Close()
		cancel()
		require.NoError(t, rt.Close())
	})
	return e
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

// do sends a request with the key (no key when "") and a JSON body (nil: none).
func (e *env) do(method, path, key string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// createWorkflow creates a workflow and returns its id.
func (e *env) createWorkflow(yaml, id string) string {
	e.t.Helper()
	body := map[string]any{"yaml": yaml}
	if id != "" {
		body["id"] = id
	}
	res := e.do(http.MethodPost, "/api/workflows/workflow", editorKey, body)
	require.Equal(e.t, http.StatusOK, res.status, string(res.body))
	return res.json(e.t)["id"].(string)
}

// waitDone polls an execution until it is terminal and returns it.
func (e *env) waitDone(id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := e.do(http.MethodGet, "/api/workflows/executions/"+id, viewerKey, nil)
		require.Equal(e.t, http.StatusOK, res.status, string(res.body))
		ex := res.json(e.t)
		if store.IsTerminal(ex["status"].(string)) {
			return ex
		}
		require.True(e.t, time.Now().Before(deadline), "execution %s did not finish: %v", id, ex["status"])
		time.Sleep(20 * time.Millisecond)
	}
}

// requireProblem checks a problem+json answer.
func requireProblem(t *testing.T, res response, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, res.status, string(res.body))
	require.Equal(t, "application/problem+json", res.header.Get("Content-Type"))
	p := res.json(t)
	require.EqualValues(t, status, p["status"])
	require.NotEmpty(t, p["errorId"])
	require.NotEmpty(t, p["title"])
	return p
}

const helloYAML = `name: Hello
description: says hello
tags: [demo, greet]
triggers:
  - type: manual
inputs:
  - name: who
    type: string
    default: world
steps:
  - name: greet
    type: console
    with:
      message: "hello {{ inputs.who }}"
  - name: shout
    type: data.set
    with:
      loud: "{{ steps.greet.output | upcase }}"
`

// jsonUnmarshal decodes b into v.
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
