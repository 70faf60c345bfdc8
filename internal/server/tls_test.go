package server

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// TestConnectorCATrustsThePrivateServer checks that an .http connector's `ca` is the trust
// of that connector's requests: with it the private HTTPS API answers, without it the
// certificate is refused.
func TestConnectorCATrustsThePrivateServer(t *testing.T) {
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer api.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw})

	ctx := context.Background()
	obs := &terminalCounter{done: make(chan string, 4)}
	rt, err := Open(ctx, Config{DataDir: t.TempDir(), Observer: obs, Logger: quietLogger()})
	require.NoError(t, err)
	defer rt.Close()
	for name, cfg := range map[string]map[string]any{
		"private-with-ca": {"url": api.URL, "ca": string(caPEM)},
		"private-no-ca":   {"url": api.URL},
	} {
		_, err := rt.Connectors.Create(ctx, connector.CreateParams{Name: name, TypeID: ".http", Config: cfg})
		require.NoError(t, err)
	}
	require.NoError(t, rt.Queue.Start(ctx))
	run := func(conn string) *store.Execution {
		yaml := "version: \"1\"\nname: tls\ntriggers:\n  - type: manual\nsteps:\n  - name: call\n    type: http\n    connector-id: " +
			conn + "\n    with:\n      path: /status\n"
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
	require.Equal(t, store.StatusCompleted, run("private-with-ca").Status)
	failed := run("private-no-ca")
	require.Equal(t, store.StatusFailed, failed.Status)
	require.Contains(t, string(failed.Error), "certificate")
}
