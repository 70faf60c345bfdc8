package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func people() []any {
	return []any{
		map[string]any{"name": "ann", "age": 31, "team": "red"},
		map[string]any{"name": "bob", "age": 17, "team": "blue"},
		map[string]any{"name": "cyd", "age": 45, "team": "red"},
	}
}

func TestDataFilter(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		wantErr string
	}{
		{"kql", map[string]any{"condition": "item.team: red"}, map[string]any{"items": people()}, []any{people()[0], people()[2]}, ""},
		{"range and index", map[string]any{"condition": "item.age > 20 and index > 0"}, map[string]any{"items": people()}, []any{people()[2]}, ""},
		{"uses step context", map[string]any{"condition": "item.age < 20 or consts.min: 2"}, map[string]any{"items": people()}, people(), ""},
		{"template in condition", map[string]any{"condition": "item.name: {{ consts.prefix }}*"}, map[string]any{"items": []any{map[string]any{"name": "P-1"}, map[string]any{"name": "Q-2"}}}, []any{map[string]any{"name": "P-1"}}, ""},
		{"liquid filter in condition", map[string]any{"condition": "item.name: {{ consts.prefix | downcase | upcase }}*"}, map[string]any{"items": []any{map[string]any{"name": "P-1"}, map[string]any{"name": "p-2"}}}, []any{map[string]any{"name": "P-1"}}, ""},
		{"limit", map[string]any{"condition": "item.age > 1", "limit": 2}, map[string]any{"items": people()}, []any{people()[0], people()[1]}, ""},
		{"limit as string", map[string]any{"condition": "item.age > 1", "limit": "1"}, map[string]any{"items": people()}, []any{people()[0]}, ""},
		{"no match", map[string]any{"condition": "item.team: green"}, map[string]any{"items": people()}, []any{}, ""},
		{"empty condition keeps all", map[string]any{"condition": " "}, map[string]any{"items": people()}, people(), ""},
		{"items in with rendered", map[string]any{"items": "${{ consts.list }}", "condition": "item: b"}, nil, []any{"b"}, ""},
		{"boolean condition", map[string]any{"condition": false}, map[string]any{"items": people()}, []any{}, ""},
		{"detailed", map[string]any{"condition": "item.team: blue"}, map[string]any{"items": people(), "detailed": true}, map[string]any{"items": []any{people()[1]}, "metadata": map[string]any{"inputCount": 3, "matchedCount": 1}}, ""},
		{"items not array", map[string]any{"condition": "a: b"}, map[string]any{"items": "x"}, nil, "items must be an array"},
		{"items missing", map[string]any{"condition": "a: b"}, nil, nil, "items is required"},
		{"bad limit", map[string]any{"condition": "a: b", "limit": -1}, map[string]any{"items": people()}, nil, "limit must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("data.filter", tt.with, tt.extra)
			in.Context["consts"].(map[string]any)["list"] = []any{"a", "b"}
			out, err := run(t, "data.filter", in)
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDataFilterSyntaxError(t *testing.T) {
	_, err := run(t, "data.filter", input("data.filter", map[string]any{"condition": "item.a = 1"}, map[string]any{"items": people()}))
	requireStepError(t, err, errTypeRender, "evaluating element 0")
	require.Contains(t, err.Error(), "column")
}

func TestDataFind(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		errType string
		wantErr string
	}{
		{"first match", map[string]any{"condition": "item.team: red and item.age > 40"}, map[string]any{"items": people()}, map[string]any{"item": people()[2], "index": 2}, "", ""},
		{"first of several", map[string]any{"condition": "item.team: red"}, map[string]any{"items": people()}, map[string]any{"item": people()[0], "index": 0}, "", ""},
		{"none is null", map[string]any{"condition": "item.team: green"}, map[string]any{"items": people()}, nil, "", ""},
		{"empty condition first", map[string]any{}, map[string]any{"items": people()}, map[string]any{"item": people()[0], "index": 0}, "", ""},
		{"errorIfEmpty", map[string]any{"condition": "item.team: green", "errorIfEmpty": true}, map[string]any{"items": people()}, nil, errTypeNotFound, "no element of items matches"},
		{"errorIfEmpty on empty items", map[string]any{"condition": "item: x", "errorIfEmpty": "true"}, map[string]any{"items": []any{}}, nil, errTypeNotFound, "errorIfEmpty: false"},
		{"errorIfEmpty false", map[string]any{"condition": "item: x", "errorIfEmpty": false}, map[string]any{"items": []any{}}, nil, "", ""},
		{"bad errorIfEmpty", map[string]any{"condition": "item: x", "errorIfEmpty": 3}, map[string]any{"items": []any{}}, nil, errTypeInvalidParams, "errorIfEmpty must be true or false"},
		{"not array", map[string]any{"condition": "item: x"}, map[string]any{"items": map[string]any{}}, nil, errTypeInvalidParams, "items must be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.find", input("data.find", tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, tt.errType, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}
