package connstep_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	connbuiltin "github.com/errand-dev/errand/internal/connector/builtin"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/connstep"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/engine/httpstep"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

// newHarness returns an engine harness whose connector steps run through a real connector
// Service on the same SQLite store, with one Slack connector posting to webhookURL.
func newHarness(t *testing.T, webhookURL string) *enginetest.Harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	keys, err := secret.NewKeyRing(key)
	require.NoError(t, err)
	reg := connbuiltin.NewRegistry()
	svc, err := connector.NewService(st, keys, reg, connector.ServiceOptions{})
	require.NoError(t, err)
	_, err = svc.Create(ctx, connector.CreateParams{Name: "alerts", TypeID: ".slack",
		Secrets: map[string]any{"webhookUrl": webhookURL}})
	require.NoError(t, err)
	_, err = svc.Create(ctx, connector.CreateParams{Name: "tracker", TypeID: ".jira",
		Config:  map[string]any{"apiUrl": "https://jira.example", "projectKey": "ENG"},
		Secrets: map[string]any{"email": "a@example.com", "apiToken": "t0ken-value"}})
	require.NoError(t, err)
	x := connstep.New(svc, reg)
	opts := []enginetest.Option{enginetest.WithStore(st)}
	for _, stepType := range reg.StepTypes() {
		opts = append(opts, enginetest.WithExecutor(stepType, x))
	}
	opts = append(opts, enginetest.WithExecutor("http", httpstep.New(httpclient.New(httpclient.Options{}))))
	return enginetest.New(t, opts...)
}

const retryAfterWorkflow = `version: "1"
name: notify
triggers:
  - type: manual
steps:
  - name: notify
    type: slack
    connector-id: alerts
    with:
      message: "hello"
    on-failure:
      retry:
        max-attempts: 3
        delay: 1s
`

func TestRetryWaitsAtLeastTheRemoteRetryAfter(t *testing.T) {
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte("rate_limited"))
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer fake.Close()
	h := newHarness(t, fake.URL+"/services/T/B/x")
	ex := h.Start(retryAfterWorkflow, engine.StartParams{TriggeredBy: "manual"})

	parked := h.Step(ex.ID)
	require.Equal(t, store.StatusWaiting, parked.Execution.Status)
	first := parked.Steps[0]
	require.Equal(t, store.StatusFailed, first.Status)
	require.NotNil(t, first.FinishedAt)
	require.GreaterOrEqual(t, parked.ResumeAt.Sub(*first.FinishedAt), 30*time.Second,
		"the retry must wait the 30 s Slack asked for, not the 1 s delay")

	done := h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, done.Execution.Status)
	require.EqualValues(t, 2, calls.Load())
}

func TestConnectorResolutionErrorsAreClear(t *testing.T) {
	h := newHarness(t, "http://127.0.0.1:9/unused")
	for _, tc := range []struct{ ref, errType, contains string }{
		{"nope", "ConnectorNotFoundError", `connector "nope" not found`},
		{"tracker", "WrongConnectorTypeError", "needs a .slack connector"},
	} {
		yaml := "version: \"1\"\nname: bad-ref\ntriggers:\n  - type: manual\nsteps:\n  - name: notify\n    type: slack\n    connector-id: " +
			tc.ref + "\n    with:\n      message: hi\n"
		res := h.Drive(h.Start(yaml, engine.StartParams{TriggeredBy: "manual"}).ID)
		require.Equal(t, store.StatusFailed, res.Execution.Status, tc.ref)
		var se engine.StepError
		require.NoError(t, json.Unmarshal(res.Steps[0].Error, &se))
		require.Equal(t, tc.errType, se.Type, tc.ref)
		require.Contains(t, se.Message, tc.contains, tc.ref)
	}
}
