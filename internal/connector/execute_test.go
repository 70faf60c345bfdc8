package connector_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
)

// executeFixture is a Service with one echo connector behind a real server.
type executeFixture struct {
	s      *connector.Service
	c      *connector.Connector
	action *connector.Action
	logs   *bytes.Buffer
	built  *atomic.Int32
}

func newExecuteFixture(t *testing.T) executeFixture {
	srv := echoServer(t)
	logs := &bytes.Buffer{}
	built := &atomic.Int32{}
	reg := newRegistry(t)
	s, err := connector.NewService(stores(t)[0].st, newRing(t, newKey(t)), reg, connector.ServiceOptions{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		HTTP: func(c *connector.Connector, redact func(string) string) *httpclient.Client {
			built.Add(1)
			return httpclient.New(httpclient.Options{Redact: redact})
		},
	})
	require.NoError(t, err)
	_, err = s.Create(t.Context(), echoParams("Echo", srv.URL))
	require.NoError(t, err)
	c, err := s.Resolve(t.Context(), "Echo", "echo")
	require.NoError(t, err)
	_, action, ok := reg.ForStep("echo")
	require.True(t, ok)
	return executeFixture{s: s, c: c, action: action, logs: logs, built: built}
}

func TestExecuteRedactsEverything(t *testing.T) {
	f := newExecuteFixture(t)
	res := f.s.Execute(t.Context(), f.c, f.action, map[string]any{"message": "hello " + testToken}, time.Second)
	require.Equal(t, connector.StatusOK, res.Status, res.Message)
	data := res.Data.(map[string]any)
	require.Equal(t, "Bearer "+secret.Redacted, data["authorization"])
	require.Contains(t, data["body"], "hello "+secret.Redacted)
	require.NotContains(t, f.logs.String(), testToken)
	require.Contains(t, f.logs.String(), "calling echo with "+secret.Redacted)

	tests := []struct {
		name   string
		params map[string]any
		want   connector.Result
	}{
		{"failure messages", map[string]any{"message": "x", "mode": "fail"}, connector.Result{Status: connector.StatusError,
			Message: "failed using " + secret.Redacted, ServiceMessage: "remote said Bearer " + secret.Redacted}},
		{"panic", map[string]any{"message": "x", "mode": "panic"}, connector.Result{Status: connector.StatusError,
			Message: "an error occurred while running the action", ServiceMessage: "panic: boom with " + secret.Redacted,
			ErrorSource: connector.SourceFramework}},
		{"missing param", map[string]any{}, connector.Result{Status: connector.StatusError,
			Message: "error validating action params: params.message: is required; add it", ErrorSource: connector.SourceUser}},
		{"bad enum", map[string]any{"message": "x", "mode": "loud"}, connector.Result{Status: connector.StatusError,
			Message: "error validating action params: params.mode: value must be one of 'ok', 'panic', 'fail'", ErrorSource: connector.SourceUser}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f.s.Execute(t.Context(), f.c, f.action, tc.params, 0)
			require.Equal(t, tc.want, got)
		})
	}
	require.NotContains(t, f.logs.String(), testToken)
	require.Contains(t, f.logs.String(), "connector action panicked")
	require.EqualValues(t, 1, f.built.Load(), "the HTTP client is built once per connector version")
}

func TestExecuteRebuildsToolsWhenSecretsChange(t *testing.T) {
	f := newExecuteFixture(t)
	red := f.s.Redactor(f.c)
	require.Equal(t, secret.Redacted, red.Redact(testToken))
	require.Equal(t, "x "+secret.Redacted, red.Redact("x pa55-word-xyz"))
	_, err := f.s.Update(t.Context(), f.c.ID, connector.UpdateParams{Secrets: map[string]any{"token": "second-token-42"}})
	require.NoError(t, err)
	c, err := f.s.Resolve(t.Context(), f.c.ID, "echo")
	require.NoError(t, err)
	res := f.s.Execute(t.Context(), c, f.action, map[string]any{"message": "m"}, 0)
	require.Equal(t, connector.StatusOK, res.Status)
	require.Equal(t, "Bearer "+secret.Redacted, res.Data.(map[string]any)["authorization"])
	require.EqualValues(t, 2, f.built.Load())
}

func TestRedactorCoversBasicAuthOfUserAndSecret(t *testing.T) {
	f := newExecuteFixture(t)
	red := f.s.Redactor(f.c)
	header, err := json.Marshal("Basic " + b64("alice@example.com:"+testToken))
	require.NoError(t, err)
	require.Equal(t, `"Basic `+secret.Redacted+`"`, red.Redact(string(header)))
}

func TestConnectionTest(t *testing.T) {
	f := newExecuteFixture(t)
	res := f.s.Test(t.Context(), f.c.ID)
	require.Equal(t, connector.StatusError, res.Status)
	require.Equal(t, "connection test failed", res.Message)
	require.Equal(t, "[401] invalid token Bearer "+secret.Redacted, res.ServiceMessage)
	require.NotContains(t, res.ServiceMessage, testToken)

	_, err := f.s.Create(t.Context(), connector.CreateParams{Name: "o", TypeID: ".other"})
	require.NoError(t, err)
	res = f.s.Test(t.Context(), "o")
	require.Equal(t, "connector type .other has no connection test", res.Message)
	res = f.s.Test(t.Context(), "missing")
	require.Contains(t, res.Message, `connector "missing" not found`)
}
