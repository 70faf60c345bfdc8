package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitStatus polls an execution until it has status.
func (e *env) waitStatus(id, status string) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := e.do(http.MethodGet, "/api/workflows/executions/"+id, viewerKey, nil).json(e.t)["status"]
		if got == status {
			return
		}
		require.True(e.t, time.Now().Before(deadline), "execution %s stays %v, want %s", id, got, status)
		time.Sleep(20 * time.Millisecond)
	}
}

// run starts a workflow and returns the execution id.
func (e *env) run(id string, inputs map[string]any) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/workflows/workflow/"+id+"/run", editorKey, map[string]any{"inputs": inputs})
	require.Equal(e.t, http.StatusOK, res.status, string(res.body))
	return res.json(e.t)["workflowExecutionId"].(string)
}

func TestRunErrors(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	e.createWorkflow("name: Off\nenabled: false\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with: {message: x}\n", "off")
	e.createWorkflow("name: Typed\ntriggers:\n  - type: manual\ninputs:\n  - {name: n, type: number, required: true}\nsteps:\n  - name: s\n    type: console\n    with: {message: x}\n", "typed")
	tests := []struct {
		name, path string
		body       map[string]any
		status     int
		detail     string
	}{
		{"missing workflow", "ghost", map[string]any{"inputs": map[string]any{}}, http.StatusNotFound, ""},
		{"disabled", "off", map[string]any{"inputs": map[string]any{}}, http.StatusBadRequest, "Workflow is disabled. Enable it to run it."},
		{"missing required input", "typed", map[string]any{"inputs": map[string]any{}}, http.StatusBadRequest, ""},
		{"inputs is required", "hello", map[string]any{}, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/"+tt.path+"/run", editorKey, tt.body), tt.status)
			if tt.detail != "" {
				require.Equal(t, tt.detail, p["detail"])
			}
		})
	}
}

func TestExecutionEndpoints(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	id := e.run("hello", map[string]any{"who": "ann"})
	ex := e.waitDone(id)
	require.Equal(t, "completed", ex["status"])
	require.Equal(t, "hello", ex["workflowId"])
	require.Equal(t, "Hello", ex["workflowName"])
	require.Equal(t, false, ex["isTestRun"])
	require.Equal(t, "editor", ex["executedBy"])
	steps := ex["stepExecutions"].([]any)
	require.Len(t, steps, 2)
	greet := steps[0].(map[string]any)
	require.Equal(t, "greet", greet["stepId"])
	require.Equal(t, "hello ann", greet["output"])
	require.Equal(t, map[string]any{"loud": "HELLO ANN"}, steps[1].(map[string]any)["output"])

	noIO := e.do(http.MethodGet, "/api/workflows/executions/"+id+"?includeInput=false&includeOutput=false", viewerKey, nil).json(t)
	require.NotContains(t, noIO["stepExecutions"].([]any)[0], "output")

	list := e.do(http.MethodGet, "/api/workflows/workflow/hello/executions?statuses=completed,failed&executionTypes=production", viewerKey, nil).json(t)
	require.EqualValues(t, 1, list["total"])
	require.Equal(t, id, list["results"].([]any)[0].(map[string]any)["id"])
	none := e.do(http.MethodGet, "/api/workflows/workflow/hello/executions?executionTypes=test", viewerKey, nil).json(t)
	require.EqualValues(t, 0, none["total"])

	sl := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/steps?size=1&page=2", viewerKey, nil).json(t)
	require.EqualValues(t, 2, sl["total"])
	require.Equal(t, "shout", sl["results"].([]any)[0].(map[string]any)["stepId"])

	one := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/step/"+greet["id"].(string), viewerKey, nil)
	require.Equal(t, http.StatusOK, one.status)
	require.Equal(t, map[string]any{"message": "hello ann"}, one.json(t)["input"])
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions/"+id+"/step/ghost", viewerKey, nil), http.StatusNotFound)

	logs := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/logs", viewerKey, nil).json(t)
	require.NotZero(t, logs["total"])
	stepLogs := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/logs?stepExecutionId="+greet["id"].(string), viewerKey, nil).json(t)
	found := false
	for _, l := range stepLogs["logs"].([]any) {
		require.Equal(t, "greet", l.(map[string]any)["stepName"])
		found = found || l.(map[string]any)["message"] == "Log from step greet: hello ann"
	}
	require.True(t, found, "%v", stepLogs)

	for _, path := range []string{"", "/steps", "/logs", "/children"} {
		requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions/ghost"+path, viewerKey, nil), http.StatusNotFound)
	}
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/executions/ghost/cancel", editorKey, nil), http.StatusNotFound)
}

const waitYAML = `name: Waits
triggers:
  - type: manual
steps:
  - name: nap
    type: wait
    with: {duration: 1h}
  - name: after
    type: console
    with: {message: never}
`

func TestCancelAndCancelAll(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(waitYAML, "waits")
	one := e.run("waits", map[string]any{})
	e.waitStatus(one, "waiting")
	res := e.do(http.MethodPost, "/api/workflows/executions/"+one+"/cancel", editorKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	require.Equal(t, "cancelled", e.waitDone(one)["status"])

	a, b := e.run("waits", map[string]any{}), e.run("waits", map[string]any{})
	e.waitStatus(a, "waiting")
	e.waitStatus(b, "waiting")
	all := e.do(http.MethodPost, "/api/workflows/workflow/waits/executions/cancel", editorKey, nil)
	require.Equal(t, http.StatusOK, all.status, string(all.body))
	require.ElementsMatch(t, []any{a, b}, all.json(t)["cancelled"])
	require.Equal(t, "cancelled", e.waitDone(a)["status"])
	require.Equal(t, "cancelled", e.waitDone(b)["status"])
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/ghost/executions/cancel", editorKey, nil), http.StatusNotFound)
}

func TestResumeWaitingForInput(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(`name: Review
triggers:
  - type: manual
steps:
  - name: review
    type: waitForInput
    with: {message: "Approve?"}
  - name: after
    type: console
    with: {message: "approved={{ steps.review.output.approved }}"}
`, "review")
	id := e.run("review", map[string]any{})
	e.waitStatus(id, "waiting_for_input")
	res := e.do(http.MethodPost, "/api/workflows/executions/"+id+"/resume", editorKey, map[string]any{"input": map[string]any{"approved": true}})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	require.Equal(t, map[string]any{"success": true, "executionId": id, "message": "Workflow resume scheduled"}, res.json(t))
	ex := e.waitDone(id)
	require.Equal(t, "completed", ex["status"])
	require.Equal(t, "approved=true", ex["stepExecutions"].([]any)[1].(map[string]any)["output"])
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/executions/"+id+"/resume", editorKey, map[string]any{"input": map[string]any{}}), http.StatusConflict)
}

func TestChildren(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow("name: child\ntriggers:\n  - type: manual\nsteps:\n  - name: c\n    type: console\n    with: {message: child}\n", "child")
	e.createWorkflow("name: parent\ntriggers:\n  - type: manual\nsteps:\n  - name: call\n    type: workflow.execute\n    with:\n      workflow-id: child\n", "parent")
	id := e.run("parent", map[string]any{})
	require.Equal(t, "completed", e.waitDone(id)["status"])
	res := e.do(http.MethodGet, "/api/workflows/executions/"+id+"/children", viewerKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	var kids []map[string]any
	require.NoError(t, jsonUnmarshal(res.body, &kids))
	require.Len(t, kids, 1)
	require.Equal(t, "child", kids[0]["workflowId"])
	require.Equal(t, "completed", kids[0]["status"])
	require.Len(t, kids[0]["stepExecutions"], 1)
}

func TestTestRunAndStepTest(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodPost, "/api/workflows/test", editorKey, map[string]any{"workflowYaml": helloYAML, "inputs": map[string]any{"who": "tess"}})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	ex := e.waitDone(res.json(t)["workflowExecutionId"].(string))
	require.Equal(t, true, ex["isTestRun"])
	require.Equal(t, "completed", ex["status"])

	e.createWorkflow("name: Off\nenabled: false\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with: {message: x}\n", "off")
	byID := e.do(http.MethodPost, "/api/workflows/test", editorKey, map[string]any{"workflowId": "off"})
	require.Equal(t, http.StatusOK, byID.status, "a test run of a disabled workflow is allowed: %s", byID.body)

	bad := requireProblem(t, e.do(http.MethodPost, "/api/workflows/test", editorKey, map[string]any{"workflowYaml": "name: x\ntriggers:\n  - type: manual\nsteps:\n  - name: a\n    type: nope\n"}), http.StatusBadRequest)
	require.NotEmpty(t, bad["errors"])
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/test", editorKey, map[string]any{}), http.StatusBadRequest)
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/step/test", editorKey, map[string]any{"workflowYaml": helloYAML, "stepId": "ghost"}), http.StatusNotFound)
}

func TestEventsAndWebhooksNeedTheirServices(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/events", editorKey, map[string]any{"type": "x"}), http.StatusNotImplemented)
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/hello/execute", "", map[string]any{}), http.StatusNotImplemented)
}
