package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func sales() []any {
	return []any{
		map[string]any{"region": "north", "product": "a", "amount": 10, "meta": map[string]any{"tier": "x"}},
		map[string]any{"region": "south", "product": "a", "amount": 30.5, "meta": map[string]any{"tier": "y"}},
		map[string]any{"region": "north", "product": "b", "amount": 5, "meta": map[string]any{"tier": "x"}},
		map[string]any{"region": "north", "product": "a", "amount": "n/a"},
		map[string]any{"region": 1, "product": "c", "amount": 100},
		map[string]any{"region": "1", "product": "c", "amount": 1},
	}
}

func TestDataAggregate(t *testing.T) {
	count := map[string]any{"name": "n", "operation": "count"}
	sum := map[string]any{"name": "total", "operation": "sum", "field": "amount"}
	tests := []struct {
		name    string
		with    map[string]any
		items   any
		want    any
		wantErr string
	}{
		{
			"group and metrics in first-seen order",
			map[string]any{"group_by": []any{"region"}, "metrics": []any{count, sum,
				map[string]any{"name": "avg", "operation": "avg", "field": "amount"},
				map[string]any{"name": "min", "operation": "min", "field": "amount"},
				map[string]any{"name": "max", "operation": "max", "field": "amount"}}},
			sales(),
			[]any{
				map[string]any{"region": "north", "n": 3, "total": 15.0, "avg": 7.5, "min": 5.0, "max": 10.0},
				map[string]any{"region": "south", "n": 1, "total": 30.5, "avg": 30.5, "min": 30.5, "max": 30.5},
				map[string]any{"region": 1, "n": 1, "total": 100.0, "avg": 100.0, "min": 100.0, "max": 100.0},
				map[string]any{"region": "1", "n": 1, "total": 1.0, "avg": 1.0, "min": 1.0, "max": 1.0},
			}, "",
		},
		{
			"two keys, order desc, limit",
			map[string]any{"group_by": []any{"region", "product"}, "metrics": []any{count}, "order_by": "n", "order": "desc", "limit": 2},
			sales(),
			[]any{
				map[string]any{"region": "north", "product": "a", "n": 2},
				map[string]any{"region": "south", "product": "a", "n": 1},
			}, "",
		},
		{
			"dotted group key and null group",
			map[string]any{"group_by": "meta.tier", "metrics": []any{count}, "order_by": "meta.tier"},
			sales(),
			[]any{
				map[string]any{"meta.tier": "x", "n": 2},
				map[string]any{"meta.tier": "y", "n": 1},
				map[string]any{"meta.tier": nil, "n": 3},
			}, "",
		},
		{
			"metric with no numbers is null",
			map[string]any{"group_by": []any{"product"}, "metrics": []any{map[string]any{"name": "s", "operation": "sum", "field": "missing"}}, "limit": 1},
			sales(),
			[]any{map[string]any{"product": "a", "s": nil}}, "",
		},
		{
			"buckets",
			map[string]any{"metrics": []any{count}, "buckets": map[string]any{"field": "amount", "ranges": []any{
				map[string]any{"to": 10, "label": "small"},
				map[string]any{"from": 10, "to": 50, "label": "medium"},
				map[string]any{"from": 50},
			}}, "order_by": "_bucket"},
			sales(),
			[]any{
				map[string]any{"_bucket": "50-*", "n": 1},
				map[string]any{"_bucket": "medium", "n": 2},
				map[string]any{"_bucket": "small", "n": 2},
			}, "",
		},
		{"empty items", map[string]any{"group_by": "a", "metrics": []any{count}}, []any{}, []any{}, ""},
		{"items not array", map[string]any{"group_by": "a", "metrics": []any{count}}, "x", nil, "items must be an array"},
		{"no group_by", map[string]any{"metrics": []any{count}}, sales(), nil, "group_by must name"},
		{"no metrics", map[string]any{"group_by": "a"}, sales(), nil, "metrics must be a non-empty list"},
		{"bad operation", map[string]any{"group_by": "a", "metrics": []any{map[string]any{"name": "m", "operation": "median"}}}, sales(), nil, "operation must be count"},
		{"sum without field", map[string]any{"group_by": "a", "metrics": []any{map[string]any{"name": "m", "operation": "sum"}}}, sales(), nil, "has no field"},
		{"bad order", map[string]any{"group_by": "a", "metrics": []any{count}, "order": "up"}, sales(), nil, "order must be"},
		{"bad buckets", map[string]any{"metrics": []any{count}, "buckets": map[string]any{"field": "a"}}, sales(), nil, "with.buckets must be"},
		{"bad bucket bound", map[string]any{"metrics": []any{count}, "buckets": map[string]any{"field": "a", "ranges": []any{map[string]any{"from": "x"}}}}, sales(), nil, "from must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.aggregate", input("data.aggregate", tt.with, map[string]any{"items": tt.items}))
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}
