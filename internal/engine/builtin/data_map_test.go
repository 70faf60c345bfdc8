package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDataMap(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		wantErr string
	}{
		{
			"fields per item",
			map[string]any{"fields": map[string]any{"label": "{{ consts.prefix }}{{ item.name }}", "pos": "${{ index }}", "age": "${{ item.age }}", "fixed": 7}},
			map[string]any{"items": people()[:2]},
			[]any{
				map[string]any{"label": "P-ann", "pos": 0, "age": 31, "fixed": 7},
				map[string]any{"label": "P-bob", "pos": 1, "age": 17, "fixed": 7},
			}, "",
		},
		{
			"object items gives object",
			map[string]any{"fields": map[string]any{"n": "{{ item.name }}"}},
			map[string]any{"items": map[string]any{"name": "zed"}},
			map[string]any{"n": "zed"}, "",
		},
		{
			"literal nesting",
			map[string]any{"fields": map[string]any{"who": map[string]any{"name": "{{ item.name }}", "team": "{{ item.team }}"}}},
			map[string]any{"items": people()[:1]},
			[]any{map[string]any{"who": map[string]any{"name": "ann", "team": "red"}}}, "",
		},
		{
			"$map directive",
			map[string]any{"fields": map[string]any{"id": "{{ item.id }}", "tags": map[string]any{"$map": map[string]any{"items": "item.tags", "item": "tag", "index": "i"}, "t": "{{ item.id }}:{{ tag }}:{{ i }}"}}},
			map[string]any{"items": []any{map[string]any{"id": "a", "tags": []any{"x", "y"}}, map[string]any{"id": "b"}}},
			[]any{
				map[string]any{"id": "a", "tags": []any{map[string]any{"t": "a:x:0"}, map[string]any{"t": "a:y:1"}}},
				map[string]any{"id": "b", "tags": nil},
			}, "",
		},
		{"empty items", map[string]any{"fields": map[string]any{"a": "b"}}, map[string]any{"items": []any{}}, []any{}, ""},
		{"items in with", map[string]any{"items": "${{ consts.rows }}", "fields": map[string]any{"v": "{{ item }}"}}, nil, []any{map[string]any{"v": "r1"}}, ""},
		{"no fields", map[string]any{}, map[string]any{"items": people()}, nil, "with.fields must be an object"},
		{"null items", map[string]any{"fields": map[string]any{"a": "b"}}, map[string]any{"items": nil}, nil, "items is required"},
		{"scalar items", map[string]any{"fields": map[string]any{"a": "b"}}, map[string]any{"items": 3}, nil, "must be an array or an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("data.map", tt.with, tt.extra)
			in.Context["consts"].(map[string]any)["rows"] = []any{"r1"}
			out, err := run(t, "data.map", in)
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDataMapRenderError(t *testing.T) {
	in := input("data.map", map[string]any{"fields": map[string]any{"a": "{% if item %}unclosed"}}, map[string]any{"items": []any{"x"}})
	_, err := run(t, "data.map", in)
	requireStepError(t, err, errTypeRender, "evaluating element 0")
}
