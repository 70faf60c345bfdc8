package builtin

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// maxRegexInput caps each string a regex step reads (100 KB, as in Kibana).
const maxRegexInput = 100 * 1024

// jsRegexp is a JavaScript regular expression (pattern + flags) compiled for Go's RE2
// engine. Go has no backtracking engine in the standard library, and RE2 keeps matching
// linear in the input, so patterns that need lookaround or backreferences are rejected with
// a clear message instead of being emulated.
type jsRegexp struct {
	re     *regexp.Regexp
	global bool
}

// compileJSRegexp translates the JS flags i, m, s (and accepts g, u, d) and compiles the
// pattern. The error message names what is unsupported.
func compileJSRegexp(pattern, flags string) (*jsRegexp, error) {
	var inline strings.Builder
	global := false
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			if !strings.ContainsRune(inline.String(), f) {
				inline.WriteRune(f)
			}
		case 'g':
			global = true
		case 'u', 'd':
		case 'y':
			return nil, fmt.Errorf("flag %q (sticky) is not supported; use ^ in the pattern instead", f)
		default:
			return nil, fmt.Errorf("unknown flag %q; supported flags are g, i, m, s, u", f)
		}
	}
	if unsupported := unsupportedSyntax(pattern); unsupported != "" {
		return nil, fmt.Errorf("pattern uses %s, which Go's RE2 engine does not support", unsupported)
	}
	src := pattern
	if inline.Len() > 0 {
		src = "(?" + inline.String() + ")" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("compiling pattern %q: %w", pattern, err)
	}
	return &jsRegexp{re: re, global: global}, nil
}

// unsupportedSyntax names JavaScript regex syntax RE2 lacks, or returns "".
func unsupportedSyntax(p string) string {
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			if c := p[i+1]; c >= '1' && c <= '9' {
				return "a backreference (\\" + string(c) + ")"
			}
			if p[i+1] == 'k' && i+2 < len(p) && p[i+2] == '<' {
				return "a named backreference (\\k<...>)"
			}
			i++
		case strings.HasPrefix(p[i:], "(?="), strings.HasPrefix(p[i:], "(?!"):
			return "a lookahead (" + p[i:i+3] + "...)"
		case strings.HasPrefix(p[i:], "(?<="), strings.HasPrefix(p[i:], "(?<!"):
			return "a lookbehind (" + p[i:i+4] + "...)"
		}
	}
	return ""
}

// replace replaces the first match, or every match with the g flag, expanding the
// JavaScript replacement patterns $$, $&, $`, $', $n, $nn and $<name>. It returns the
// result and the number of replaced matches.
func (r *jsRegexp) replace(s, replacement string) (string, int) {
	n := 1
	if r.global {
		n = -1
	}
	matches := r.re.FindAllStringSubmatchIndex(s, n)
	if len(matches) == 0 {
		return s, 0
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		r.expand(&b, replacement, s, m)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String(), len(matches)
}

// expand writes replacement for one match m (submatch indexes) of s.
func (r *jsRegexp) expand(b *strings.Builder, repl, s string, m []int) {
	groups := len(m)/2 - 1
	for i := 0; i < len(repl); i++ {
		if repl[i] != '$' || i+1 >= len(repl) {
			b.WriteByte(repl[i])
			continue
		}
		switch c := repl[i+1]; {
		case c == '$':
			b.WriteByte('$')
			i++
		case c == '&':
			b.WriteString(s[m[0]:m[1]])
			i++
		case c == '`':
			b.WriteString(s[:m[0]])
			i++
		case c == '\'':
			b.WriteString(s[m[1]:])
			i++
		case c >= '0' && c <= '9':
			idx, width := groupRef(repl[i+1:], groups)
			if idx == 0 {
				b.WriteByte('$')
				continue
			}
			writeGroup(b, s, m, idx)
			i += width
		case c == '<':
			end := strings.IndexByte(repl[i:], '>')
			idx := -1
			if end > 0 {
				idx = r.re.SubexpIndex(repl[i+2 : i+end])
			}
			if idx < 0 {
				b.WriteByte('$')
				continue
			}
			writeGroup(b, s, m, idx)
			i += end
		default:
			b.WriteByte('$')
		}
	}
}

// groupRef reads a JS $n / $nn reference: two digits when that group exists, else one. It
// returns 0 when the reference names no group (the text is then kept literally).
func groupRef(digits string, groups int) (int, int) {
	if len(digits) >= 2 && digits[1] >= '0' && digits[1] <= '9' {
		if n, _ := strconv.Atoi(digits[:2]); n >= 1 && n <= groups {
			return n, 2
		}
	}
	n := int(digits[0] - '0')
	if n >= 1 && n <= groups {
		return n, 1
	}
	return 0, 0
}

func writeGroup(b *strings.Builder, s string, m []int, idx int) {
	if start := m[2*idx]; start >= 0 {
		b.WriteString(s[start:m[2*idx+1]])
	}
}

// extract returns the fields of the first match as {out: group}, where group is "$n" for a
// numbered group or a group name; an unmatched group is null. ok is false without a match.
func (r *jsRegexp) extract(s string, fields map[string]string) (map[string]any, bool) {
	m := r.re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, false
	}
	out := make(map[string]any, len(fields))
	for name, ref := range fields {
		idx := -1
		if num, found := strings.CutPrefix(ref, "$"); found {
			if n, err := strconv.Atoi(num); err == nil && n >= 0 && n < len(m)/2 {
				idx = n
			}
		} else {
			idx = r.re.SubexpIndex(ref)
		}
		if idx < 0 || m[2*idx] < 0 {
			out[name] = nil
			continue
		}
		out[name] = s[m[2*idx]:m[2*idx+1]]
	}
	return out, true
}
