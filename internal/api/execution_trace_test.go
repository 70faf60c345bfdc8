package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
)

func TestTriggerEventTrace(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	e.createWorkflow("name: child\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with: {message: hi}\n", "child")
	e.createWorkflow("name: parent\ntriggers:\n  - type: manual\nsteps:\n  - name: call\n    type: workflow.execute\n    with:\n      workflow-id: child\n", "parent")
	parent := e.run("parent", map[string]any{})
	require.Equal(t, "completed", e.waitDone(parent)["status"])
	var kids []map[string]any
	require.NoError(t, jsonUnmarshal(e.do(http.MethodGet, "/api/workflows/executions/"+parent+"/children", viewerKey, nil).body, &kids))
	require.Len(t, kids, 1)
	child := kids[0]["executionId"].(string)
	startByEvent := func(event map[string]any) string {
		wf, err := e.rt.Store.WorkflowGet(context.Background(), "hello")
		require.NoError(t, err)
		ex, err := e.rt.Engine.Start(context.Background(), engine.StartParams{Workflow: wf, TriggeredBy: "alert", Event: event})
		require.NoError(t, err)
		e.waitDone(ex.ID)
		return ex.ID
	}
	evented := startByEvent(map[string]any{"workflow": map[string]any{"id": "child"}, "execution": map[string]any{"id": child}})
	orphan := startByEvent(map[string]any{"workflow": map[string]any{"id": "gone-wf"}, "execution": map[string]any{"id": "gone-ex"}})
	plain := e.run("hello", map[string]any{})
	e.waitDone(plain)

	type step struct{ id, workflowID, triggeredBy string }
	tests := []struct {
		name, id string
		want     []step
	}{
		{"a manual run is its own root", plain, []step{{plain, "hello", "manual"}}},
		{"a child follows its parent", child, []step{{parent, "parent", "manual"}, {child, "child", "workflow"}}},
		{"an event emitted by a child run", evented, []step{{parent, "parent", "manual"}, {child, "child", "workflow"}, {evented, "hello", "alert"}}},
		{"an emitter that is gone", orphan, []step{{"gone-ex", "gone-wf", ""}, {orphan, "hello", "alert"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(http.MethodGet, "/api/workflows/executions/"+tt.id+"/trigger_event_trace", viewerKey, nil)
			require.Equal(t, http.StatusOK, res.status, string(res.body))
			body := res.json(t)
			require.Equal(t, tt.id, body["executionId"])
			var got []step
			for _, x := range body["trace"].([]any) {
				m := x.(map[string]any)
				tb, _ := m["triggeredBy"].(string)
				got = append(got, step{m["executionId"].(string), m["workflowId"].(string), tb})
				require.Equal(t, m["executionId"] == "gone-ex", m["missing"] == true)
			}
			require.Equal(t, tt.want, got)
		})
	}
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions/nope/trigger_event_trace", viewerKey, nil), http.StatusNotFound)
}
