package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWorkflowStepExecutionsAcrossRuns(t *testing.T) {
	e := newEnv(t)
	id := e.createWorkflow(helloYAML, "hello")
	for range 2 {
		res := e.do(http.MethodPost, "/api/workflows/workflow/"+id+"/run", editorKey, map[string]any{"inputs": map[string]any{}})
		require.Equal(t, http.StatusOK, res.status, string(res.body))
		e.waitDone(res.json(t)["workflowExecutionId"].(string))
	}
	res := e.do(http.MethodGet, "/api/workflows/workflow/"+id+"/executions/steps?size=1", viewerKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	body := res.json(t)
	require.EqualValues(t, 1, body["size"])
	require.Len(t, body["results"], 1)
	total := body["total"].(float64)
	require.GreaterOrEqual(t, total, 2.0, "both runs' steps are counted")
	first := body["results"].([]any)[0].(map[string]any)
	require.Equal(t, id, first["workflowId"])

	res = e.do(http.MethodGet, "/api/workflows/workflow/nope/executions/steps", viewerKey, nil)
	requireProblem(t, res, http.StatusNotFound)
	res = e.do(http.MethodGet, "/api/workflows/workflow/"+id+"/executions/steps", "", nil)
	requireProblem(t, res, http.StatusUnauthorized)
}
