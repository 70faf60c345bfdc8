package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

func TestSequenceWithDataSetAndConsole(t *testing.T) {
	res := enginetest.Run(t, `
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
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	say := res.Records("say")
	require.Len(t, say, 1)
	require.Equal(t, "say#1", say[0].Path)
	require.JSONEq(t, `"Hello world x3"`, string(say[0].Output))
	require.NotEmpty(t, res.Logs)
}
