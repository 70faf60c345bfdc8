package builtin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDataRegexExtract(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		errType string
		wantErr string
	}{
		{"numbered groups", map[string]any{"pattern": `(\w+)@(\w+)\.com`, "fields": map[string]any{"user": "$1", "domain": "$2", "all": "$0"}}, map[string]any{"source": "mail bob@corp.com now"}, map[string]any{"user": "bob", "domain": "corp", "all": "bob@corp.com"}, "", ""},
		{"named groups", map[string]any{"pattern": `(?<key>\w+)=(?<val>\d+)?`, "fields": map[string]any{"k": "key", "v": "val", "none": "nope"}}, map[string]any{"source": "x= y=1"}, map[string]any{"k": "x", "v": nil, "none": nil}, "", ""},
		{"flag i", map[string]any{"pattern": `ERROR (\d+)`, "flags": "i", "fields": map[string]any{"code": "$1"}}, map[string]any{"source": "error 42"}, map[string]any{"code": "42"}, "", ""},
		{"flag m", map[string]any{"pattern": `^b(\d)$`, "flags": "m", "fields": map[string]any{"n": "$1"}}, map[string]any{"source": "a1\nb2\nc3"}, map[string]any{"n": "2"}, "", ""},
		{"flag s", map[string]any{"pattern": `a(.)b`, "flags": "s", "fields": map[string]any{"c": "$1"}}, map[string]any{"source": "a\nb"}, map[string]any{"c": "\n"}, "", ""},
		{"g ignored", map[string]any{"pattern": `(\d)`, "flags": "g", "fields": map[string]any{"d": "$1"}}, map[string]any{"source": "a1b2"}, map[string]any{"d": "1"}, "", ""},
		{"no match null", map[string]any{"pattern": `\d`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "abc"}, nil, "", ""},
		{"array source", map[string]any{"pattern": `(\d+)`, "fields": map[string]any{"n": "$1"}}, map[string]any{"source": []any{"a1", "b", 7, "c22"}}, []any{map[string]any{"n": "1"}, nil, nil, map[string]any{"n": "22"}}, "", ""},
		{"source in with", map[string]any{"source": "v9", "pattern": `v(\d)`, "fields": map[string]any{"n": "$1"}}, nil, map[string]any{"n": "9"}, "", ""},
		{"errorIfNoMatch", map[string]any{"pattern": `\d`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "abc", "errorIfNoMatch": true}, nil, errTypeNotFound, "did not match"},
		{"lookahead rejected", map[string]any{"pattern": `a(?=b)`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "ab"}, nil, errTypeInvalidParams, "lookahead"},
		{"lookbehind rejected", map[string]any{"pattern": `(?<!x)a`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "ab"}, nil, errTypeInvalidParams, "lookbehind"},
		{"backreference rejected", map[string]any{"pattern": `(a)\1`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "aa"}, nil, errTypeInvalidParams, "backreference"},
		{"sticky rejected", map[string]any{"pattern": `a`, "flags": "y", "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "a"}, nil, errTypeInvalidParams, "sticky"},
		{"unknown flag", map[string]any{"pattern": `a`, "flags": "x", "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "a"}, nil, errTypeInvalidParams, "unknown flag"},
		{"invalid pattern", map[string]any{"pattern": `a(`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": "a"}, nil, errTypeInvalidParams, "compiling pattern"},
		{"no fields", map[string]any{"pattern": `a`}, map[string]any{"source": "a"}, nil, errTypeInvalidParams, "with.fields must map"},
		{"no pattern", map[string]any{"fields": map[string]any{"d": "$0"}}, map[string]any{"source": "a"}, nil, errTypeInvalidParams, "with.pattern"},
		{"number source", map[string]any{"pattern": `a`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": 5}, nil, errTypeInvalidParams, "string or an array"},
		{"too large", map[string]any{"pattern": `a`, "fields": map[string]any{"d": "$0"}}, map[string]any{"source": strings.Repeat("a", maxRegexInput+1)}, nil, errTypeInvalidParams, "limited to 102400 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.regexExtract", input("data.regexExtract", tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, tt.errType, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDataRegexReplace(t *testing.T) {
	tests := []struct {
		name    string
		with    map[string]any
		extra   map[string]any
		want    any
		wantErr string
	}{
		{"first only", map[string]any{"pattern": `o`, "replacement": "0"}, map[string]any{"source": "foo boo"}, "f0o boo", ""},
		{"global", map[string]any{"pattern": `o`, "replacement": "0", "flags": "g"}, map[string]any{"source": "foo boo"}, "f00 b00", ""},
		{"groups", map[string]any{"pattern": `(\w+)@(\w+)`, "replacement": "$2 at $1 ($&) $$", "flags": "g"}, map[string]any{"source": "a@b c@d"}, "b at a (a@b) $ d at c (c@d) $", ""},
		{"named group", map[string]any{"pattern": `(?<y>\d{4})-(?<m>\d\d)`, "replacement": "$<m>/$<y>"}, map[string]any{"source": "2024-03"}, "03/2024", ""},
		{"$1a is group 1 then a", map[string]any{"pattern": `(x)`, "replacement": "$1a"}, map[string]any{"source": "x"}, "xa", ""},
		{"$10 falls back to $1 then 0", map[string]any{"pattern": `(x)`, "replacement": "$10"}, map[string]any{"source": "x"}, "x0", ""},
		{"missing group literal", map[string]any{"pattern": `x`, "replacement": "$1$<n>"}, map[string]any{"source": "x"}, "$1$<n>", ""},
		{"prefix and suffix", map[string]any{"pattern": `b`, "replacement": "[$`|$']"}, map[string]any{"source": "abc"}, "a[a|c]c", ""},
		{"unmatched group empty", map[string]any{"pattern": `a(z)?`, "replacement": "<$1>"}, map[string]any{"source": "a"}, "<>", ""},
		{"case insensitive", map[string]any{"pattern": `hello`, "replacement": "bye", "flags": "gi"}, map[string]any{"source": "Hello HELLO"}, "bye bye", ""},
		{"empty replacement", map[string]any{"pattern": `\s+`, "flags": "g"}, map[string]any{"source": "a b  c"}, "abc", ""},
		{"array", map[string]any{"pattern": `\d`, "replacement": "#", "flags": "g"}, map[string]any{"source": []any{"a1", 22, "b"}}, []any{"a#", "22", "b"}, ""},
		{"detailed string", map[string]any{"pattern": `\d`, "replacement": "#", "flags": "g"}, map[string]any{"source": "1a2", "detailed": true}, map[string]any{"original": "1a2", "replaced": "#a#", "matchCount": 2}, ""},
		{"detailed array", map[string]any{"pattern": `\d`, "replacement": "#"}, map[string]any{"source": []any{"1a2", "x"}, "detailed": true}, map[string]any{"original": []any{"1a2", "x"}, "replaced": []any{"#a2", "x"}, "matchCount": 1}, ""},
		{"bad replacement", map[string]any{"pattern": `a`, "replacement": 5}, map[string]any{"source": "a"}, nil, "replacement must be a string"},
		{"bad flags type", map[string]any{"pattern": `a`, "flags": true}, map[string]any{"source": "a"}, nil, "with.flags must be a string"},
		{"missing source", map[string]any{"pattern": `a`}, nil, nil, "source is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, "data.regexReplace", input("data.regexReplace", tt.with, tt.extra))
			if tt.wantErr != "" {
				requireStepError(t, err, errTypeInvalidParams, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}
