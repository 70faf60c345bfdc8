package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

const reviewYAML = `name: Review
triggers: [{type: manual}]
steps:
  - name: review
    type: waitForInput
    with:
      message: "Approve the deploy?"
      schema:
        type: object
        properties:
          approved: {type: boolean, description: "Go ahead"}
          reason: {type: string}
          count: {type: integer}
  - name: after
    type: console
    with: {message: "approved={{ steps.review.output.approved }} reason={{ steps.review.output.reason }}"}
`

// searchIDs runs a search and returns the status, the hit ids and the decoded body.
func (e *env) search(params url.Values) (int, []string, map[string]any) {
	e.t.Helper()
	res := e.do(http.MethodGet, "/api/workflows/executions?"+params.Encode(), viewerKey, nil)
	body := res.json(e.t)
	if res.status != http.StatusOK {
		return res.status, nil, body
	}
	ids := []string{}
	for _, h := range body["hits"].(map[string]any)["hits"].([]any) {
		hit := h.(map[string]any)
		require.Equal(e.t, ".workflows-executions", hit["_index"])
		require.Equal(e.t, hit["_id"], hit["_source"].(map[string]any)["id"])
		ids = append(ids, hit["_id"].(string))
	}
	return res.status, ids, body
}

func TestSearchExecutions(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	e.createWorkflow(reviewYAML, "review")
	h1 := e.run("hello", map[string]any{"who": "a"})
	e.waitDone(h1)
	res := e.do(http.MethodPost, "/api/workflows/workflow/hello/run", adminKey, map[string]any{"inputs": map[string]any{}})
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	h2 := res.json(t)["workflowExecutionId"].(string)
	e.waitDone(h2)
	r1 := e.run("review", map[string]any{})
	e.waitStatus(r1, "waiting_for_input")
	started := e.do(http.MethodGet, "/api/workflows/executions/"+h2, viewerKey, nil).json(t)["startedAt"].(string)

	tests := []struct {
		name, query string
		want        []string // nil: any order of wantSet
		wantSet     []string
	}{
		{"no query", "", nil, []string{h1, h2, r1}},
		{"match_all", `{"match_all":{}}`, nil, []string{h1, h2, r1}},
		{"term status", `{"term":{"status":"completed"}}`, nil, []string{h1, h2}},
		{"term value form", `{"term":{"status":{"value":"waiting_for_input"}}}`, nil, []string{r1}},
		{"terms workflowId two values", `{"terms":{"workflowId":["hello","review"]}}`, nil, []string{h1, h2, r1}},
		{"executedBy keyword", `{"term":{"executedBy.keyword":"admin"}}`, nil, []string{h2}},
		{"triggeredBy", `{"term":{"triggeredBy":"manual"}}`, nil, []string{h1, h2, r1}},
		{"isTestRun", `{"term":{"isTestRun":true}}`, nil, []string{}},
		{"bool filter conjunction", `{"bool":{"filter":[{"term":{"workflowId":"hello"}},{"term":{"executedBy":"editor"}}]}}`, nil, []string{h1}},
		{"bool must object", `{"bool":{"must":{"terms":{"status":["completed","failed"]}}}}`, nil, []string{h1, h2}},
		{"disjoint terms", `{"bool":{"filter":[{"term":{"status":"completed"}},{"term":{"status":"failed"}}]}}`, nil, []string{}},
		{"range gte", `{"range":{"startedAt":{"gte":"` + started + `"}}}`, nil, []string{h2, r1}},
		{"range gt", `{"range":{"startedAt":{"gt":"` + started + `"}}}`, nil, []string{r1}},
		{"range lte", `{"range":{"startedAt":{"lte":"` + started + `"}}}`, nil, []string{h1, h2}},
		{"range lt", `{"range":{"startedAt":{"lt":"` + started + `"}}}`, nil, []string{h1}},
		{"range epoch millis", `{"range":{"startedAt":{"gte":0,"lt":4102444800000}}}`, nil, []string{h1, h2, r1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ids, body := e.search(url.Values{"query": {tt.query}, "size": {"50"}})
			require.Equal(t, http.StatusOK, status, body)
			require.ElementsMatch(t, tt.wantSet, ids)
			total := body["hits"].(map[string]any)["total"].(map[string]any)
			require.EqualValues(t, len(tt.wantSet), total["value"])
			require.Equal(t, "eq", total["relation"])
			require.Equal(t, false, body["timed_out"])
		})
	}
}

func TestSearchExecutionsSortAndPaging(t *testing.T) {
	e := newEnv(t)
	e.createWorkflow(helloYAML, "hello")
	var runs []string
	for range 3 {
		id := e.run("hello", map[string]any{})
		e.waitDone(id)
		runs = append(runs, id)
	}
	_, asc, _ := e.search(url.Values{"sort": {`[{"startedAt":{"order":"asc"}}]`}})
	_, desc, _ := e.search(url.Values{"sort": {`{"startedAt":"desc"}`}})
	_, uri, _ := e.search(url.Values{"sort": {"startedAt:asc"}})
	require.Equal(t, runs, asc)
	require.Equal(t, asc, uri)
	rev := slices.Clone(asc)
	slices.Reverse(rev)
	require.Equal(t, rev, desc)

	tests := []struct {
		name     string
		params   url.Values
		want     []string
		total    any // nil: no total
		relation string
	}{
		{"from and size", url.Values{"sort": {"startedAt:asc"}, "from": {"1"}, "size": {"1"}}, runs[1:2], 3.0, "eq"},
		{"size 0 counts", url.Values{"size": {"0"}}, []string{}, 3.0, "eq"},
		{"from past the end", url.Values{"from": {"5"}}, []string{}, 3.0, "eq"},
		{"unsorted pages in the store", url.Values{"query": {`{"term":{"workflowId":"hello"}}`}, "size": {"2"}}, []string{runs[2], runs[1]}, 3.0, "eq"},
		{"trackTotalHits bound", url.Values{"trackTotalHits": {"2"}}, rev, 2.0, "gte"},
		{"trackTotalHits false", url.Values{"trackTotalHits": {"false"}}, rev, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ids, body := e.search(tt.params)
			require.Equal(t, http.StatusOK, status, body)
			require.Equal(t, tt.want, ids)
			total, ok := body["hits"].(map[string]any)["total"].(map[string]any)
			if tt.total == nil {
				require.False(t, ok, "no total with trackTotalHits=false")
				return
			}
			require.Equal(t, tt.total, total["value"])
			require.Equal(t, tt.relation, total["relation"])
		})
	}
}

func TestSearchExecutionsErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		params url.Values
		detail string
	}{
		{"not JSON", url.Values{"query": {"status:completed"}}, "query is not a JSON object"},
		{"match", url.Values{"query": {`{"match":{"status":"completed"}}`}}, `unsupported query clause "match"`},
		{"should", url.Values{"query": {`{"bool":{"should":[{"match_all":{}}]}}`}}, `unsupported query clause "bool.should"`},
		{"must_not", url.Values{"query": {`{"bool":{"must_not":{"term":{"status":"failed"}}}}`}}, `unsupported query clause "bool.must_not"`},
		{"nested unsupported", url.Values{"query": {`{"bool":{"filter":[{"exists":{"field":"x"}}]}}`}}, `unsupported query clause "exists"`},
		{"term on an unknown field", url.Values{"query": {`{"term":{"yaml":"x"}}`}}, `unsupported field "yaml" in term`},
		{"range on another field", url.Values{"query": {`{"range":{"finishedAt":{"gte":0}}}`}}, `unsupported field "finishedAt" in range`},
		{"date math", url.Values{"query": {`{"range":{"startedAt":{"gte":"now-1d"}}}`}}, "date math is not supported"},
		{"range option", url.Values{"query": {`{"range":{"startedAt":{"from":0}}}`}}, `unsupported range option "from"`},
		{"sort field", url.Values{"sort": {`[{"workflowId":"asc"}]`}}, "unsupported sort"},
		{"sort order", url.Values{"sort": {`{"startedAt":"up"}`}}, `unsupported sort order "up"`},
		{"trackTotalHits", url.Values{"trackTotalHits": {"many"}}, "trackTotalHits must be"},
		{"result window", url.Values{"from": {"9999"}, "size": {"2"}}, "from + size must be at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions?"+tt.params.Encode(), viewerKey, nil), http.StatusBadRequest)
			require.Contains(t, p["detail"], tt.detail)
		})
	}
	requireProblem(t, e.do(http.MethodGet, "/api/workflows/executions", "", nil), http.StatusUnauthorized)
}
