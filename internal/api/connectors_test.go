package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeHook is a webhook endpoint that answers status and remembers the last request.
func fakeHook(t *testing.T, status int) (*httptest.Server, *string) {
	t.Helper()
	var last string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		last = r.Method + " " + user + ":" + pass + " " + string(b)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func TestConnectorLifecycle(t *testing.T) {
	e := newEnv(t)
	hook, last := fakeHook(t, http.StatusOK)
	body := map[string]any{"name": "hook", "connector_type_id": ".webhook",
		"config": map[string]any{"url": hook.URL, "method": "post"}, "secrets": map[string]any{"user": "u", "password": "s3cr3t-pw"}}
	res := e.do(http.MethodPost, "/api/actions/connector/my-hook", adminKey, body)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	c := res.json(t)
	require.Equal(t, "my-hook", c["id"])
	require.Equal(t, ".webhook", c["connector_type_id"])
	require.Equal(t, false, c["is_preconfigured"])
	require.NotContains(t, c, "secrets")
	requireProblem(t, e.do(http.MethodPost, "/api/actions/connector/my-hook", adminKey, body), http.StatusConflict)

	gen := e.do(http.MethodPost, "/api/actions/connector", adminKey, map[string]any{"name": "hook2", "connector_type_id": ".webhook",
		"config": map[string]any{"url": hook.URL, "hasAuth": false}})
	require.Equal(t, http.StatusOK, gen.status, string(gen.body))
	require.NotEmpty(t, gen.json(t)["id"])

	list := e.do(http.MethodGet, "/api/actions/connectors", adminKey, nil)
	require.Equal(t, http.StatusOK, list.status)
	require.Contains(t, string(list.body), `"referenced_by_count":0`)
	require.NotContains(t, string(list.body), "s3cr3t-pw")

	upd := e.do(http.MethodPut, "/api/actions/connector/my-hook", adminKey, map[string]any{"name": "renamed",
		"config": map[string]any{"url": hook.URL, "method": "put"}})
	require.Equal(t, http.StatusOK, upd.status, string(upd.body))
	require.Equal(t, "renamed", upd.json(t)["name"])

	exec := e.do(http.MethodPost, "/api/actions/connector/my-hook/_execute", adminKey, map[string]any{"params": map[string]any{"body": `{"a":1}`}})
	require.Equal(t, http.StatusOK, exec.status, string(exec.body))
	r := exec.json(t)
	require.Equal(t, "my-hook", r["connector_id"])
	require.Equal(t, "ok", r["status"], string(exec.body))
	require.Equal(t, `PUT u:s3cr3t-pw {"a":1}`, *last, "secrets were kept by the update")
	require.NotContains(t, string(exec.body), "s3cr3t-pw")

	got := e.do(http.MethodGet, "/api/actions/connector/my-hook", adminKey, nil)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/api/actions/connector/my-hook", adminKey, nil).status)
	requireProblem(t, e.do(http.MethodGet, "/api/actions/connector/my-hook", adminKey, nil), http.StatusNotFound)
	requireProblem(t, e.do(http.MethodDelete, "/api/actions/connector/my-hook", adminKey, nil), http.StatusNotFound)
	requireProblem(t, e.do(http.MethodPost, "/api/actions/connector/my-hook/_execute", adminKey, map[string]any{"params": map[string]any{}}), http.StatusNotFound)
}

func TestConnectorErrorsAndFailedExecution(t *testing.T) {
	e := newEnv(t)
	requireProblem(t, e.do(http.MethodPost, "/api/actions/connector", adminKey, map[string]any{"name": "x", "connector_type_id": ".nope"}), http.StatusBadRequest)
	requireProblem(t, e.do(http.MethodPost, "/api/actions/connector", adminKey, map[string]any{"name": "x", "connector_type_id": ".webhook",
		"config": map[string]any{}}), http.StatusBadRequest)

	hook, _ := fakeHook(t, http.StatusServiceUnavailable)
	e.do(http.MethodPost, "/api/actions/connector/down", adminKey, map[string]any{"name": "down", "connector_type_id": ".webhook",
		"config": map[string]any{"url": hook.URL, "hasAuth": false}})
	res := e.do(http.MethodPost, "/api/actions/connector/down/_execute", adminKey, map[string]any{"params": map[string]any{"body": "{}"}})
	require.Equal(t, http.StatusOK, res.status, "_execute answers 200 when the connector fails: %s", res.body)
	r := res.json(t)
	require.Equal(t, "error", r["status"])
	require.Equal(t, "down", r["connector_id"])
	require.Equal(t, true, r["retry"])
	require.NotEmpty(t, r["message"])
	require.Contains(t, r, "service_message")

	bad := e.do(http.MethodPost, "/api/actions/connector/down/_execute", adminKey, map[string]any{"params": map[string]any{"subAction": "nope"}})
	require.Equal(t, http.StatusOK, bad.status)
	require.Equal(t, "error", bad.json(t)["status"])
}

func TestConnectorTypesAndWorkflowConnectors(t *testing.T) {
	e := newEnv(t)
	hook, _ := fakeHook(t, http.StatusOK)
	e.do(http.MethodPost, "/api/actions/connector/h", adminKey, map[string]any{"name": "h", "connector_type_id": ".webhook",
		"config": map[string]any{"url": hook.URL, "hasAuth": false}})
	types := e.do(http.MethodGet, "/api/actions/connector_types", viewerKey, nil)
	require.Equal(t, http.StatusOK, types.status)
	require.Contains(t, string(types.body), `"id":".slack"`)
	require.Contains(t, string(types.body), `"enabled_in_license":true`)
	require.Equal(t, "[]\n", string(e.do(http.MethodGet, "/api/actions/connector_types?feature_id=siem", viewerKey, nil).body))

	asViewer := e.do(http.MethodGet, "/api/workflows/connectors", viewerKey, nil).json(t)
	ct := asViewer["connectorTypes"].(map[string]any)
	require.EqualValues(t, 1, asViewer["totalConnectors"])
	inst := ct[".webhook"].(map[string]any)["instances"].([]any)[0].(map[string]any)
	require.Equal(t, "h", inst["id"])
	require.NotContains(t, inst, "config", "configs are for admins")
	require.NotEmpty(t, ct[".jira"].(map[string]any)["subActions"])

	asAdmin := e.do(http.MethodGet, "/api/workflows/connectors", adminKey, nil).json(t)
	adminInst := asAdmin["connectorTypes"].(map[string]any)[".webhook"].(map[string]any)["instances"].([]any)[0].(map[string]any)
	require.True(t, strings.HasPrefix(adminInst["config"].(map[string]any)["url"].(string), "http://"))
}
