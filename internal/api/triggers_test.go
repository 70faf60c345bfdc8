package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/api"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/trigger"
)

// hookStarter starts the workflow for a request carrying the right token, and answers
// the first execution again for a repeated Idempotency-Key.
type hookStarter struct {
	eng  *engine.Engine
	seen map[string]string
}

func (h *hookStarter) Invoke(ctx context.Context, wf *store.Workflow, r *http.Request, body []byte) (string, bool, error) {
	if r.Header.Get("X-Token") != "t0k" {
		return "", false, fmt.Errorf("checking the webhook token: %w", trigger.ErrWebhookUnauthorized)
	}
	if id, ok := h.seen[r.Header.Get("Idempotency-Key")]; ok {
		return id, true, nil
	}
	ex, err := h.eng.Start(ctx, engine.StartParams{Workflow: wf, TriggeredBy: "webhook"})
	if err != nil {
		return "", false, err
	}
	h.seen[r.Header.Get("Idempotency-Key")] = ex.ID
	return ex.ID, false, nil
}

// eventStarter starts every enabled workflow tagged with the event's type.
type eventStarter struct {
	st  store.Store
	eng *engine.Engine
}

func (d *eventStarter) Dispatch(ctx context.Context, event map[string]any) ([]string, error) {
	rows, _, err := d.st.WorkflowList(ctx, store.WorkflowListParams{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, w := range rows {
		for _, tag := range w.Tags {
			if tag == event["type"] {
				ex, err := d.eng.Start(ctx, engine.StartParams{Workflow: w, Event: event, TriggeredBy: "alert"})
				if err != nil {
					return nil, err
				}
				ids = append(ids, ex.ID)
			}
		}
	}
	return ids, nil
}

func TestWebhookRoutesNeedNoAPIKey(t *testing.T) {
	e := newEnv(t, func(d *api.Deps) {
		d.Webhooks = &hookStarter{eng: d.Engine, seen: map[string]string{}}
		d.Events = &eventStarter{st: d.Store, eng: d.Engine}
	})
	e.createWorkflow(helloYAML, "hello")
	first := e.do(http.MethodPost, "/api/workflows/workflow/hello/execute", "", map[string]any{"x": 1}, "X-Token", "t0k", "Idempotency-Key", "k1")
	require.Equal(t, http.StatusOK, first.status, string(first.body))
	id := first.json(t)["workflowExecutionId"].(string)
	require.Equal(t, false, first.json(t)["duplicate"])
	again := e.do(http.MethodGet, "/api/workflows/workflow/hello/execute", "", nil, "X-Token", "t0k", "Idempotency-Key", "k1")
	require.Equal(t, map[string]any{"workflowExecutionId": id, "duplicate": true}, again.json(t))
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/hello/execute", "", nil), http.StatusUnauthorized)
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/ghost/execute", "", nil, "X-Token", "t0k"), http.StatusNotFound)
	require.Equal(t, "webhook", e.waitDone(id)["triggeredBy"])
	for _, a := range e.audit.all() {
		require.NotContains(t, a.Path, "/execute", "webhook calls are not audited as API calls")
	}

	requireProblem(t, e.do(http.MethodPost, "/api/workflows/events", viewerKey, map[string]any{"type": "demo"}), http.StatusForbidden)
	ev := e.do(http.MethodPost, "/api/workflows/events", editorKey, map[string]any{"type": "demo"})
	require.Equal(t, http.StatusOK, ev.status, string(ev.body))
	ids := ev.json(t)["workflowExecutionIds"].([]any)
	require.Len(t, ids, 1)
	require.Equal(t, "alert", e.waitDone(ids[0].(string))["triggeredBy"])
}
