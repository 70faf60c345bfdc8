package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDataConcat(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		wantErr string
	}{
		{"join", nil, map[string]any{"arrays": []any{[]any{1, 2}, []any{3}, nil, []any{}}}, []any{1, 2, 3}, ""},
		{"arrays in with", map[string]any{"arrays": []any{[]any{"a"}, []any{"b"}}}, nil, []any{"a", "b"}, ""},
		{"no flatten keeps nesting", nil, map[string]any{"arrays": []any{[]any{[]any{1}, 2}}}, []any{[]any{1}, 2}, ""},
		{"flatten true is one level", map[string]any{"flatten": true}, map[string]any{"arrays": []any{[]any{[]any{1, []any{2}}, 3}}}, []any{1, []any{2}, 3}, ""},
		{"flatten depth 2", map[string]any{"flatten": 2}, map[string]any{"arrays": []any{[]any{[]any{1, []any{2}}, 3}}}, []any{1, 2, 3}, ""},
		{"dedupe by value", map[string]any{"dedupe": true}, map[string]any{"arrays": []any{
			[]any{1, "1", map[string]any{"a": 1, "b": 2}},
			[]any{1.0, map[string]any{"b": 2, "a": 1}, "2"},
		}}, []any{1, "1", map[string]any{"a": 1, "b": 2}, "2"}, ""},
		{"empty arrays", nil, map[string]any{"arrays": []any{}}, nil, "non-empty list"},
		{"not a list", nil, map[string]any{"arrays": "x"}, nil, "non-empty list"},
		{"entry not array", nil, map[string]any{"arrays": []any{[]any{1}, "x"}}, nil, "arrays[1] must be an array"},
		{"bad flatten", map[string]any{"flatten": 11}, map[string]any{"arrays": []any{[]any{1}}}, nil, "flatten must be"},
		{"too many arrays", nil, map[string]any{"arrays": make([]any, 51)}, nil, "limit is 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.concat", input("data.concat", tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDataConcatItemLimit(t *testing.T) {
	big := make([]any, maxConcatItems)
	_, err := run(t, "data.concat", input("data.concat", nil, map[string]any{"arrays": []any{big, []any{1}}}))
	requireStepError(t, err, errTypeInvalidParams, "exceeds")
}

func TestDataDedupe(t *testing.T) {
	rows := []any{
		map[string]any{"id": 1, "email": "a@x", "v": "first"},
		map[string]any{"id": 2, "email": "b@x", "v": "second"},
		map[string]any{"id": 3, "email": "a@x", "v": "third"},
		map[string]any{"id": 4, "email": "A@x", "v": "fourth"},
	}
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		wantErr string
	}{
		{"keep_first default", map[string]any{"keys": []any{"email"}}, map[string]any{"items": rows}, []any{rows[0], rows[1], rows[3]}, ""},
		{"keep_last keeps position", map[string]any{"keys": []any{"email"}}, map[string]any{"items": rows, "strategy": "keep_last"}, []any{rows[2], rows[1], rows[3]}, ""},
		{"two keys", map[string]any{"keys": []any{"email", "v"}}, map[string]any{"items": rows}, rows, ""},
		{"whole values", nil, map[string]any{"items": []any{1, "1", 1, nil, nil}}, []any{1, "1", nil}, ""},
		{"items in with", map[string]any{"items": []any{"a", "a"}}, nil, []any{"a"}, ""},
		{"bad strategy", map[string]any{"keys": []any{"id"}}, map[string]any{"items": rows, "strategy": "newest"}, nil, "keep_first or keep_last"},
		{"bad keys", map[string]any{"keys": 5}, map[string]any{"items": rows}, nil, "with.keys must be"},
		{"not array", nil, map[string]any{"items": "x"}, nil, "items must be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.dedupe", input("data.dedupe", tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}
