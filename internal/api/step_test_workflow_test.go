package api

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
)

func TestStepTestWorkflowMocksEveryOtherStep(t *testing.T) {
	src := `name: W
consts: {a: 1}
triggers: [{type: manual}]
inputs:
  - {name: x, type: string}
steps:
  - name: one
    type: console
    with: {message: "{{ inputs.x }}"}
  - name: branch
    type: if
    condition: "true"
    steps:
      - name: target
        type: if
        condition: "true"
        steps:
          - {name: inner, type: console, with: {message: i}}
    else:
      - {name: other, type: console, with: {message: o}}
`
	gen, err := stepTestWorkflow(src, "target", map[string]any{
		"steps": map[string]any{"one": map[string]any{"output": map[string]any{"k": "{{ v }}"}}},
		"event": map[string]any{"e": 1}, "inputs": map[string]any{"x": "y"}})
	require.NoError(t, err)
	var doc struct {
		Name   string         `yaml:"name"`
		Consts map[string]any `yaml:"consts"`
		Inputs any            `yaml:"inputs"`
		Steps  []struct {
			Name  string         `yaml:"name"`
			Type  string         `yaml:"type"`
			With  map[string]any `yaml:"with"`
			Steps []any          `yaml:"steps"`
		} `yaml:"steps"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(gen.yaml), &doc))
	require.Equal(t, "W (step test)", doc.Name)
	require.NotNil(t, doc.Inputs)
	var names []string
	for _, s := range doc.Steps {
		names = append(names, s.Name+":"+s.Type)
	}
	require.Equal(t, []string{"one:data.parseJson", "branch:data.parseJson", "other:data.parseJson", "target:if"}, names)
	require.Len(t, doc.Steps[3].Steps, 1, "the tested step keeps its nested steps")
	require.Equal(t, `{"k":"{{ v }}"}`, doc.Consts["__stepTestMock0"])
	require.Equal(t, "null", doc.Consts["__stepTestMock1"])
	require.Equal(t, 1, doc.Consts["a"])
	require.Equal(t, map[string]any{"x": "y"}, gen.inputs)
	require.Equal(t, map[string]any{"e": 1}, gen.event)
}

func TestStepTestWorkflowErrors(t *testing.T) {
	tests := []struct {
		name, src, step string
		want            error
	}{
		{"missing step", "name: W\nsteps:\n  - {name: a, type: console}\n", "b", errNotFound},
		{"not a mapping", "- a\n", "a", errBadRequest},
		{"input list is not a step list", "name: W\ninputs:\n  - {name: a, type: string}\nsteps: []\n", "a", errNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stepTestWorkflow(tt.src, tt.step, nil)
			require.True(t, errors.Is(err, tt.want), "%v", err)
		})
	}
}
