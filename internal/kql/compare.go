package kql

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// exactMatch reports whether v equals the literal, converting the literal to v's type as
// eval-kql does. Arrays match when any element matches.
func exactMatch(v any, lit literal) bool {
	if items, ok := asList(v); ok {
		for _, item := range items {
			if exactMatch(item, lit) {
				return true
			}
		}
		return false
	}
	switch t := v.(type) {
	case string:
		if t == lit.text {
			return true
		}
		if !lit.isNum {
			return false
		}
		a, aok := parseNumber(t)
		return aok && a == lit.num
	case bool:
		return (lit.text == "true" && t) || (lit.text == "false" && !t)
	case time.Time:
		d, ok := parseDate(lit.text, time.Now())
		return ok && d.Equal(t)
	}
	if n, ok := toNumber(v); ok {
		return lit.isNum && n == lit.num
	}
	return false
}

// wildcardMatch matches scalars against a `*` pattern; objects only need to be present.
func wildcardMatch(v any, lit literal) bool {
	if items, ok := asList(v); ok {
		for _, item := range items {
			if wildcardMatch(item, lit) {
				return true
			}
		}
		return false
	}
	if v == nil {
		return false
	}
	if s, ok := scalarString(v); ok {
		return globMatch(lit.parts, s)
	}
	return true
}

// globMatch reports whether s consists of parts[0], anything, parts[1], ..., anything,
// parts[n-1] (parts come from splitting a pattern on `*`, so len(parts) >= 2).
func globMatch(parts []string, s string) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// rangeMatch compares v with the literal; arrays match when any element does.
func rangeMatch(v any, op string, lit literal) bool {
	if items, ok := asList(v); ok {
		for _, item := range items {
			if rangeMatch(item, op, lit) {
				return true
			}
		}
		return false
	}
	c, ok := compare(v, lit)
	if !ok {
		return false
	}
	switch op {
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return false
}

// compare orders v against the literal: -1, 0 or 1, and false when they do not compare.
func compare(v any, lit literal) (int, bool) {
	switch t := v.(type) {
	case string:
		if lit.isNum {
			if a, aok := parseNumber(t); aok {
				return cmpFloat(a, lit.num), true
			}
		}
		now := time.Now()
		if b, ok := parseDate(lit.text, now); ok {
			if a, aok := parseDate(t, now); aok {
				return a.Compare(b), true
			}
		}
		return strings.Compare(t, lit.text), true
	case time.Time:
		b, ok := parseDate(lit.text, time.Now())
		if !ok {
			return 0, false
		}
		return t.Compare(b), true
	case bool, nil:
		return 0, false
	}
	a, ok := toNumber(v)
	if !ok || !lit.isNum {
		return 0, false
	}
	return cmpFloat(a, lit.num), true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseNumber parses a decimal number literal (no hex, no NaN or Inf words).
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "xXpP_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// toNumber converts Go numeric types and json.Number to float64.
func toNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, !math.IsNaN(t)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		return parseNumber(string(t))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), !math.IsNaN(rv.Float())
	}
	return 0, false
}

// scalarString renders strings, numbers (as JavaScript prints them), booleans and times
// (ISO-8601) for wildcard matching.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case json.Number:
		return string(t), true
	case time.Time:
		return t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), true
	}
	if n, ok := toNumber(v); ok {
		return strconv.FormatFloat(n, 'f', -1, 64), true
	}
	return "", false
}

// present reports whether v counts as an existing value for `field: *`: not null, and for an
// array, at least one present element.
func present(v any) bool {
	if v == nil {
		return false
	}
	if items, ok := asList(v); ok {
		for _, item := range items {
			if present(item) {
				return true
			}
		}
		return false
	}
	return true
}

// truthy is JavaScript-like truthiness, except that an empty array is false.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	}
	if n, ok := toNumber(v); ok {
		return n != 0
	}
	if items, ok := asList(v); ok {
		return len(items) > 0
	}
	return true
}
