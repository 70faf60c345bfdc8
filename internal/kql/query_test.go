package kql

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func testData() map[string]any {
	return map[string]any{
		"status":  "active",
		"host":    "web-01.prod",
		"message": "hello world",
		"count":   5,
		"ratio":   0.25,
		"big":     int64(1 << 40),
		"jnum":    json.Number("42"),
		"numstr":  "10",
		"flag":    true,
		"off":     false,
		"nothing": nil,
		"empty":   "",
		"when":    "2024-03-01T12:00:00Z",
		"at":      time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		"tags":    []any{"a", "b", "prod"},
		"nums":    []any{1, 7, 12},
		"none":    []any{},
		"nulls":   []any{nil},
		"users": []any{
			map[string]any{"name": "ann", "age": 31, "roles": []any{"admin"}},
			map[string]any{"name": "bob", "age": 17, "roles": []any{"dev", "ops"}},
		},
		"files":  []any{map[string]any{"size": 10}, map[string]any{"size": 900}},
		"inputs": map[string]any{"flag": true, "env": "prod", "Name": "Mixed"},
		"steps": map[string]any{
			"check_forecast": map[string]any{"output": map[string]any{"hits": map[string]any{"total": map[string]any{"value": 0}}}},
			"search":         map[string]any{"output": map[string]any{"hits": map[string]any{"hits": []any{map[string]any{"_id": "1"}}}}},
			"fetch":          map[string]any{"output": map[string]any{"data": []any{}, "status": 200}},
			"parse":          map[string]any{"output": map[string]any{"free_email_provider": "false", "domain": "x.io"}},
			"fetch-rss":      map[string]any{"output": map[string]any{"ok": "yes"}},
		},
		"foreach":   map[string]any{"item": map[string]any{"file_path": `C:\Users\me\AppData\x.crx`, "os_type": "macos"}},
		"variables": map[string]any{"suspicious_count": "3"},
		"obj":       map[string]any{"k": "v"},
		"typed":     map[string]int{"n": 3},
		"strs":      []string{"x", "y"},
		"odd key":   "spaced",
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"simple is", "status: active", true},
		{"simple is mismatch", "status: inactive", false},
		{"no space", "status:active", true},
		{"quoted", `status: "active"`, true},
		{"case sensitive", "status: Active", false},
		{"phrase", `message: "hello world"`, true},
		{"unquoted phrase", "message: hello world", true},
		{"wildcard prefix", "host: web-*", true},
		{"wildcard suffix", "host: *.prod", true},
		{"wildcard middle", "host: web*prod", true},
		{"wildcard mismatch", "host: db-*", false},
		{"wildcard case", "host: WEB-*", false},
		{"quoted star is literal", `host: "web-*"`, false},
		{"escaped star is literal", `host: web-\*`, false},
		{"exists", "status: *", true},
		{"exists null", "nothing: *", false},
		{"exists missing", "missing: *", false},
		{"exists empty string", "empty: *", true},
		{"exists object", "obj: *", true},
		{"exists empty array", "none: *", false},
		{"exists array of null", "nulls: *", false},
		{"number equal", "count: 5", true},
		{"number equal float text", "count: 5.0", true},
		{"number quoted", `count: "5"`, true},
		{"number mismatch", "count: 6", false},
		{"number vs word", "count: five", false},
		{"int64", "big >= 1099511627776", true},
		{"json number", "jnum: 42", true},
		{"gt", "count > 4", true},
		{"gt equal", "count > 5", false},
		{"gte", "count >= 5", true},
		{"lt", "ratio < 0.5", true},
		{"lte", "count <= 4", false},
		{"numeric string vs number", "numstr > 9", true},
		{"numeric string lexical would differ", "numstr < 9", false},
		{"string lexical", "status > abc", true},
		{"iso date gt", "when > 2024-01-01", true},
		{"iso date lt", `when < "2024-01-01T00:00:00Z"`, false},
		{"time value", `at >= "2024-03-01T12:00:00Z"`, true},
		{"time equal", `at: "2024-03-01T12:00:00Z"`, true},
		{"date math now", "when < now", true},
		{"date math now minus", "when > now-1000y", true},
		{"date math rounding", "when < now/d", true},
		{"date math anchor", `when < 2024-02-29||+2d`, true},
		{"bool true", "flag: true", true},
		{"bool false", "flag: false", false},
		{"bool off", "off: false", true},
		{"bool garbage", "off: nope", false},
		{"bool quoted", `inputs.flag : "true"`, true},
		{"string false", `steps.parse.output.free_email_provider: "false"`, true},
		{"and", "status: active and count > 1", true},
		{"and fails", "status: active and count > 10", false},
		{"AND upper", "status: active AND flag: true", true},
		{"or", "status: nope or count: 5", true},
		{"Or mixed case", "status: nope Or count: 6", false},
		{"not", "not status: nope", true},
		{"NOT upper", "NOT status: active", false},
		{"not missing matches", "not missing: x", true},
		{"missing never matches", "missing: x", false},
		{"missing range", "missing > 1", false},
		{"precedence and over or", "status: nope and count: 5 or flag: true", true},
		{"precedence 2", "flag: true or status: nope and count: 6", true},
		{"precedence 3", "(flag: true or status: nope) and count: 6", false},
		{"not binds tighter than and", "not status: nope and count: 5", true},
		{"not group", "not (status: active and count: 5)", false},
		{"nested parens", "((status: active))", true},
		{"value list or", "status: (nope or active)", true},
		{"value list and", "tags: (a and prod)", true},
		{"value list and fails", "tags: (a and zzz)", false},
		{"value list not", "status: (not nope)", true},
		{"value list nested", "status: (x or (y or active))", true},
		{"array any", "tags: prod", true},
		{"array none", "tags: dev", false},
		{"array range any", "nums > 10", true},
		{"array range none", "nums > 20", false},
		{"dotted path", "inputs.env: prod", true},
		{"deep path", "steps.check_forecast.output.hits.total.value < 1", true},
		{"index bracket", "users[0].name: ann", true},
		{"index dot", "users.1.name: bob", true},
		{"index out of range", "users[5].name: ann", false},
		{"array of objects any", "users.name: bob", true},
		{"array of objects range", "users.age < 18", true},
		{"array of objects nested arrays merged", "users.roles: ops", true},
		{"hyphen path", "steps.fetch-rss.output.ok: yes", true},
		{"bracket quoted key", `steps['fetch-rss'].output.ok: yes`, true},
		{"quoted field", `"odd key": spaced`, true},
		{"length", "steps.search.output.hits.hits.length > 0", true},
		{"length empty", "steps.fetch.output.data.length:0", true},
		{"length empty gt", "steps.fetch.output.data.length > 0", false},
		{"size of array", "tags.size: 3", true},
		{"size prefers element field", "files.size > 500", true},
		{"string length", "status.length: 6", true},
		{"variables numeric string", "variables.suspicious_count > 0", true},
		{"foreach wildcard both", `foreach.item.file_path: *Users* and foreach.item.file_path: *AppData*`, true},
		{"foreach eq", `foreach.item.os_type: "macos"`, true},
		{"not quoted", `not steps.parse.output.free_email_provider: "true"`, true},
		{"empty string match", `empty: ""`, true},
		{"exists and", `steps.parse.output.domain: * and steps.parse.output.free_email_provider: "false"`, true},
		{"nested query", "users: { name: ann and age > 30 }", true},
		{"nested query no single element", "users: { name: bob and age > 30 }", false},
		{"bare true", "true", true},
		{"bare false", "false", false},
		{"bare number", "1", true},
		{"bare zero", "0", false},
		{"bare path truthy", "inputs.flag", true},
		{"bare path falsy", "off", false},
		{"bare missing", "missing", false},
		{"bare empty array", "none", false},
		{"null never equals", "nothing: null", false},
		{"object never equals", "obj: v", false},
		{"typed map", "typed.n: 3", true},
		{"string slice", "strs: y", true},
		{"wildcard on number", "count: 5*", true},
		{"wildcard on bool", "flag: tr*", true},
		{"escaped colon", `host: web\-01.prod`, true},
		{"unicode escape", `status: "\u0061ctive"`, true},
		{"multiline", "status: active\n  and\n  count: 5", true},
		{"keyword-like value", "inputs.Name: Mixed", true},
		{"value starting with keyword", "status: nope or status: active", true},
		{"word containing or", "status: (orange or active)", true},
		{"word containing not", "not status: notactive", true},
	}
	data := testData()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.src)
			require.NoError(t, err)
			require.Equal(t, tt.want, q.Match(data), "query %q", tt.src)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		line     int
		col      int
		contains string
	}{
		{"empty", "   ", 1, 4, "empty"},
		{"missing value", "status:", 1, 8, "expected a value"},
		{"unclosed quote", `status: "abc`, 1, 9, "closing"},
		{"unclosed paren", "(status: a", 1, 11, `expected ")"`},
		{"dangling and", "status: a and", 1, 14, "expected a field name"},
		{"equals", "status = active", 1, 8, "no \"=\""},
		{"double equals", "count == 5", 1, 7, "no \"=\""},
		{"not equals", "count != 5", 1, 7, "no \"=\""},
		{"bare phrase", `"hello"`, 1, 1, "field name"},
		{"bare wildcard", "web-*", 1, 1, "field name"},
		{"wildcard range", "count > 5*", 1, 9, "wildcards"},
		{"wildcard field", "a*: 1", 1, 1, "field names"},
		{"stray paren", "status: a)", 1, 10, "end of the condition"},
		{"second line", "status: a and\n  (b: c", 2, 8, `expected ")"`},
		{"empty parens", "()", 1, 2, "inside the parentheses"},
		{"bad path", "a..b: 1", 1, 1, "field path"},
		{"trailing backslash", `a: b\`, 1, 5, "after"},
		{"bad unicode", `a: "\u00zz"`, 1, 5, "hex"},
		{"unclosed brace", "users: { name: a", 1, 17, `expected "}"`},
		{"range without value", "count >", 1, 8, "expected a value"},
		{"unquoted date with colon", "when < 2024-01-01T00:00:00Z", 1, 21, "quote values"},
		{"dangling or", "a: b or ", 1, 9, "expected a field name"},
		{"bare not", "not", 1, 4, "expected a field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.line, se.Line, se.Error())
			require.Equal(t, tt.col, se.Col, se.Error())
			require.Contains(t, se.Error(), tt.contains)
			require.Contains(t, se.Error(), "column")
		})
	}
}

func TestParseTooDeep(t *testing.T) {
	src := ""
	for range 200 {
		src += "("
	}
	_, err := Parse(src + "a: b")
	require.ErrorIs(t, err, ErrTooDeep)
	src = ""
	for range 200 {
		src += "not "
	}
	_, err = Parse(src + "a: b")
	require.ErrorIs(t, err, ErrTooDeep)
}

func TestEvalCache(t *testing.T) {
	data := testData()
	for range 3 {
		ok, err := Eval("status: active and count > 1", data)
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, err := Eval("status:", data)
	var se *SyntaxError
	require.True(t, errors.As(err, &se))
	for i := range cacheSize + 10 {
		_, err := Eval("count > "+string(rune('0'+i%10))+" or x: "+time.Duration(i).String(), data)
		require.NoError(t, err)
	}
	cache.mu.Lock()
	n := cache.order.Len()
	cache.mu.Unlock()
	require.LessOrEqual(t, n, cacheSize)
}

func TestQueryString(t *testing.T) {
	q, err := Parse("a: b")
	require.NoError(t, err)
	require.Equal(t, "a: b", q.String())
	var nilQuery *Query
	require.False(t, nilQuery.Match(nil))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"status: active", "a: (b or c) and not d > 5", `x: "q\"uote"`, "users[0].name: *a*",
		"a: { b: c }", "when < now-1d/d", `a\: b: c`, "not not a", "a <= 2024-01-01||+1M",
	} {
		f.Add(s)
	}
	data := testData()
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Offset < 0 || se.Offset > len(src) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("bad position %+v for %q", se, src)
			}
			return
		}
		q.Match(data)
	})
}

func BenchmarkEval(b *testing.B) {
	data := testData()
	src := `steps.check_forecast.output.hits.total.value < 1 and not inputs.env: (dev or staging) and foreach.item.file_path: *Users*`
	for b.Loop() {
		if _, err := Eval(src, data); err != nil {
			b.Fatal(err)
		}
	}
}
