package servicenow

import (
	"fmt"
	"strconv"
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

// str reads a string; numbers are accepted (impact and urgency are often written 1, 2, 3).
func (r *reader) str(key string, required bool) string {
	switch v := r.m[key].(type) {
	case nil:
	case string:
		if v != "" || !required {
			return v
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	default:
		r.fail(key, "must be a string")
		return ""
	}
	if required {
		r.fail(key, "is required")
	}
	return ""
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
	v, ok := r.m[key].([]any)
	if !ok {
		if r.m[key] != nil {
			r.fail(key, "must be a list of objects")
		}
		return nil
	}
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
