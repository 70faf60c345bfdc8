package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/api"
	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/store"
)

func TestRolesAndAuthErrors(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	tests := []struct {
		name, method, path, key string
		body                    any
		status                  int
	}{
		{"no key", http.MethodGet, "/api/workflows", "", nil, http.StatusUnauthorized},
		{"wrong key", http.MethodGet, "/api/workflows", "ApiKey bm9wZTpub3Bl", nil, http.StatusUnauthorized},
		{"viewer reads", http.MethodGet, "/api/workflows", viewerKey, nil, http.StatusOK},
		{"viewer cannot create", http.MethodPost, "/api/workflows/workflow", viewerKey, map[string]any{"yaml": helloYAML}, http.StatusForbidden},
		{"viewer cannot run", http.MethodPost, "/api/workflows/workflow/hello/run", viewerKey, map[string]any{"inputs": map[string]any{}}, http.StatusForbidden},
		{"editor cannot list connectors", http.MethodGet, "/api/actions/connectors", editorKey, nil, http.StatusForbidden},
		{"viewer lists connector types", http.MethodGet, "/api/actions/connector_types", viewerKey, nil, http.StatusOK},
		{"admin lists connectors", http.MethodGet, "/api/actions/connectors", adminKey, nil, http.StatusOK},
		{"health is public", http.MethodGet, "/healthz", "", nil, http.StatusOK},
		{"ready is public", http.MethodGet, "/readyz", "", nil, http.StatusOK},
		{"openapi is public", http.MethodGet, "/api/openapi.json", "", nil, http.StatusOK},
		{"docs are public", http.MethodGet, "/api/docs", "", nil, http.StatusOK},
		{"space prefix keeps auth", http.MethodGet, "/s/x/api/workflows", "", nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(tt.method, tt.path, tt.key, tt.body)
			if tt.status >= 400 {
				requireProblem(t, res, tt.status)
			} else {
				require.Equal(t, tt.status, res.status, string(res.body))
			}
		})
	}
}

func TestFailedAttemptsAreRateLimited(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		requireProblem(t, e.do(http.MethodGet, "/api/workflows", "ApiKey bm9wZTpub3Bl", nil), http.StatusUnauthorized)
	}
	res := e.do(http.MethodGet, "/api/workflows", "ApiKey bm9wZTpub3Bl", nil)
	requireProblem(t, res, http.StatusTooManyRequests)
	wait, err := strconv.Atoi(res.header.Get("Retry-After"))
	require.NoError(t, err)
	require.Positive(t, wait)
	require.Equal(t, http.StatusOK, e.do(http.MethodGet, "/api/workflows", viewerKey, nil).status, "a valid key is never limited")
}

func TestCSRFOnCookieRequests(t *testing.T) {
	e := newEnv(t, func(d *api.Deps) { d.Auth = cookieAuth{next: d.Auth} })
	body := map[string]any{"yaml": helloYAML}
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow", "", body, "Cookie", "sid=1"), http.StatusBadRequest)
	ok := e.do(http.MethodPost, "/api/workflows/workflow", "", body, "Cookie", "sid=1", "kbn-xsrf", "true")
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	read := e.do(http.MethodGet, "/api/workflows", "", nil, "Cookie", "sid=1")
	require.Equal(t, http.StatusOK, read.status, "reads need no kbn-xsrf")
	withKey := e.do(http.MethodPost, "/api/workflows/workflow", editorKey, body, "Cookie", "sid=1")
	require.Equal(t, http.StatusOK, withKey.status, "an Authorization header is not CSRF-prone")
}

// cookieAuth accepts a session cookie as an editor, else asks next.
type cookieAuth struct{ next api.Authenticator }

func (c cookieAuth) Authenticate(r *http.Request) (*auth.Principal, error) {
	if _, err := r.Cookie("sid"); err == nil && r.Header.Get("Authorization") == "" {
		return &auth.Principal{KeyID: "session", Name: "session", Role: store.RoleEditor}, nil
	}
	return c.next.Authenticate(r)
}

func TestElasticAPIVersionEchoedAndRequestID(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodGet, "/api/workflows", viewerKey, nil, "elastic-api-version", "2023-10-31", "X-Request-Id", "req-7")
	require.Equal(t, "2023-10-31", res.header.Get("elastic-api-version"))
	require.Equal(t, "req-7", res.header.Get("X-Request-Id"))
	require.NotEmpty(t, e.do(http.MethodGet, "/api/workflows", viewerKey, nil).header.Get("X-Request-Id"))
}

func TestAuditOfMutatingCalls(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	e.do(http.MethodGet, "/api/workflows/workflow/hello", viewerKey, nil)
	e.do(http.MethodPost, "/api/workflows/workflow/hello/run", viewerKey, map[string]any{"inputs": map[string]any{}})
	e.do(http.MethodDelete, "/api/workflows/workflow/hello", editorKey, nil, "X-Request-Id", "del-1")
	got := e.audit.all()
	require.Len(t, got, 3, "reads are not audited")
	require.Equal(t, &store.AuditEntry{Time: got[0].Time, Actor: "editor", Method: http.MethodPost, Path: "/api/workflows/workflow",
		Resource: "hello", Status: http.StatusOK, RemoteAddr: got[0].RemoteAddr, RequestID: got[0].RequestID}, got[0])
	require.Equal(t, "viewer", got[1].Actor)
	require.Equal(t, http.StatusForbidden, got[1].Status)
	require.Equal(t, "hello", got[2].Resource)
	require.Equal(t, "del-1", got[2].RequestID)
	require.NotEmpty(t, got[2].RemoteAddr)
}

func TestReadyReportsTheDependency(t *testing.T) {
	e := newEnv(t, func(d *api.Deps) {
		d.Ready = func(context.Context) error { return context.DeadlineExceeded }
	})
	require.Equal(t, http.StatusServiceUnavailable, e.do(http.MethodGet, "/readyz", "", nil).status)
	require.Equal(t, http.StatusOK, e.do(http.MethodGet, "/healthz", "", nil).status)
}

func TestOpenAPIAndDocs(t *testing.T) {
	e := newEnv(t)
	spec := e.do(http.MethodGet, "/api/openapi.json", "", nil).json(t)
	require.Equal(t, "3.1.0", spec["openapi"])
	paths := spec["paths"].(map[string]any)
	for _, p := range []string{"/api/workflows", "/api/workflows/workflow/{id}/run", "/api/workflows/step/test",
		"/api/actions/connector/{id}/_execute", "/api/workflows/executions/{executionId}/events",
		"/api/workflows/workflow/{id}/execute"} {
		require.Contains(t, paths, p)
	}
	docs := e.do(http.MethodGet, "/api/docs", "", nil)
	require.Contains(t, string(docs.body), "/api/openapi.json")
	require.NotContains(t, string(docs.body), "<script src", "no external scripts")
}
