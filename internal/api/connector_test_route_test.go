package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConnectorConnectionTest(t *testing.T) {
	e := newEnv(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer up.Close()
	for id, token := range map[string]string{"good": "good-token", "bad": "wrong-token"} {
		res := e.do(http.MethodPost, "/api/actions/connector/"+id, adminKey, map[string]any{
			"name": id, "connector_type_id": ".http",
			"config":  map[string]any{"url": up.URL, "authType": "bearer"},
			"secrets": map[string]any{"token": token}})
		require.Equal(t, http.StatusOK, res.status, string(res.body))
	}
	res := e.do(http.MethodPost, "/api/actions/connector/good/_test", adminKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	require.Equal(t, "ok", res.json(t)["status"])

	res = e.do(http.MethodPost, "/api/actions/connector/bad/_test", adminKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	body := res.json(t)
	require.Equal(t, "error", body["status"])
	require.NotContains(t, string(res.body), "wrong-token")

	requireProblem(t, e.do(http.MethodPost, "/api/actions/connector/good/_test", editorKey, nil), http.StatusForbidden)
}
