package api

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
)

// executionsIndex is the index name Kibana's search answers carry in every hit.
const executionsIndex = ".workflows-executions"

// maxResultWindow bounds from+size, as Elasticsearch's index.max_result_window does.
const maxResultWindow = 10000

type searchExecutionsInput struct {
	Query          string `query:"query" doc:"Elasticsearch query DSL (JSON). Supported: match_all; term/terms on status, workflowId, executedBy, triggeredBy, isTestRun; range on startedAt (gte, gt, lte, lt); bool.filter and bool.must. Anything else is a 400 naming the clause."`
	Sort           string `query:"sort" doc:"startedAt asc or desc: [{\"startedAt\":{\"order\":\"desc\"}}], {\"startedAt\":\"asc\"} or startedAt:asc. Default: newest created first."`
	From           int    `query:"from" minimum:"0"`
	Size           int    `query:"size" minimum:"0" maximum:"10000" default:"10"`
	TrackTotalHits string `query:"trackTotalHits" doc:"true (default), false, or a number up to which the total is counted exactly"`
}

// searchHitSource is the document of one hit: an execution as Kibana indexes it.
type searchHitSource struct {
	ExecutionSummary
	WorkflowName      string `json:"workflowName"`
	ParentExecutionID string `json:"parentExecutionId,omitempty"`
}

// searchHit is one hit of a search response.
type searchHit struct {
	Index  string          `json:"_index"`
	ID     string          `json:"_id"`
	Score  *float64        `json:"_score"`
	Source searchHitSource `json:"_source"`
	Sort   []any           `json:"sort,omitempty"`
}

// searchTotal is hits.total.
type searchTotal struct {
	Value    int    `json:"value"`
	Relation string `json:"relation"`
}

type searchExecutionsOutput struct {
	Body struct {
		Took     int64          `json:"took"`
		TimedOut bool           `json:"timed_out"`
		Shards   map[string]int `json:"_shards"`
		Hits     struct {
			Total    *searchTotal `json:"total,omitempty"`
			MaxScore *float64     `json:"max_score"`
			Hits     []searchHit  `json:"hits"`
		} `json:"hits"`
	}
}

// registerExecutionSearch adds §8 row 33.
func (s *server) registerExecutionSearch(api huma.API) {
	huma.Register(api, op("searchExecutions", http.MethodGet, "/api/workflows/executions",
		"Search executions across workflows (a subset of the Elasticsearch query DSL; raw search response)"), s.searchExecutions)
}

// searchExecutions answers an Elasticsearch-shaped search over every execution.
func (s *server) searchExecutions(ctx context.Context, in *searchExecutionsInput) (*searchExecutionsOutput, error) {
	start := time.Now()
	q, err := parseExecutionQuery(in.Query)
	if err != nil {
		return nil, err
	}
	sorted, asc, err := parseExecutionSort(in.Sort)
	if err != nil {
		return nil, err
	}
	track, err := parseTrackTotalHits(in.TrackTotalHits)
	if err != nil {
		return nil, err
	}
	if in.From+in.Size > maxResultWindow {
		return nil, fmt.Errorf("%w: from + size must be at most %d", errBadRequest, maxResultWindow)
	}
	rows, total, err := s.findExecutions(ctx, q, sorted, asc, in.From, in.Size)
	if err != nil {
		return nil, err
	}
	out := &searchExecutionsOutput{}
	out.Body.Shards = map[string]int{"total": 1, "successful": 1, "skipped": 0, "failed": 0}
	out.Body.Hits.Total = totalOf(total, track)
	out.Body.Hits.Hits = []searchHit{}
	for _, ex := range rows {
		h := searchHit{Index: executionsIndex, ID: ex.ID, Source: searchHitSource{ExecutionSummary: summarize(ex),
			WorkflowName: ex.WorkflowName, ParentExecutionID: ex.ParentExecutionID}}
		h.Source.SpaceID = requestFrom(ctx).space
		if sorted {
			h.Sort = []any{nil}
			if ex.StartedAt != nil {
				h.Sort[0] = ex.StartedAt.UnixMilli()
			}
		}
		out.Body.Hits.Hits = append(out.Body.Hits.Hits, h)
	}
	out.Body.Took = time.Since(start).Milliseconds()
	return out, nil
}

// findExecutions returns the window [from, from+size) of the executions q matches and how
// many match. Filters the store applies exactly, without a sort, page in the store;
// anything else reads the store's superset and filters and sorts in memory.
func (s *server) findExecutions(ctx context.Context, q *executionQuery, sorted, asc bool, from, size int) ([]*store.Execution, int, error) {
	if q.matchesNothing() {
		return nil, 0, nil
	}
	p, exact := q.storeParams()
	if exact && !sorted {
		p.Limit, p.Offset = max(size, 1), from
		rows, total, err := s.Store.ExecutionList(ctx, p)
		if err != nil {
			return nil, 0, fmt.Errorf("searching executions: %w", err)
		}
		return rows[:min(size, len(rows))], total, nil
	}
	all, err := s.allExecutions(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	all = slices.DeleteFunc(all, func(ex *store.Execution) bool { return !q.matches(ex) })
	if sorted {
		sortByStart(all, asc)
	}
	if from >= len(all) {
		return nil, len(all), nil
	}
	return all[from:min(from+size, len(all))], len(all), nil
}

// sortByStart orders executions by StartedAt (ties by id); ones not started yet come last
// in both orders, as missing values do in Elasticsearch.
func sortByStart(list []*store.Execution, asc bool) {
	slices.SortStableFunc(list, func(a, b *store.Execution) int {
		switch {
		case a.StartedAt == nil || b.StartedAt == nil:
			return cmp.Compare(boolRank(a.StartedAt == nil), boolRank(b.StartedAt == nil))
		case asc:
			return cmp.Or(a.StartedAt.Compare(*b.StartedAt), cmp.Compare(a.ID, b.ID))
		}
		return cmp.Or(b.StartedAt.Compare(*a.StartedAt), cmp.Compare(b.ID, a.ID))
	})
}

// boolRank is 1 for true, 0 for false.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseTrackTotalHits reads trackTotalHits: -1 counts exactly, 0 leaves the total out,
// n > 0 counts up to n.
func parseTrackTotalHits(raw string) (int, error) {
	switch strings.TrimSpace(raw) {
	case "", "true":
		return -1, nil
	case "false":
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: trackTotalHits must be true, false or a non-negative number, got %q", errBadRequest, raw)
	}
	return n, nil
}

// totalOf is hits.total for total matches under trackTotalHits track.
func totalOf(total, track int) *searchTotal {
	switch {
	case track == 0:
		return nil
	case track > 0 && total > track:
		return &searchTotal{Value: track, Relation: "gte"}
	}
	return &searchTotal{Value: total, Relation: "eq"}
}
