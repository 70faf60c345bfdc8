package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	id := e.createWorkflow(helloYAML, "hello")
	res := e.do(http.MethodPost, "/api/workflows/workflow/"+id+"/run", editorKey, map[string]any{"inputs": map[string]any{"who": "bob"}})
	require.Equal(t, 200, res.status, string(res.body))
	ex := e.waitDone(res.json(t)["workflowExecutionId"].(string))
	t.Logf("%v", ex)
}
