package trigger_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/trigger"
	"github.com/errand-dev/errand/internal/trigger/triggertest"
)

// eventWorkflows are the stored workflows of the event tests, by id.
var eventWorkflows = []struct {
	id, triggers string
	enabled      bool
}{
	{"wf-alert", "  - type: alert\n", true},
	{"wf-alert-r2", "  - type: alert\n    with: {rule_id: r-2}\n", true},
	{"wf-case-security", "  - type: cases.caseCreated\n    on: {condition: 'event.owner: \"securitySolution\"'}\n", true},
	{"wf-case-any", "  - type: cases.caseCreated\n", true},
	{"wf-case-disabled", "  - type: cases.caseCreated\n", false},
	{"wf-failed", "  - type: workflows.failed\n", true},
	{"wf-failed-ignore", "  - type: workflows.failed\n    on: {workflowEvents: ignore}\n", true},
	{"wf-manual", "  - type: manual\n", true},
}

func TestEventsDispatch(t *testing.T) {
	tests := []struct {
		name        string
		event       string
		want        []string // workflow ids started
		triggeredBy string
	}{
		{"case of the security owner", `{"type": "cases.caseCreated", "caseId": "c-1", "owner": "securitySolution"}`,
			[]string{"wf-case-any", "wf-case-security"}, "cases.caseCreated"},
		{"case of another owner: condition false", `{"type": "cases.caseCreated", "caseId": "c-2", "owner": "observability"}`,
			[]string{"wf-case-any"}, "cases.caseCreated"},
		{"alert recognized by alerts and rule", `{"alerts": [{"_id": "a-1"}], "rule": {"id": "r-1", "name": "CPU"}, "spaceId": "default"}`,
			[]string{"wf-alert"}, "alert"},
		{"alert of the rule a trigger names", `{"type": "alert", "alerts": [], "rule": {"id": "r-2", "name": "Disk"}}`,
			[]string{"wf-alert", "wf-alert-r2"}, "alert"},
		{"failure of another workflow", `{"type": "workflows.failed", "workflow": {"id": "wf-other"}}`,
			[]string{"wf-failed"}, "workflows.failed"},
		{"failure of the workflow itself: avoid-loop", `{"type": "workflows.failed", "workflow": {"id": "wf-failed"}}`,
			nil, ""},
		{"unknown event type", `{"type": "cases.caseDeleted", "caseId": "c-3"}`, nil, ""},
		{"no type and not an alert", `{"caseId": "c-4"}`, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := backends[0].open(t)(t)
			clock := triggertest.NewClock(t0)
			for _, w := range eventWorkflows {
				createWorkflow(t, st, w.id, "name: "+w.id+"\ntriggers:\n"+w.triggers+consoleStep, w.enabled, t0)
			}
			d := trigger.NewEvents(st, newEngine(st, clock), trigger.EventsOptions{Clock: clock})
			var event map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.event), &event))
			ids, err := d.Dispatch(t.Context(), event)
			require.NoError(t, err)
			require.Len(t, ids, len(tc.want))
			var started []string
			for _, id := range ids {
				ex, err := st.ExecutionGet(t.Context(), id)
				require.NoError(t, err)
				require.Equal(t, tc.triggeredBy, ex.TriggeredBy)
				requireEvent(t, ex, event, tc.triggeredBy != "alert")
				started = append(started, ex.WorkflowID)
			}
			slices.Sort(started)
			require.Equal(t, tc.want, started)
		})
	}
}

// requireEvent checks that the run's event is the payload, with event.timestamp added to an
// event-driven one.
func requireEvent(t *testing.T, ex *store.Execution, payload map[string]any, stamped bool) {
	t.Helper()
	var got map[string]any
	require.NoError(t, json.Unmarshal(ex.Event, &got))
	want := map[string]any{}
	for k, v := range payload {
		want[k] = v
	}
	if stamped {
		want["timestamp"] = "2026-01-05T10:00:00Z"
	}
	require.Equal(t, want, got)
}
