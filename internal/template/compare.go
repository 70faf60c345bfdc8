package template

import (
	"strings"
	"time"
)

// compare applies a comparison operator with LiquidJS semantics.
func compare(op string, l, r any) bool {
	switch op {
	case "==":
		return equals(l, r)
	case "!=", "<>":
		return !equals(l, r)
	case "contains":
		return contains(l, r)
	}
	if isEmptyDrop(l) || isEmptyDrop(r) {
		return false
	}
	l, r = toValue(l), toValue(r)
	if isNil(l) || isNil(r) {
		return false
	}
	ls, lok := l.(string)
	rs, rok := r.(string)
	if lok && rok {
		switch op {
		case "<":
			return ls < rs
		case ">":
			return ls > rs
		case "<=":
			return ls <= rs
		case ">=":
			return ls >= rs
		}
		return false
	}
	a, b := jsNumber(l), jsNumber(r)
	switch op {
	case "<":
		return a < b
	case ">":
		return a > b
	case "<=":
		return a <= b
	case ">=":
		return a >= b
	}
	return false
}

func isEmptyDrop(v any) bool {
	d, ok := v.(drop)
	return ok && d.kind != dropNil
}

// equals is LiquidJS's equality: drops compare specially, arrays element by
// element, everything else strictly (1 == 1.0, 1 != "1").
func equals(l, r any) bool {
	l, r = normalize(l), normalize(r)
	if d, ok := l.(drop); ok {
		return dropEquals(d, r)
	}
	if d, ok := r.(drop); ok {
		return dropEquals(d, l)
	}
	switch a := l.(type) {
	case nil:
		return r == nil
	case undefinedType:
		_, ok := r.(undefinedType)
		return ok
	case string:
		b, ok := r.(string)
		return ok && a == b
	case float64:
		b, ok := r.(float64)
		return ok && a == b
	case bool:
		b, ok := r.(bool)
		return ok && a == b
	case []any:
		b, ok := r.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equals(a[i], b[i]) {
				return false
			}
		}
		return true
	case time.Time:
		b, ok := r.(time.Time)
		return ok && a.Equal(b)
	case map[string]any, *object, pair:
		switch r.(type) {
		case map[string]any, *object, pair:
			return toJSON(a, 0) == toJSON(r, 0)
		}
	}
	return false
}

func dropEquals(d drop, v any) bool {
	vd, isDrop := v.(drop)
	switch d.kind {
	case dropNil:
		if isDrop {
			return vd.kind == dropNil
		}
		return isNil(v)
	case dropBlank:
		if isDrop {
			return vd.kind == dropNil
		}
		if b, ok := v.(bool); ok && !b {
			return true
		}
		if isNil(v) {
			return true
		}
		if s, ok := v.(string); ok {
			return strings.TrimSpace(s) == ""
		}
	}
	if isDrop {
		return false
	}
	switch x := toValue(v).(type) {
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case *object:
		return len(x.keys) == 0
	}
	return false
}

// contains is the `contains` operator: array membership, substring, or key
// presence for objects.
func contains(l, r any) bool {
	switch x := toValue(l).(type) {
	case []any:
		for _, e := range x {
			if equals(e, r) {
				return true
			}
		}
	case string:
		return strings.Contains(x, containsString(r))
	case map[string]any:
		if k, ok := toValue(r).(string); ok {
			_, has := x[k]
			return has
		}
	case *object:
		if k, ok := toValue(r).(string); ok {
			_, has := x.vals[k]
			return has
		}
	}
	return false
}

// containsString is String(r) as JavaScript's indexOf converts it.
func containsString(r any) string {
	switch x := normalize(r).(type) {
	case undefinedType:
		return "undefined"
	case nil:
		return "null"
	case drop:
		if x.kind == dropNil {
			return "null"
		}
		return ""
	}
	return jsString(r)
}
