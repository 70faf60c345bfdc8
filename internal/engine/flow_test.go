package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/enginetest"
	"github.com/errand-dev/errand/internal/store"
)

func TestForeachOverHTTPResults(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"users":[{"name":"ada"},{"name":"bob"},{"name":"cy"}]}`))
	}))
	defer srv.Close()
	res := enginetest.Run(t, `
name: users
triggers: [{type: manual}]
steps:
  - name: fetch
    type: http
    with:
      url: "`+srv.URL+`/users"
      method: GET
  - name: loop
    type: foreach
    foreach: "{{ steps.fetch.output.data.users }}"
    steps:
      - name: hello
        type: console
        with:
          message: "{{ foreach.index }}/{{ foreach.total }} {{ foreach.item.name }}"
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	hello := res.Records("hello")
	require.Len(t, hello, 3)
	require.Equal(t, "loop[2]/hello#1", hello[2].Path)
	require.JSONEq(t, `"2/3 cy"`, string(hello[2].Output))
}

func TestForeachResolution(t *testing.T) {
	tests := []struct {
		name, foreach, wantErr string
		want                   int
	}{
		{name: "literal JSON string", foreach: `'[1, 2, 3]'`, want: 3},
		{name: "typed expression", foreach: `"${{ consts.list }}"`, want: 2},
		{name: "rendered JSON", foreach: `"{{ consts.list | json }}"`, want: 2},
		{name: "empty", foreach: `"[]"`, want: 0},
		{name: "not an array", foreach: `"{{ consts.obj }}"`, wantErr: "Foreach expression must evaluate to an array"},
		{name: "not JSON", foreach: `"a, b"`, wantErr: "Unable to parse rendered value: a, b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := enginetest.Run(t, `
name: fe
triggers: [{type: manual}]
consts:
  list: [x, y]
  obj: {a: 1}
steps:
  - name: loop
    type: foreach
    foreach: `+tc.foreach+`
    steps:
      - name: body
        type: console
        with: {message: "{{ foreach.item }}"}
`)
			if tc.wantErr != "" {
				require.Equal(t, store.StatusFailed, res.Execution.Status)
				require.Contains(t, string(res.Execution.Error), tc.wantErr)
				return
			}
			require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
			require.Len(t, res.Records("body"), tc.want)
		})
	}
}

func TestNestedForeachBreakContinue(t *testing.T) {
	res := enginetest.Run(t, `
name: nested
triggers: [{type: manual}]
steps:
  - name: outer
    type: foreach
    foreach: '[1, 2, 3]'
    steps:
      - name: inner
        type: foreach
        foreach: '["a", "b", "c"]'
        steps:
          - name: skip_b
            type: loop.continue
            if: "foreach.item : b"
          - name: stop_outer_2
            type: loop.break
            if: "steps.outer.item : 2"
          - name: work
            type: console
            with: {message: "{{ steps.outer.item }}{{ foreach.item }}"}
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	var got []string
	for _, r := range res.Records("work") {
		var s string
		require.NoError(t, json.Unmarshal(r.Output, &s))
		got = append(got, s)
	}
	require.Equal(t, []string{"1a", "1c", "3a", "3c"}, got)
}

func TestWhileMaxIterations(t *testing.T) {
	tests := []struct {
		name, limit, status string
		iterations          int
	}{
		{name: "condition ends the loop", limit: "10", status: store.StatusCompleted, iterations: 4},
		{name: "on-limit continue", limit: "{limit: 2, on-limit: continue}", status: store.StatusCompleted, iterations: 2},
		{name: "on-limit fail", limit: "{limit: 2, on-limit: fail}", status: store.StatusFailed, iterations: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := enginetest.Run(t, `
name: poll
triggers: [{type: manual}]
steps:
  - name: poll
    type: while
    condition: "while.iteration < 3"
    max-iterations: `+tc.limit+`
    steps:
      - name: tick
        type: console
        with: {message: "{{ while.iteration }}"}
`)
			require.Equal(t, tc.status, res.Execution.Status, string(res.Execution.Error))
			require.Len(t, res.Records("tick"), tc.iterations)
			if tc.status == store.StatusFailed {
				require.Contains(t, string(res.Execution.Error), "max-iterations")
			}
		})
	}
}

func TestSwitch(t *testing.T) {
	for _, tc := range []struct{ category, want string }{{"malware", "m"}, {"2", "two"}, {"other", "d"}} {
		t.Run(tc.category, func(t *testing.T) {
			res := enginetest.Run(t, `
name: route
triggers: [{type: manual}]
inputs:
  - {name: category, type: string}
steps:
  - name: route
    type: switch
    expression: "{{ inputs.category }}"
    cases:
      - match: malware
        steps: [{name: m, type: console, with: {message: m}}]
      - match: 2
        steps: [{name: two, type: console, with: {message: two}}]
    default:
      - {name: d, type: console, with: {message: d}}
`, enginetest.WithInputs(map[string]any{"category": tc.category}))
			require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
			require.Len(t, res.Steps, 2)
			require.Len(t, res.Records(tc.want), 1)
		})
	}
}

func TestIfElseAndStepIf(t *testing.T) {
	res := enginetest.Run(t, `
name: branches
triggers: [{type: manual}]
inputs:
  - {name: n, type: number, default: 7}
steps:
  - name: check
    type: if
    condition: "inputs.n > 5"
    steps:
      - {name: big, type: console, with: {message: big}}
    else:
      - {name: small, type: console, with: {message: small}}
  - name: never
    type: console
    if: "inputs.n < 0"
    with: {message: never}
  - name: typed
    type: console
    if: "${{ inputs.n == 7 }}"
    with: {message: typed}
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Len(t, res.Records("big"), 1)
	require.Empty(t, res.Records("small"))
	require.Equal(t, store.StatusSkipped, res.Records("never")[0].Status)
	require.Equal(t, store.StatusCompleted, res.Records("typed")[0].Status)
}

func TestWorkflowOutputAndFail(t *testing.T) {
	res := enginetest.Run(t, `
name: out
triggers: [{type: manual}]
steps:
  - name: done
    type: workflow.output
    with:
      answer: "${{ 6 | times: 7 }}"
  - name: after
    type: console
    with: {message: unreachable}
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.JSONEq(t, `{"answer": 42}`, string(res.Execution.Output))
	require.Empty(t, res.Records("after"))

	res = enginetest.Run(t, `
name: fail
triggers: [{type: manual}]
steps:
  - name: boom
    type: workflow.fail
    with: {message: "bad input {{ 1 | plus: 1 }}"}
`)
	require.Equal(t, store.StatusFailed, res.Execution.Status)
	require.JSONEq(t, `{"type": "WorkflowFailed", "message": "bad input 2"}`, string(res.Execution.Error))
}

func TestDataSetVariablesAcrossSteps(t *testing.T) {
	res := enginetest.Run(t, `
name: vars
triggers: [{type: manual}]
steps:
  - name: a
    type: data.set
    with: {x: 1, y: first}
  - name: b
    type: data.set
    with: {y: second}
  - name: show
    type: console
    with: {message: "{{ variables.x }}-{{ variables.y }}-{{ steps.a.output.y }}"}
`)
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.JSONEq(t, `"1-second-first"`, string(res.Records("show")[0].Output))
}

func TestStepLevelForeach(t *testing.T) {
	p := newProbe(func(_ context.Context, in engine.StepInput, _ int) (any, error) {
		return in.With["v"], nil
	})
	res := enginetest.Run(t, `
name: step-foreach
triggers: [{type: manual}]
steps:
  - name: each
    type: probe
    foreach: '[1, 2, 3]'
    with: {v: "${{ foreach.item | times: 10 }}"}
  - name: show
    type: console
    with: {message: "{{ steps.each.output | json }}"}
`, enginetest.WithExecutor("probe", p))
	require.Equal(t, store.StatusCompleted, res.Execution.Status, string(res.Execution.Error))
	require.Equal(t, 3, p.count("each"))
	require.JSONEq(t, `"[10,20,30]"`, string(res.Records("show")[0].Output))
}
