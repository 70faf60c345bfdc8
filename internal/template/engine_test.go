package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRender(t *testing.T) {
	when := time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)
	data := map[string]any{
		"event": map[string]any{"name": "cpu", "tags": []string{"a", "b"}, "host": map[string]string{"name": "web-1"}},
		"steps": map[string]any{"fetch-rss": map[string]any{"output": map[string]any{"items": []any{1, 2.5, int64(3)}}}},
		"n":     json.Number("42"), "f32": float32(1.5), "u": uint64(7), "ok": true, "none": nil,
		"when": when, "obj": map[string]any{"b": 2, "a": 1},
		"raw": `{"z":1,"a":[1,2]}`,
	}
	tests := []struct{ name, tmpl, want string }{
		{"interpolation", "{{ event.name }} on {{ event.host.name | upcase }}", "cpu on WEB-1"},
		{"bracket with dash", `{{ steps["fetch-rss"].output.items[-1] }}`, "3"},
		{"array as json", "{{ event.tags }}", `["a","b"]`},
		{"object as json sorted", "{{ obj }}", `{"a":1,"b":2}`},
		{"time as iso", "{{ when }}", "2025-01-15T09:00:00.000Z"},
		{"numbers", "{{ n }} {{ f32 }} {{ u }} {{ 10 | divided_by: 4 }} {{ 9 | divided_by: 3 }}", "42 1.5 7 2.5 3"},
		{"bool and nil", "{{ ok }}|{{ none }}|{{ missing.deep }}", "true||"},
		{"size first last", "{{ event.tags.size }}{{ event.tags.first }}{{ event.tags.last }}", "2ab"},
		{"join default", "{{ event.tags | join: ', ' }}|{{ nothing | default: 0 }}", "a, b|0"},
		{"for over map sorted", "{% for kv in obj %}{{ kv[0] }}={{ kv[1] }};{% endfor %}", "a=1;b=2;"},
		{"entries", "{% for e in obj | entries %}{% endfor %}{% assign es = obj | entries %}{% for e in es %}{{ e.key }}{{ e[1] }}{% endfor %}", "a1b2"},
		{"entries json", "{{ obj | entries }}", `[{"key":"a","value":1},{"key":"b","value":2}]`},
		{"json_parse keeps order", "{{ raw | json_parse }}", `{"z":1,"a":[1,2]}`},
		{"json_parse access", "{% assign p = raw | json_parse %}{{ p.a[1] }} {{ 5 | json_parse }} {{ 'x{' | json_parse }}", "2 5 x{"},
		{"pick", `{{ event | pick: "name", "host.name", "nope" }}`, `{"name":"cpu","host":{"name":"web-1"}}`},
		{"whitespace control", "a  {%- if true -%}  b  {%- endif -%}  c {{- ' d ' -}} e", "abc d e"},
		{"liquid tag", "{% liquid\nassign x = 2 | plus: 3\necho x\n%}", "5"},
		{"case", "{% case event.name %}{% when 'mem' %}m{% when 'cpu', 'x' %}c{% else %}e{% endcase %}", "c"},
		{"for limit offset reversed", "{% for i in (1..5) limit: 3 offset: 1 reversed %}{{ i }}{% endfor %}", "432"},
		{"forloop", "{% for t in event.tags %}{{ forloop.index }}/{{ forloop.length }}{% unless forloop.last %},{% endunless %}{% endfor %}", "1/2,2/2"},
		{"capture", "{% capture c %}[{{ event.name }}]{% endcapture %}{{ c }}", "[cpu]"},
		{"raw", "{% raw %}{{ x }}{% endraw %}", "{{ x }}"},
		{"blank empty", "{% if none == blank and event.tags != empty %}y{% endif %}", "y"},
		{"and or right assoc", "{% if true and false and false or true %}x{% else %}y{% endif %}", "y"},
		{"date filter", "{{ when | date: '%Y-%m-%d %H:%M' }}", "2025-01-15 09:00"},
		{"json filter", "{{ event.tags | json }}", `["a","b"]`},
		{"cycle increment", "{% cycle 'a','b' %}{% cycle 'a','b' %}{% increment c %}{% increment c %}", "ab01"},
		{"comment", "a{% comment %}{{ x }}{% endcomment %}{% # note %}b", "ab"},
		{"break continue", "{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", "13"},
	}
	e := New(DefaultLimits())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Render(tt.tmpl, data)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name, tmpl, contains string
		line, col            int
	}{
		{"unknown filter", "x\n  {{ a | nope }}", "undefined filter: nope", 2, 10},
		{"include", "{% include 'x' %}", `Template contains unsupported tags. tag "include"`, 1, 1},
		{"render", "ab{% render 'x' %}", `unsupported tags. tag "render"`, 1, 3},
		{"tablerow", "{% tablerow i in x %}{% endtablerow %}", `"tablerow"`, 1, 1},
		{"unknown tag", "{% nosuch %}", `tag "nosuch" not found`, 1, 1},
		{"unclosed if", "{% if a %}", "not closed", 1, 1},
		{"unclosed output", "{{ a", "not closed", 1, 1},
		{"bad operator", "{{ 1 + 2 }}", "invalid value expression", 1, 6},
		{"append arity", "{{ 'a' | append }}", "append expect 2 arguments", 1, 10},
	}
	e := New(DefaultLimits())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Render(tt.tmpl, nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.contains)
			var te *Error
			require.True(t, errors.As(err, &te))
			require.Equal(t, tt.line, te.Line)
			require.Equal(t, tt.col, te.Col)
		})
	}
}

func TestLimits(t *testing.T) {
	e := New(DefaultLimits())
	_, err := e.Render("{% for i in (1..100000000) %}{% endfor %}", nil)
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "memory limit")

	_, err = e.Render("{% for i in (1..3000) %}{% for j in (1..3000) %}x{% endfor %}{% endfor %}", nil)
	require.ErrorIs(t, err, ErrLimit)

	_, err = e.RenderWithLimits("{{ 'abcdef' }}", nil, Limits{OutputLimit: 3})
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "outputLimit 3")

	_, err = e.RenderWithLimits(strings.Repeat("a", 11), nil, Limits{ParseLimit: 10})
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "parseLimit 10")

	_, err = e.RenderWithLimits("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}", nil, Limits{MemoryLimit: 1 << 20})
	require.Error(t, err)

	_, err = e.RenderWithLimits("{% for i in (1..900000) %}{% for j in (1..1) %}{% endfor %}{% endfor %}", nil, Limits{RenderLimit: time.Millisecond, MemoryLimit: 1 << 40})
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "render limit")
}

func TestEval(t *testing.T) {
	e := New(DefaultLimits())
	data := map[string]any{"steps": map[string]any{"a": map[string]any{"output": []any{1.0, 2.0, 3.0}}}, "s": `{"k":[1]}`}
	tests := []struct {
		expr string
		want any
	}{
		{"steps.a.output | size", 3.0},
		{"steps.a.output", []any{1.0, 2.0, 3.0}},
		{"steps.a.output.first > 0", true},
		{"missing", nil},
		{"s | json_parse", map[string]any{"k": []any{1.0}}},
		{"'x' | upcase", "X"},
	}
	for _, tt := range tests {
		got, err := e.Eval(tt.expr, data)
		require.NoError(t, err, tt.expr)
		require.Equal(t, tt.want, got, tt.expr)
	}
	_, err := e.Eval("a b", data)
	require.Error(t, err)
}

func TestRenderValue(t *testing.T) {
	e := New(DefaultLimits())
	data := map[string]any{"inputs": map[string]any{"tags": []any{"a"}, "n": 3.0, "name": "x"}}
	in := map[string]any{
		"{{ key }}": "Hello {{ inputs.name }}",
		"tags":      "${{ inputs.tags }}",
		"list":      []any{"${{ inputs.n }}", 5, true, nil},
		"plain":     "no template",
	}
	got, err := e.RenderValue(in, data)
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"{{ key }}": "Hello x",
		"tags":      []any{"a"},
		"list":      []any{3.0, 5, true, nil},
		"plain":     "no template",
	}, got)

	_, err = e.RenderValue("${{ a }}-${{ b }}", data)
	require.ErrorIs(t, err, ErrInvalidExpression)
	require.Contains(t, err.Error(), "The provided expression is invalid. Got: ${{ a }}-${{ b }}")

	require.True(t, IsExpression("${{ a | size }}"))
	require.False(t, IsExpression(" ${{ a }}"))
	require.False(t, IsExpression("${{ a }}-${{ b }}"))
	require.False(t, IsExpression("${{ }}"))
}

func TestVariables(t *testing.T) {
	tmpl, err := New(DefaultLimits()).Parse(`{% assign x = steps["fetch-rss"].output.x %}{{ x.y }}{% for i in inputs.list %}{{ i }}{{ foreach.item['service.name'] }}{% endfor %}{{ a[b.c].d }}{{ forloop.index }}`)
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"steps", "fetch-rss", "output", "x"},
		{"inputs", "list"},
		{"foreach", "item", "service.name"},
		{"b", "c"},
		{"a"},
	}, tmpl.Variables())

	paths, err := ParseExpression("steps.a.output | where: 'x', consts.y")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"steps", "a", "output"}, {"consts", "y"}}, paths)
	_, err = ParseExpression("steps.a | nofilter")
	require.Error(t, err)
}

func TestRunJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"id":1,"mode":"template","template":"Hi {{ name }}","context":{"name":"Ann"}}`,
		`{"id":2,"mode":"expression","template":"xs | size","context":{"xs":[1,2]}}`,
		`{"id":3,"mode":"template","template":"{{ x | nope }}","context":{}}`,
		`{"id":4,"mode":"expression","template":"${{ missing }}","context":{}}`,
	}, "\n")
	var out bytes.Buffer
	require.NoError(t, RunJSONL(New(DefaultLimits()), strings.NewReader(in), &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Equal(t, []string{
		`{"id":1,"output":"Hi Ann"}`,
		`{"id":2,"value":2}`,
		`{"error":"undefined filter: nope, line:1, col:8","id":3}`,
		`{"id":4,"value":null}`,
	}, lines)
}

func TestConcurrentRender(t *testing.T) {
	e := New(DefaultLimits())
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 200; j++ {
				out, err := e.Render("{{ a | plus: 1 }}", map[string]any{"a": j})
				if err == nil && out == "" {
					err = errors.New("empty output")
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		require.NoError(t, <-done)
	}
}

func TestDeepNesting(t *testing.T) {
	e := New(DefaultLimits())
	_, err := e.Render("{{ "+strings.Repeat("[", 5000)+"a"+strings.Repeat("]", 5000)+" }}", nil)
	require.ErrorIs(t, err, ErrSyntax)
	_, err = e.Render(strings.Repeat("{% if a %}", 5000)+strings.Repeat("{% endif %}", 5000), nil)
	require.ErrorIs(t, err, ErrSyntax)
	_, err = e.Eval(strings.Repeat("not ", 5000)+"a", nil)
	require.ErrorIs(t, err, ErrSyntax)
}
