package builtin

import (
	"fmt"

	"github.com/errand-dev/errand/internal/engine"
)

// metricOperations are the operations with.metrics accepts.
var metricOperations = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true}

// parseAggregation reads and checks the data.aggregate parameters from `with`.
func parseAggregation(t string, in engine.StepInput) (*aggregation, error) {
	a := &aggregation{}
	var err error
	if a.groupBy, err = stringList(t, "group_by", in.With["group_by"]); err != nil {
		return nil, err
	}
	if a.metrics, err = parseMetrics(t, in.With["metrics"]); err != nil {
		return nil, err
	}
	if b, ok := in.With["buckets"]; ok && b != nil {
		if err := a.parseBuckets(t, b); err != nil {
			return nil, err
		}
	}
	if len(a.groupBy) == 0 && a.buckets == nil {
		return nil, paramErrorf(t, "with.group_by must name at least one field (or set with.buckets)")
	}
	if v, ok := in.With["order_by"].(string); ok {
		a.orderBy = v
	}
	switch o := in.With["order"]; o {
	case nil, "asc":
	case "desc":
		a.desc = true
	default:
		return nil, paramErrorf(t, "with.order must be \"asc\" or \"desc\", got %s", describe(o))
	}
	if v, ok := in.With["limit"]; ok && v != nil {
		n, ok := toInt(v)
		if !ok || n < 0 {
			return nil, paramErrorf(t, "with.limit must be a whole number >= 0, got %s", describe(v))
		}
		a.limit = n
	}
	return a, nil
}

// stringList reads a string or an array of strings.
func stringList(t, key string, v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	list, ok := asList(v)
	if !ok {
		return nil, paramErrorf(t, "with.%s must be a field name or a list of field names, got %s", key, describe(v))
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok || s == "" {
			return nil, paramErrorf(t, "with.%s[%d] must be a field name, got %s", key, i, describe(e))
		}
		out = append(out, s)
	}
	return out, nil
}

// parseMetrics reads with.metrics: [{name, operation, field?}].
func parseMetrics(t string, v any) ([]metric, error) {
	list, ok := asList(v)
	if !ok || len(list) == 0 {
		return nil, paramErrorf(t, "with.metrics must be a non-empty list like [{name: total, operation: count}]")
	}
	out := make([]metric, 0, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, paramErrorf(t, "with.metrics[%d] must be an object {name, operation, field?}", i)
		}
		name, _ := m["name"].(string)
		op, _ := m["operation"].(string)
		field, _ := m["field"].(string)
		switch {
		case name == "":
			return nil, paramErrorf(t, "with.metrics[%d].name is required", i)
		case !metricOperations[op]:
			return nil, paramErrorf(t, "with.metrics[%d].operation must be count, sum, avg, min or max, got %s", i, describe(m["operation"]))
		case op != "count" && field == "":
			return nil, paramErrorf(t, "metric %q uses operation %q but has no field; only count works without one", name, op)
		}
		out = append(out, metric{name: name, operation: op, field: field})
	}
	return out, nil
}

// parseBuckets reads with.buckets: {field, ranges: [{from?, to?, label?}]}.
func (a *aggregation) parseBuckets(t string, v any) error {
	m, ok := v.(map[string]any)
	field, _ := m["field"].(string)
	ranges, rok := asList(m["ranges"])
	if !ok || field == "" || !rok || len(ranges) == 0 {
		return paramErrorf(t, "with.buckets must be {field, ranges: [{from?, to?, label?}, ...]} with at least one range")
	}
	a.bucketField = field
	a.buckets = make([]bucketRange, 0, len(ranges))
	for i, e := range ranges {
		r, ok := e.(map[string]any)
		if !ok {
			return paramErrorf(t, "with.buckets.ranges[%d] must be an object {from?, to?, label?}", i)
		}
		var br bucketRange
		if f, present := r["from"]; present && f != nil {
			if br.from, br.hasFrom = toNumber(f); !br.hasFrom {
				return paramErrorf(t, "with.buckets.ranges[%d].from must be a number", i)
			}
		}
		if f, present := r["to"]; present && f != nil {
			if br.to, br.hasTo = toNumber(f); !br.hasTo {
				return paramErrorf(t, "with.buckets.ranges[%d].to must be a number", i)
			}
		}
		br.label, _ = r["label"].(string)
		if br.label == "" {
			br.label = rangeLabel(br)
		}
		a.buckets = append(a.buckets, br)
	}
	return nil
}

// rangeLabel names an unlabeled range "from-to", with "*" for an open end.
func rangeLabel(r bucketRange) string {
	from, to := "*", "*"
	if r.hasFrom {
		from = fmt.Sprint(r.from)
	}
	if r.hasTo {
		to = fmt.Sprint(r.to)
	}
	return from + "-" + to
}
