package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

func TestSequenceWithDataSetAndConsole(t *testing.T) {
	h := enginetest.New(t)
	ex := h.Start(`
name: greet
triggers:
  - type: manual
inputs:
  - name: who
    type: string
    default: world
consts:
  greeting: Hello
steps:
  - name: set
    type: data.set
    with:
      target: "{{ inputs.who }}"
      count: 3
  - name: say
    type: console
    with:
      message: "{{ consts.greeting }} {{ variables.target }} x{{ steps.set.output.count }}"
`, engine.StartParams{})
	res := h.Drive(ex.ID)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	say := res.Records("say")
	require.Len(t, say, 1)
	require.Equal(t, "say#1", say[0].Path)
	require.JSONEq(t, `"Hello world x3"`, string(say[0].Output))
	require.NotEmpty(t, res.Logs)
	var kinds []string
	for _, ev := range h.Events.Events() {
		if ev.Kind != engine.EventLog {
			kinds = append(kinds, ev.Kind+":"+ev.StepName+":"+ev.Status)
		}
	}
	require.Equal(t, []string{
		"execution_status::pending", "execution_status::running",
		"step_started:set:running", "step_finished:set:completed",
		"step_started:say:running", "step_finished:say:completed",
		"execution_status::completed",
	}, kinds)
}
