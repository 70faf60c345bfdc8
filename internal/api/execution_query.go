package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// executionQuery is the subset of the Elasticsearch query DSL that GET
// /api/workflows/executions understands, reduced to filters on executions. Supported:
//   - match_all;
//   - term and terms on status, workflowId, executedBy, triggeredBy and isTestRun (a
//     ".keyword" suffix is accepted; term takes a value or {"value": v});
//   - range on startedAt with gte, gt, lte and lt (RFC 3339 strings, dates, or epoch
//     milliseconds);
//   - bool with filter and must (an object or an array), nested freely.
//
// Every clause is a conjunction: two terms on one field keep their common values. Anything
// else (should, must_not, match, date math such as "now-1d"...) is refused with the clause
// named, rather than silently ignored.
type executionQuery struct {
	// fields maps a term field to the values it may take; a field that is absent takes any.
	fields map[string][]string
	// from and to bound startedAt; fromIncl and toIncl say whether the bound is included.
	from, to         *time.Time
	fromIncl, toIncl bool
}

// termFields are the fields term and terms accept.
var termFields = []string{"status", "workflowId", "executedBy", "triggeredBy", "isTestRun"}

// parseExecutionQuery parses the query parameter (empty: match everything).
func parseExecutionQuery(raw string) (*executionQuery, error) {
	q := &executionQuery{fields: map[string][]string{}}
	if strings.TrimSpace(raw) == "" {
		return q, nil
	}
	var clause map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &clause); err != nil {
		return nil, fmt.Errorf("%w: query is not a JSON object: %w", errBadRequest, err)
	}
	if err := q.add(clause); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return q, nil
}

// add merges one query clause ({"<kind>": body}) into q.
func (q *executionQuery) add(clause map[string]json.RawMessage) error {
	if len(clause) != 1 {
		return fmt.Errorf("a query clause has exactly one key, got %d", len(clause))
	}
	for kind, body := range clause {
		switch kind {
		case "match_all":
			return nil
		case "bool":
			return q.addBool(body)
		case "term", "terms":
			return q.addTerm(kind, body)
		case "range":
			return q.addRange(body)
		default:
			return fmt.Errorf("unsupported query clause %q (supported: match_all, term, terms, range, bool.filter, bool.must)", kind)
		}
	}
	return nil
}

// addBool merges the filter and must clauses of a bool query.
func (q *executionQuery) addBool(body json.RawMessage) error {
	var b map[string]json.RawMessage
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("parsing bool: %w", err)
	}
	for key, raw := range b {
		if key != "filter" && key != "must" {
			return fmt.Errorf("unsupported query clause \"bool.%s\" (supported: bool.filter, bool.must)", key)
		}
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			var one map[string]json.RawMessage
			if err := json.Unmarshal(raw, &one); err != nil {
				return fmt.Errorf("parsing bool.%s: %w", key, err)
			}
			list = append(list, one)
		}
		for _, c := range list {
			if err := q.add(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// addTerm merges a term or terms clause.
func (q *executionQuery) addTerm(kind string, body json.RawMessage) error {
	var t map[string]json.RawMessage
	if err := json.Unmarshal(body, &t); err != nil || len(t) != 1 {
		return fmt.Errorf("%s takes one field: {\"%s\": {\"status\": ...}}", kind, kind)
	}
	for field, raw := range t {
		name := strings.TrimSuffix(field, ".keyword")
		if !slices.Contains(termFields, name) {
			return fmt.Errorf("unsupported field %q in %s (supported: %s)", field, kind, strings.Join(termFields, ", "))
		}
		vals, err := termValues(kind, raw)
		if err != nil {
			return fmt.Errorf("parsing %s on %s: %w", kind, field, err)
		}
		if cur, ok := q.fields[name]; ok {
			vals = slices.DeleteFunc(vals, func(v string) bool { return !slices.Contains(cur, v) })
		}
		q.fields[name] = vals
	}
	return nil
}

// termValues reads the values of a term ({"value": v} or v) or terms ([v...]) clause.
func termValues(kind string, raw json.RawMessage) ([]string, error) {
	var list []any
	if kind == "terms" {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("terms takes an array of values: %w", err)
		}
	} else {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return nil, fmt.Errorf("a value must be a string, a number or a boolean, got %v", v)
		}
	}
	return out, nil
}

// addRange merges a range clause on startedAt.
func (q *executionQuery) addRange(body json.RawMessage) error {
	var r map[string]map[string]any
	if err := json.Unmarshal(body, &r); err != nil || len(r) != 1 {
		return fmt.Errorf("range takes one field: {\"range\": {\"startedAt\": {\"gte\": ...}}}")
	}
	for field, bounds := range r {
		if field != "startedAt" {
			return fmt.Errorf("unsupported field %q in range (supported: startedAt)", field)
		}
		for op, v := range bounds {
			t, err := rangeTime(v)
			if err != nil {
				return fmt.Errorf("parsing range startedAt.%s: %w", op, err)
			}
			if err := q.bound(op, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// bound tightens the startedAt range with one bound.
func (q *executionQuery) bound(op string, t time.Time) error {
	switch op {
	case "gte", "gt":
		incl := op == "gte"
		if q.from == nil || t.After(*q.from) || t.Equal(*q.from) && !incl {
			q.from, q.fromIncl = &t, incl
		}
	case "lte", "lt":
		incl := op == "lte"
		if q.to == nil || t.Before(*q.to) || t.Equal(*q.to) && !incl {
			q.to, q.toIncl = &t, incl
		}
	default:
		return fmt.Errorf("unsupported range option %q (supported: gte, gt, lte, lt)", op)
	}
	return nil
}

// rangeTime reads a range bound: an RFC 3339 time, a date, or epoch milliseconds.
func rangeTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case float64:
		sec, frac := math.Modf(x / 1000)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time, a date or epoch milliseconds (date math is not supported)", x)
	}
	return time.Time{}, fmt.Errorf("%v is not a time", v)
}

// matchesNothing reports whether a field was narrowed to no value at all.
func (q *executionQuery) matchesNothing() bool {
	for _, vals := range q.fields {
		if len(vals) == 0 {
			return true
		}
	}
	return false
}

// storeParams are the store filters that select a superset of the matches; exact reports
// that they select the matches exactly (no filtering left to do in memory).
func (q *executionQuery) storeParams() (p store.ExecutionListParams, exact bool) {
	_, byTrigger := q.fields["triggeredBy"]
	exact = !byTrigger
	p.Statuses = q.fields["status"]
	single := func(field string) string {
		vals, ok := q.fields[field]
		if !ok {
			return ""
		}
		if len(vals) != 1 {
			exact = false
			return ""
		}
		return vals[0]
	}
	p.WorkflowID, p.ExecutedBy = single("workflowId"), single("executedBy")
	if v := single("isTestRun"); v != "" {
		b := v == "true"
		p.TestRun = &b
		exact = exact && (v == "true" || v == "false")
	}
	p.StartedAfter = q.from
	exact = exact && (q.from == nil || q.fromIncl)
	if q.to != nil && !q.toIncl {
		p.StartedBefore = q.to
	} else if q.to != nil {
		exact = false
	}
	return p, exact
}

// matches reports whether ex satisfies every filter of q.
func (q *executionQuery) matches(ex *store.Execution) bool {
	got := map[string]string{"status": ex.Status, "workflowId": ex.WorkflowID, "executedBy": ex.ExecutedBy,
		"triggeredBy": ex.TriggeredBy, "isTestRun": strconv.FormatBool(ex.IsTestRun)}
	for _, field := range slices.Sorted(maps.Keys(q.fields)) {
		if !slices.Contains(q.fields[field], got[field]) {
			return false
		}
	}
	if q.from == nil && q.to == nil {
		return true
	}
	if ex.StartedAt == nil {
		return false
	}
	t := *ex.StartedAt
	if q.from != nil && (t.Before(*q.from) || t.Equal(*q.from) && !q.fromIncl) {
		return false
	}
	return q.to == nil || t.Before(*q.to) || t.Equal(*q.to) && q.toIncl
}

// parseExecutionSort reads the sort parameter: "startedAt", "startedAt:asc",
// {"startedAt": "asc"}, {"startedAt": {"order": "asc"}} or an array of one of them.
// sorted is false when no sort was given (newest created first).
func parseExecutionSort(raw string) (sorted, asc bool, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return false, false, nil
	}
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		v = raw // the URI form: startedAt:desc
	}
	if list, ok := v.([]any); ok {
		if len(list) != 1 {
			return false, false, fmt.Errorf("%w: sort takes one field (startedAt), got %d", errBadRequest, len(list))
		}
		v = list[0]
	}
	field, order := "", "desc"
	switch x := v.(type) {
	case string:
		f, o, ok := strings.Cut(x, ":")
		field = f
		if ok {
			order = o
		}
	case map[string]any:
		if len(x) != 1 {
			return false, false, fmt.Errorf("%w: sort takes one field (startedAt): %s", errBadRequest, raw)
		}
		for f, o := range x {
			field = f
			if m, ok := o.(map[string]any); ok {
				o = m["order"]
			}
			order, _ = o.(string)
		}
	}
	if field != "startedAt" {
		return false, false, fmt.Errorf("%w: unsupported sort %s (supported: startedAt asc or desc)", errBadRequest, raw)
	}
	if order != "asc" && order != "desc" {
		return false, false, fmt.Errorf("%w: unsupported sort order %q (asc or desc)", errBadRequest, order)
	}
	return true, order == "asc", nil
}
