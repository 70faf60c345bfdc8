package jira

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// reader reads step parameters, keeping the first error.
type reader struct {
	m      map[string]any
	prefix string
	err    error
}

func (r *reader) fail(key, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s%s %s", errBadParam, r.prefix, key, fmt.Sprintf(format, args...))
	}
}

// str reads a string (numbers are accepted and formatted, for ids).
func (r *reader) str(key string, required bool) string {
	switch v := r.m[key].(type) {
	case nil:
	case string:
		if strings.TrimSpace(v) != "" || !required {
			return v
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case json.Number:
		return v.String()
	default:
		r.fail(key, "must be a string")
		return ""
	}
	if required {
		r.fail(key, "is required")
	}
	return ""
}

// strs reads a list of strings.
func (r *reader) strs(key string) []string {
	switch v := r.m[key].(type) {
	case nil:
		return nil
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				r.fail(key, "must be a list of strings")
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	r.fail(key, "must be a list of strings")
	return nil
}

// obj reads an object.
func (r *reader) obj(key string) map[string]any {
	switch v := r.m[key].(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	}
	r.fail(key, "must be an object")
	return nil
}

// list reads a list of objects.
func (r *reader) list(key string) []map[string]any {
	switch v := r.m[key].(type) {
	case nil:
		return nil
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, item := range v {
			m, ok := item.(map[string]any)
			if !ok {
				r.fail(key, "must be a list of objects")
				return nil
			}
			out = append(out, m)
		}
		return out
	}
	r.fail(key, "must be a list of objects")
	return nil
}
