package template

import (
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"{{ a | plus: 1 }}", "{% for i in (1..3) %}{{ i }}{% endfor %}", "{% if a == b or c contains 'x' %}y{% endif %}",
	"{% case x %}{% when 1, 2 %}a{% else %}b{% endcase %}", "{% liquid\nassign x = 1\necho x\n%}",
	"{% raw %}{{ x }}{% endraw %}", "{{ a[0].b['c-d'] | default: 'z' | upcase }}", "{% cycle 'a': 1, 2 %}",
	"{{- x -}}{%- comment -%}{{ y }}{%- endcomment -%}", "{{ s | json_parse | entries | json }}", "{{ (1..5) | reverse | join }}",
	"{% capture c %}{{ a }}{% endcapture %}{{ c | split: '' | sort | uniq | size }}", "{{ d | date: '%Y %-m %e %Z' }}",
	"{{ a | where_exp: 'x', 'x > 1' | map: 'b' }}", "{% for x in a offset: continue limit: 2 reversed %}{% break %}{% endfor %}",
}

func fuzzData() map[string]any {
	return map[string]any{
		"a": []any{1.0, map[string]any{"b": "c"}, "x"}, "b": 2, "c": "xyz", "x": nil, "s": `{"k":[1,{"z":2}]}`,
		"d": time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// FuzzParse checks that parsing any input returns (never panics).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e := New(DefaultLimits())
		if tmpl, err := e.Parse(src); err == nil {
			_ = tmpl.Variables()
		}
		_, _ = ParseExpression(src)
		_ = IsExpression(src)
	})
}

// FuzzRender checks that rendering any template returns within the limits
// (never panics, never hangs).
func FuzzRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	limits := Limits{RenderLimit: 200 * time.Millisecond, MemoryLimit: 1 << 20, OutputLimit: 1 << 20}
	f.Fuzz(func(t *testing.T, src string) {
		e := New(limits)
		tmpl, err := e.Parse(src)
		if err != nil {
			return
		}
		// Internal panics would surface as "internal template error".
		if _, err := tmpl.Render(fuzzData()); err != nil && len(err.Error()) > 24 && err.Error()[:24] == "internal template error:" {
			t.Fatalf("panic rendering %q: %v", src, err)
		}
		if _, err := e.Eval(src, fuzzData()); err != nil && len(err.Error()) > 24 && err.Error()[:24] == "internal template error:" {
			t.Fatalf("panic evaluating %q: %v", src, err)
		}
	})
}
