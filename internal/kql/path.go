package kql

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// splitPath splits `a.b[0]["c.d"].e` into segments the way Kibana's parseJsPropertyAccess
// does. It reports false for an empty segment or an unclosed bracket.
func splitPath(s string) ([]string, bool) {
	var segs []string
	var cur strings.Builder
	flush := func() bool {
		if cur.Len() == 0 {
			return false
		}
		segs = append(segs, cur.String())
		cur.Reset()
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			if !flush() && (i == 0 || s[i-1] != ']') {
				return nil, false
			}
		case '[':
			if cur.Len() > 0 {
				flush()
			} else if i == 0 {
				return nil, false
			}
			seg, next, ok := bracketSegment(s, i)
			if !ok {
				return nil, false
			}
			segs = append(segs, seg)
			i = next
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		flush()
	} else if len(s) == 0 || s[len(s)-1] == '.' {
		return nil, false
	}
	return segs, true
}

// bracketSegment reads `[0]`, `["key"]` or `['key']` starting at s[i] == '[' and returns the
// segment and the index of the closing bracket.
func bracketSegment(s string, i int) (string, int, bool) {
	end := strings.IndexByte(s[i:], ']')
	if end < 0 {
		return "", 0, false
	}
	inner := s[i+1 : i+end]
	if len(inner) >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[len(inner)-1] == inner[0] {
		return inner[1 : len(inner)-1], i + end, true
	}
	if inner == "" {
		return "", 0, false
	}
	return strings.TrimSpace(inner), i + end, true
}

// resolve follows path through v. It reports false when the path does not exist. Crossing an
// array, a numeric segment selects by index; any other segment is resolved on every element
// and the found values are merged (eval-kql's multi-valued field semantics). `length` of an
// array or string and `size` of an array (unless its elements have a `size`) give the length.
func resolve(v any, path []string) (any, bool) {
	for i, seg := range path {
		if v == nil {
			return nil, false
		}
		if items, ok := asList(v); ok {
			return resolveInList(items, seg, path[i+1:])
		}
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[seg]
			if !ok {
				return nil, false
			}
			v = next
		case string:
			if seg != "length" {
				return nil, false
			}
			v = utf8.RuneCountInString(t)
		default:
			next, ok := reflectField(v, seg)
			if !ok {
				return nil, false
			}
			v = next
		}
	}
	return v, true
}

func resolveInList(items []any, seg string, rest []string) (any, bool) {
	if idx, err := strconv.Atoi(seg); err == nil && idx >= 0 && idx < len(items) && isDigits(seg) {
		return resolve(items[idx], rest)
	}
	if seg == "length" || (seg == "size" && !anyHasKey(items, "size")) {
		return resolve(len(items), rest)
	}
	var found []any
	for _, item := range items {
		if item == nil {
			continue
		}
		if v, ok := resolve(item, append([]string{seg}, rest...)); ok {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return nil, false
	case 1:
		return found[0], true
	}
	var merged []any
	for _, f := range found {
		if l, ok := asList(f); ok {
			merged = append(merged, l...)
		} else {
			merged = append(merged, f)
		}
	}
	return merged, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func anyHasKey(items []any, key string) bool {
	for _, item := range items {
		if m, ok := item.(map[string]any); ok {
			if _, has := m[key]; has {
				return true
			}
		}
	}
	return false
}

// asList returns v as a list when it is a slice or array (other than []byte).
func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			out[i] = m
		}
		return out, true
	case nil, string, bool, float64, int, int64, json.Number, map[string]any, []byte:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// reflectField reads key from a map with string keys of any value type.
func reflectField(v any, key string) (any, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	val := rv.MapIndex(reflect.ValueOf(key).Convert(rv.Type().Key()))
	if !val.IsValid() {
		return nil, false
	}
	return val.Interface(), true
}
