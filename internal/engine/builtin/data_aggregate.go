package builtin

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
)

// maxAggregateItems caps the elements data.aggregate accepts.
const maxAggregateItems = 100_000

// metric is one entry of with.metrics.
type metric struct {
	name, operation, field string
}

// bucketRange is one entry of with.buckets.ranges: from is inclusive, to exclusive.
type bucketRange struct {
	from, to       float64
	hasFrom, hasTo bool
	label          string
}

// aggregation is a parsed data.aggregate configuration.
type aggregation struct {
	groupBy     []string
	metrics     []metric
	bucketField string
	buckets     []bucketRange
	orderBy     string
	desc        bool
	limit       int
}

// runDataAggregate is `data.aggregate`: it groups `items` by with.group_by (and by bucket
// when with.buckets is set; elements outside every range are left out) and computes the
// metrics of each group. Output: one object per group with the group_by values, `_bucket`
// when bucketing, and one key per metric; ordered by order_by (asc by default), at most
// limit groups.
func runDataAggregate(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.aggregate"
	items, present := param(in, "items")
	list, ok := asList(items)
	if !present || !ok {
		return nil, paramErrorf(t, "items must be an array, got %s", describe(items))
	}
	if len(list) > maxAggregateItems {
		return nil, paramErrorf(t, "items has %d elements; the limit is %d", len(list), maxAggregateItems)
	}
	agg, err := parseAggregation(t, in)
	if err != nil {
		return nil, err
	}
	keys := agg.groupBy
	if agg.buckets != nil {
		keys = append(slices.Clone(keys), "_bucket")
	}
	var order []string
	groups := map[string][]any{}
	firsts := map[string]map[string]any{}
	for i, item := range list {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		values := agg.keyValues(item)
		if agg.buckets != nil {
			label, ok := agg.bucketOf(item)
			if !ok {
				continue
			}
			values["_bucket"] = label
		}
		k := groupKey(values, keys)
		if _, seen := groups[k]; !seen {
			order = append(order, k)
			firsts[k] = values
		}
		groups[k] = append(groups[k], item)
	}
	results := make([]map[string]any, 0, len(order))
	for _, k := range order {
		rec := firsts[k]
		for _, m := range agg.metrics {
			rec[m.name] = computeMetric(groups[k], m)
		}
		results = append(results, rec)
	}
	return agg.finish(results), nil
}

// keyValues reads the group_by fields (dotted paths) of item; missing values are null.
func (a *aggregation) keyValues(item any) map[string]any {
	out := make(map[string]any, len(a.groupBy)+1)
	for _, f := range a.groupBy {
		out[f] = fieldValue(item, f)
	}
	return out
}

// bucketOf returns the label of the first range that holds item's bucket field.
func (a *aggregation) bucketOf(item any) (string, bool) {
	n, ok := toNumber(fieldValue(item, a.bucketField))
	if !ok {
		return "", false
	}
	for _, r := range a.buckets {
		if (!r.hasFrom || n >= r.from) && (!r.hasTo || n < r.to) {
			return r.label, true
		}
	}
	return "", false
}

// finish orders and limits the groups.
func (a *aggregation) finish(results []map[string]any) []any {
	if a.orderBy != "" {
		slices.SortStableFunc(results, func(x, y map[string]any) int {
			c := compareValues(x[a.orderBy], y[a.orderBy])
			if a.desc && x[a.orderBy] != nil && y[a.orderBy] != nil {
				return -c
			}
			return c
		})
	}
	if a.limit > 0 && a.limit < len(results) {
		results = results[:a.limit]
	}
	out := make([]any, len(results))
	for i, r := range results {
		out[i] = r
	}
	return out
}

// compareValues orders numbers numerically and anything else by its string form; null
// sorts last.
func compareValues(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	a, aok := toNumber(x)
	b, bok := toNumber(y)
	if aok && bok {
		return cmp.Compare(a, b)
	}
	return strings.Compare(stringify(x), stringify(y))
}

// computeMetric computes one metric over a group; numeric operations skip non-numbers and
// are null when no number is left.
func computeMetric(items []any, m metric) any {
	if m.operation == "count" {
		return len(items)
	}
	var nums []float64
	for _, item := range items {
		if n, ok := toNumber(fieldValue(item, m.field)); ok {
			nums = append(nums, n)
		}
	}
	if len(nums) == 0 {
		return nil
	}
	switch m.operation {
	case "sum", "avg":
		var s float64
		for _, n := range nums {
			s += n
		}
		if m.operation == "avg" {
			return s / float64(len(nums))
		}
		return s
	case "min":
		return slices.Min(nums)
	case "max":
		return slices.Max(nums)
	}
	return nil
}

// fieldValue resolves a dotted path inside an object; anything missing is nil.
func fieldValue(item any, path string) any {
	cur := item
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[seg]
	}
	return cur
}

// groupKey is a composite key of the group values, JSON-encoded and joined, so that the
// string "1" and the number 1 fall in different groups.
func groupKey(values map[string]any, keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = jsonKey(values[k])
	}
	return strings.Join(parts, "::")
}
