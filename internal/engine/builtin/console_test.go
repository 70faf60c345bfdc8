package builtin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConsole(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		want    any
		wantLog string
		wantErr string
	}{
		{"string", map[string]any{"message": "hello"}, "hello", "Log from step s1: hello", ""},
		{"number", map[string]any{"message": 42}, 42, "Log from step s1: 42", ""},
		{"object as JSON", map[string]any{"message": map[string]any{"a": []any{1, "<b>"}}}, map[string]any{"a": []any{1, "<b>"}}, `Log from step s1: {"a":[1,"<b>"]}`, ""},
		{"null", map[string]any{"message": nil}, nil, "Log from step s1: null", ""},
		{"missing", map[string]any{}, nil, "", "with.message is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input("console", tt.with, nil)
			out, err := run(t, "console", in)
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
			lines := in.Log.(*recordLogger).lines
			require.Equal(t, []logLine{{"info", tt.wantLog}}, lines)
		})
	}
}

func TestDataSet(t *testing.T) {
	tests := []struct {
		name string
		with map[string]any
		want any
	}{
		{"values", map[string]any{"a": 1, "b": []any{}, "c": map[string]any{"d": "x"}}, map[string]any{"a": 1, "b": []any{}, "c": map[string]any{"d": "x"}}},
		{"empty", nil, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.set", input("data.set", tt.with, nil))
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDataSetReturnsCopy(t *testing.T) {
	with := map[string]any{"a": 1}
	out, err := run(t, "data.set", input("data.set", with, nil))
	require.NoError(t, err)
	out.(map[string]any)["a"] = 2
	require.Equal(t, 1, with["a"])
}

func TestDataJSON(t *testing.T) {
	tests := []struct {
		name     string
		stepType string
		with     map[string]any
		extra    map[string]any
		want     any
		wantErr  string
	}{
		{"parse object", "data.parseJson", nil, map[string]any{"source": `{"a":[1,2],"b":null}`}, map[string]any{"a": []any{1.0, 2.0}, "b": nil}, ""},
		{"parse scalar", "data.parseJson", nil, map[string]any{"source": ` "x" `}, "x", ""},
		{"parse source in with", "data.parseJson", map[string]any{"source": `[true]`}, nil, []any{true}, ""},
		{"parse already parsed", "data.parseJson", nil, map[string]any{"source": map[string]any{"a": 1}}, map[string]any{"a": 1}, ""},
		{"parse invalid", "data.parseJson", nil, map[string]any{"source": `{"a":`}, nil, "not valid JSON"},
		{"parse trailing", "data.parseJson", nil, map[string]any{"source": `{} {}`}, nil, "after the JSON value"},
		{"parse number source", "data.parseJson", nil, map[string]any{"source": 5}, nil, "must be a JSON string"},
		{"parse missing", "data.parseJson", nil, nil, nil, "source is required"},
		{"stringify compact", "data.stringifyJson", nil, map[string]any{"source": map[string]any{"b": 1, "a": "<&>"}}, `{"a":"<&>","b":1}`, ""},
		{"stringify pretty", "data.stringifyJson", map[string]any{"pretty": true}, map[string]any{"source": map[string]any{"a": []any{1}}}, "{\n  \"a\": [\n    1\n  ]\n}", ""},
		{"stringify string", "data.stringifyJson", nil, map[string]any{"source": "x"}, `"x"`, ""},
		{"stringify null", "data.stringifyJson", nil, map[string]any{"source": nil}, `null`, ""},
		{"stringify bad pretty", "data.stringifyJson", map[string]any{"pretty": 3}, map[string]any{"source": 1}, nil, "pretty must be true or false"},
		{"stringify missing", "data.stringifyJson", nil, nil, nil, "source is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, tt.stepType, input(tt.stepType, tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}
