package template

import (
	"regexp"
	"strings"
	"unicode"
)

// jsArgString is String(arg) for arguments LiquidJS does not stringify
// (remove, remove_first, remove_last): undefined is "undefined".
func jsArgString(v any, given bool) string {
	if !given {
		return "undefined"
	}
	return containsString(v)
}

func strFilter(f func(string) string) filterFunc {
	return func(_ *state, v any, _ []any, _ map[string]any) (any, error) { return f(stringify(v)), nil }
}

var (
	stripHTMLRe   = regexp.MustCompile(`(?is)<script.*?</script>|<style.*?</style>|<!--.*?-->|<[^>]*>`)
	newlineRe     = regexp.MustCompile(`\r?\n`)
	htmlEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	htmlUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'")
)

func registerStringFilters() {
	filters["append"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		if len(args) != 1 {
			return nil, renderErr("append expect 2 arguments")
		}
		return stringify(v) + stringify(args[0]), nil
	}
	filters["prepend"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		if len(args) != 1 {
			return nil, renderErr("prepend expect 2 arguments")
		}
		return stringify(args[0]) + stringify(v), nil
	}
	filters["downcase"] = strFilter(strings.ToLower)
	filters["upcase"] = strFilter(strings.ToUpper)
	filters["capitalize"] = strFilter(func(s string) string {
		r := []rune(s)
		if len(r) == 0 {
			return s
		}
		return strings.ToUpper(string(r[0])) + strings.ToLower(string(r[1:]))
	})
	filters["strip"] = stripFilter(true, true)
	filters["lstrip"] = stripFilter(true, false)
	filters["rstrip"] = stripFilter(false, true)
	filters["strip_html"] = strFilter(func(s string) string { return stripHTMLRe.ReplaceAllString(s, "") })
	filters["strip_newlines"] = strFilter(func(s string) string { return newlineRe.ReplaceAllString(s, "") })
	filters["newline_to_br"] = strFilter(func(s string) string { return newlineRe.ReplaceAllString(s, "<br />\n") })
	filters["escape"] = strFilter(htmlEscaper.Replace)
	filters["xml_escape"] = strFilter(htmlEscaper.Replace)
	filters["escape_once"] = strFilter(func(s string) string { return htmlEscaper.Replace(htmlUnescaper.Replace(s)) })
	filters["remove"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, ok := arg(args, 0)
		return strings.ReplaceAll(stringify(v), jsArgString(a, ok), ""), nil
	}
	filters["remove_first"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, ok := arg(args, 0)
		return strings.Replace(stringify(v), jsArgString(a, ok), "", 1), nil
	}
	filters["remove_last"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, ok := arg(args, 0)
		return replaceLast(stringify(v), jsArgString(a, ok), ""), nil
	}
	filters["replace"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		b, _ := arg(args, 1)
		return replaceAllJS(stringify(v), stringify(a), stringify(b)), nil
	}
	filters["replace_first"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		b, _ := arg(args, 1)
		return strings.Replace(stringify(v), stringify(a), stringify(b), 1), nil
	}
	filters["replace_last"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		b, _ := arg(args, 1)
		return replaceLast(stringify(v), stringify(a), stringify(b)), nil
	}
	filters["truncate"] = truncate
	filters["truncatewords"] = truncateWords
	filters["split"] = split
	filters["slugify"] = slugify
	filters["number_of_words"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		return float64(len(strings.Fields(stringify(v)))), nil
	}
}

// replaceAllJS is s.split(old).join(repl): an empty old inserts repl
// between characters only.
func replaceAllJS(s, old, repl string) string {
	if old == "" {
		return strings.Join(strings.Split(s, ""), repl)
	}
	return strings.ReplaceAll(s, old, repl)
}

func replaceLast(s, old, repl string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + repl + s[i+len(old):]
}

func stripFilter(left, right bool) filterFunc {
	return func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		s := stringify(v)
		chars := ""
		if a, ok := arg(args, 0); ok {
			chars = stringify(a)
		}
		if left {
			if chars != "" {
				s = strings.TrimLeft(s, chars)
			} else {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
		}
		if right {
			if chars != "" {
				s = strings.TrimRight(s, chars)
			} else {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
		}
		return s, nil
	}
}

func truncate(_ *state, v any, args []any, _ map[string]any) (any, error) {
	s := []rune(stringify(v))
	l := toInteger(argOr(args, 0, 50.0))
	o := stringify(argOr(args, 1, "..."))
	if len(s) <= l {
		return string(s), nil
	}
	end := l - runeCount(o)
	if end < 0 {
		end = 0
	}
	return string(s[:end]) + o, nil
}

func truncateWords(_ *state, v any, args []any, _ map[string]any) (any, error) {
	words := strings.FieldsFunc(stringify(v), unicode.IsSpace)
	n := toInteger(argOr(args, 0, 15.0))
	o := stringify(argOr(args, 1, "..."))
	if n <= 0 {
		n = 1
	}
	if len(words) <= n {
		return strings.Join(words, " "), nil
	}
	return strings.Join(words[:n], " ") + o, nil
}

func split(st *state, v any, args []any, _ map[string]any) (any, error) {
	s := stringify(v)
	var parts []string
	if a, ok := arg(args, 0); ok {
		parts = strings.Split(s, stringify(a))
	} else {
		parts = []string{s}
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if err := st.charge(int64(len(s) + 16*len(parts))); err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

var (
	slugDefaultRe = regexp.MustCompile(`[^\p{M}\p{L}\p{Nd}]+`)
	slugPrettyRe  = regexp.MustCompile(`[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+`)
	slugASCIIRe   = regexp.MustCompile(`[^A-Za-z0-9]+`)
	slugRawRe     = regexp.MustCompile(`\s+`)
)

func slugify(_ *state, v any, args []any, _ map[string]any) (any, error) {
	s := stringify(v)
	mode := stringify(argOr(args, 0, "default"))
	re := slugDefaultRe
	switch mode {
	case "none":
		return s, nil
	case "raw":
		re = slugRawRe
	case "pretty":
		re = slugPrettyRe
	case "ascii", "latin":
		re = slugASCIIRe
	}
	s = strings.Trim(re.ReplaceAllString(s, "-"), "-")
	if !isTruthy(argOr(args, 1, false)) {
		s = strings.ToLower(s)
	}
	return s, nil
}
