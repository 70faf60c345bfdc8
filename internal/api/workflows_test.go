package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateGetUpdateDeleteWorkflow(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodPost, "/api/workflows/workflow", editorKey, map[string]any{"yaml": helloYAML, "id": "hello"})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	wf := res.json(t)
	for _, f := range []string{"id", "name", "description", "enabled", "createdAt", "createdBy", "lastUpdatedAt",
		"lastUpdatedBy", "definition", "yaml", "valid", "tags"} {
		require.Contains(t, wf, f)
	}
	require.Equal(t, "hello", wf["id"])
	require.Equal(t, "Hello", wf["name"])
	require.Equal(t, true, wf["valid"])
	require.Equal(t, "editor", wf["createdBy"])
	require.Equal(t, []any{"demo", "greet"}, wf["tags"])
	require.Equal(t, "Hello", wf["definition"].(map[string]any)["name"])

	got := e.do(http.MethodGet, "/api/workflows/workflow/hello", viewerKey, nil)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, helloYAML, got.json(t)["yaml"])

	upd := e.do(http.MethodPut, "/api/workflows/workflow/hello", editorKey, map[string]any{"enabled": false, "tags": []string{"x"}})
	require.Equal(t, http.StatusOK, upd.status, string(upd.body))
	u := upd.json(t)
	require.Equal(t, false, u["enabled"])
	require.Equal(t, true, u["valid"])
	require.Equal(t, []any{}, u["validationErrors"])
	require.Equal(t, "editor", u["lastUpdatedBy"])

	bad := e.do(http.MethodPut, "/api/workflows/workflow/hello", editorKey, map[string]any{"yaml": "name: X\ntriggers: []\nsteps: []\n"})
	require.Equal(t, http.StatusOK, bad.status, string(bad.body))
	require.Equal(t, false, bad.json(t)["valid"])
	require.NotEmpty(t, bad.json(t)["validationErrors"])
	require.Equal(t, "X", e.do(http.MethodGet, "/api/workflows/workflow/hello", viewerKey, nil).json(t)["name"])

	require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/api/workflows/workflow/hello?force=true", editorKey, nil).status)
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/workflow/hello", viewerKey, nil), http.StatusNotFound)
	requireProblem(t, e.do(http.MethodDelete, "/api/workflows/workflow/hello", editorKey, nil), http.StatusNotFound)
	requireProblem(t, e.do(http.MethodPut, "/api/workflows/workflow/hello", editorKey, map[string]any{"enabled": true}), http.StatusNotFound)
}

func TestCreateWorkflowErrors(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "taken")
	tests := []struct {
		name   string
		body   map[string]any
		status int
		check  func(t *testing.T, p map[string]any)
	}{
		{"duplicate id", map[string]any{"yaml": helloYAML, "id": "taken"}, http.StatusConflict, nil},
		{"yaml that does not parse", map[string]any{"yaml": "name: [unclosed\nsteps:\n"}, http.StatusBadRequest,
			func(t *testing.T, p map[string]any) {
				errs := p["errors"].([]any)
				require.NotEmpty(t, errs)
				d := errs[0].(map[string]any)
				require.Equal(t, "yamlSyntaxError", d["ruleId"])
				require.NotZero(t, d["line"])
			}},
		{"bad id", map[string]any{"yaml": helloYAML, "id": "no spaces allowed"}, http.StatusBadRequest, nil},
		{"missing yaml field", map[string]any{"id": "x"}, http.StatusBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow", editorKey, tt.body), tt.status)
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestCreateKeepsInvalidWorkflowAsNotValid(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodPost, "/api/workflows/workflow", editorKey, map[string]any{
		"yaml": "name: Broken\ntriggers:\n  - type: manual\nsteps:\n  - name: a\n    type: nonexistent.step\n"})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	wf := res.json(t)
	require.Equal(t, false, wf["valid"])
	require.Nil(t, wf["definition"])
	require.NotEmpty(t, wf["validationErrors"])

	run := e.do(http.MethodPost, "/api/workflows/workflow/"+wf["id"].(string)+"/run", editorKey, map[string]any{"inputs": map[string]any{}})
	require.Equal(t, "Workflow is not valid.", requireProblem(t, run, http.StatusBadRequest)["detail"])
}

func TestListSearchAndFilterWorkflows(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "a")
	e.createWorkflow("name: Other flow\ntags: [ops]\nenabled: false\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with: {message: hi}\n", "b")
	tests := []struct {
		query string
		ids   []string
		total int
	}{
		{"", []string{"a", "b"}, 2},
		{"?query=other", []string{"b"}, 1},
		{"?enabled=true", []string{"a"}, 1},
		{"?enabled=false", []string{"b"}, 1},
		{"?enabled=true&enabled=false", []string{"a", "b"}, 2},
		{"?tags=ops", []string{"b"}, 1},
		{"?tags=demo&tags=ops", []string{"a", "b"}, 2},
		{"?createdBy=nobody", nil, 0},
		{"?size=1&page=2", []string{"b"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := e.do(http.MethodGet, "/api/workflows"+tt.query, viewerKey, nil)
			require.Equal(t, http.StatusOK, res.status, string(res.body))
			body := res.json(t)
			require.EqualValues(t, tt.total, body["total"])
			var ids []string
			for _, r := range body["results"].([]any) {
				ids = append(ids, r.(map[string]any)["id"].(string))
			}
			require.ElementsMatch(t, tt.ids, ids)
		})
	}
}

func TestBulkCreateAndDelete(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "exists")
	res := e.do(http.MethodPost, "/api/workflows", editorKey, map[string]any{"workflows": []any{
		map[string]any{"yaml": helloYAML, "id": "one"},
		map[string]any{"yaml": helloYAML, "id": "exists"},
		map[string]any{"yaml": "a: [b"},
	}})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	body := res.json(t)
	require.EqualValues(t, 3, body["total"])
	require.Equal(t, []any{map[string]any{"id": "one", "name": "Hello"}}, body["created"])
	require.Len(t, body["failures"], 2)

	over := e.do(http.MethodPost, "/api/workflows?overwrite=true", editorKey, map[string]any{"workflows": []any{
		map[string]any{"yaml": "name: New\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with: {message: x}\n", "id": "exists"}}})
	require.Equal(t, http.StatusOK, over.status)
	require.Empty(t, over.json(t)["failures"])
	require.Equal(t, "New", e.do(http.MethodGet, "/api/workflows/workflow/exists", viewerKey, nil).json(t)["name"])

	del := e.do(http.MethodDelete, "/api/workflows", editorKey, map[string]any{"ids": []string{"one", "exists", "ghost"}})
	require.Equal(t, http.StatusOK, del.status, string(del.body))
	d := del.json(t)
	require.EqualValues(t, 3, d["total"])
	require.EqualValues(t, 2, d["deleted"])
	require.Equal(t, "ghost", d["failures"].([]any)[0].(map[string]any)["id"])
}

func TestCloneExportMget(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "src")
	res := e.do(http.MethodPost, "/api/workflows/workflow/src/clone", editorKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	clone := res.json(t)
	require.Equal(t, "Hello Copy", clone["name"])
	require.NotEqual(t, "src", clone["id"])
	require.Contains(t, clone["yaml"], "name: Hello Copy")
	require.Equal(t, true, clone["valid"])
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/workflow/ghost/clone", editorKey, nil), http.StatusNotFound)

	exp := e.do(http.MethodPost, "/api/workflows/export", editorKey, map[string]any{"ids": []string{"src"}})
	require.Equal(t, http.StatusOK, exp.status, string(exp.body))
	body := exp.json(t)
	require.Equal(t, []any{map[string]any{"id": "src", "yaml": helloYAML}}, body["entries"])
	require.EqualValues(t, 1, body["manifest"].(map[string]any)["exportedCount"])
	requireProblem(t, e.do(http.MethodPost, "/api/workflows/export", editorKey, map[string]any{"ids": []string{"ghost"}}), http.StatusNotFound)

	mget := e.do(http.MethodPost, "/api/workflows/mget", editorKey, map[string]any{"ids": []string{"src", "ghost"}, "source": []string{"name"}})
	require.Equal(t, http.StatusOK, mget.status, string(mget.body))
	require.JSONEq(t, `[{"id":"src","name":"Hello"}]`, string(mget.body))
}

func TestValidateSchemaStatsAggs(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "a")
	v := e.do(http.MethodPost, "/api/workflows/validate", editorKey, map[string]any{"yaml": "name: x\ntriggers:\n  - type: manual\nsteps:\n  - name: a\n    type: nope\n"})
	require.Equal(t, http.StatusOK, v.status, string(v.body))
	body := v.json(t)
	require.Equal(t, false, body["valid"])
	d := body["diagnostics"].([]any)[0].(map[string]any)
	require.Equal(t, "schemaViolation", d["ruleId"])
	require.EqualValues(t, 6, d["line"])
	ok := e.do(http.MethodPost, "/api/workflows/validate", editorKey, map[string]any{"yaml": helloYAML}).json(t)
	require.Equal(t, true, ok["valid"])

	schema := e.do(http.MethodGet, "/api/workflows/schema", viewerKey, nil)
	require.Equal(t, http.StatusOK, schema.status)
	require.Contains(t, string(schema.body), `"console"`)
	require.Contains(t, string(schema.body), `"slack"`)

	stats := e.do(http.MethodGet, "/api/workflows/stats", viewerKey, nil).json(t)
	require.EqualValues(t, 1, stats["workflows"].(map[string]any)["enabled"])
	require.Len(t, stats["executions"], 7)

	aggs := e.do(http.MethodGet, "/api/workflows/aggs?fields=tags&fields=createdBy", viewerKey, nil)
	require.Equal(t, http.StatusOK, aggs.status, string(aggs.body))
	require.JSONEq(t, `{"tags":[{"key":"demo","doc_count":1},{"key":"greet","doc_count":1}],"createdBy":[{"key":"editor","doc_count":1}]}`, string(aggs.body))
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/aggs?fields=name", viewerKey, nil), http.StatusBadRequest)
}

func TestSpacePrefixIsAccepted(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodPost, "/s/marketing/api/workflows/workflow", editorKey, map[string]any{"yaml": helloYAML, "id": "sp"})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	run := e.do(http.MethodPost, "/s/marketing/api/workflows/workflow/sp/run", editorKey, map[string]any{"inputs": map[string]any{}})
	require.Equal(t, http.StatusOK, run.status, string(run.body))
	id := run.json(t)["workflowExecutionId"].(string)
	e.waitDone(id)
	ex := e.do(http.MethodGet, "/s/marketing/api/workflows/executions/"+id, viewerKey, nil).json(t)
	require.Equal(t, "marketing", ex["spaceId"])
}
