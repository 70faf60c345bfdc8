package template

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// undefinedType is the value of a variable or property that does not exist.
// It renders as "" and differs from nil only where LiquidJS tells
// undefined from null (contains, where, find, default arguments).
type undefinedType struct{}

var undefined = undefinedType{}

// dropKind identifies the special literals nil, empty and blank, which
// compare in their own way.
type dropKind int

const (
	dropNil dropKind = iota + 1
	dropEmpty
	dropBlank
)

// drop is the value of the literals nil/null, empty and blank.
type drop struct{ kind dropKind }

// object is a JSON object that keeps the order of its keys, the result of
// json_parse (and what LiquidJS iterates in insertion order).
type object struct {
	keys []string
	vals map[string]any
}

func newObject(n int) *object {
	return &object{keys: make([]string, 0, n), vals: make(map[string]any, n)}
}

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// pair is one element of the entries filter: it answers e[0]/e[1] and
// e.key/e.value, and prints as the JSON object {"key":k,"value":v}, which is
// what Kibana's entries filter returns.
type pair struct {
	key   string
	value any
}

// normalize converts the accepted Go data types to the few the engine works
// with: float64, string, bool, nil, []any, map[string]any, *object, pair,
// time.Time, drop and undefined.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, string, float64, bool, []any, map[string]any, *object, pair, time.Time, drop, undefinedType:
		return v
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case uint64:
		return float64(x)
	case uint:
		return float64(x)
	case uint32:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			out[k] = s
		}
		return out
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = f
		}
		return out
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = float64(n)
		}
		return out
	}
	return v
}

// toValue resolves drops to their plain value (empty and blank are "").
func toValue(v any) any {
	v = normalize(v)
	if d, ok := v.(drop); ok {
		if d.kind == dropNil {
			return nil
		}
		return ""
	}
	return v
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil, undefinedType:
		return true
	case drop:
		return x.kind == dropNil
	}
	return false
}

func isTruthy(v any) bool {
	switch x := v.(type) {
	case nil, undefinedType:
		return false
	case bool:
		return x
	case drop:
		return x.kind != dropNil
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formatNumber prints a float64 the way JavaScript's Number#toString does.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if exp[0] == '+' {
			exp = exp[1:]
			return mant + "e+" + strings.TrimLeft(exp, "0")
		}
		return mant + "e-" + strings.TrimLeft(exp[1:], "0")
	}
	if f == math.Trunc(f) && abs < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// stringify is LiquidJS's stringify: nil is "", arrays concatenate their
// elements' stringification, objects print as "[object Object]".
func stringify(v any) string {
	switch x := toValue(v).(type) {
	case string:
		return x
	case nil, undefinedType:
		return ""
	case float64:
		return formatNumber(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		var b strings.Builder
		for _, e := range x {
			b.WriteString(stringify(e))
		}
		return b.String()
	case time.Time:
		return formatTime(x)
	case map[string]any, *object, pair:
		return "[object Object]"
	}
	return ""
}

// jsString is JavaScript's String(v) as Array#join applies it to elements:
// nil is "", nested arrays join with ",".
func jsString(v any) string {
	switch x := toValue(v).(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	default:
		return stringify(x)
	}
}

// formatTime prints a time as ISO-8601 in UTC with milliseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// outputString is how `{{ }}` prints a value: strings as they are, arrays and
// objects as JSON, times as ISO-8601.
func outputString(v any) string {
	switch x := toValue(v).(type) {
	case []any, map[string]any, *object, pair:
		var b strings.Builder
		writeJSON(&b, x, 0)
		return b.String()
	case string:
		return x
	default:
		return stringify(x)
	}
}

// jsNumber is JavaScript's Number(v); NaN for what does not convert.
func jsNumber(v any) float64 {
	switch x := toValue(v).(type) {
	case float64:
		return x
	case string:
		return parseJSNumber(x)
	case bool:
		if x {
			return 1
		}
		return 0
	case nil:
		return 0
	case []any:
		if len(x) == 0 {
			return 0
		}
		if len(x) == 1 {
			return parseJSNumber(jsString(x[0]))
		}
	case time.Time:
		return float64(x.UnixMilli())
	}
	return math.NaN()
}

func parseJSNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// toNumber is LiquidJS's toNumber: Number(v) with NaN turned into 0.
func toNumber(v any) float64 {
	f := jsNumber(v)
	if math.IsNaN(f) {
		return 0
	}
	return f
}

// toInteger is JavaScript's ToIntegerOrInfinity as Array#slice applies it.
func toInteger(v any) int {
	f := jsNumber(v)
	if math.IsNaN(f) {
		return 0
	}
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	if f < math.MinInt32 {
		return math.MinInt32
	}
	return int(f)
}

// toArray is LiquidJS's toArray: arrays as they are, nil as [], objects as
// their [key, value] pairs for iteration, anything else as a one-element array.
func toArray(v any) []any {
	switch x := toValue(v).(type) {
	case []any:
		return x
	case nil, undefinedType:
		return nil
	case string:
		return []any{x}
	}
	return []any{toValue(v)}
}

// toEnumerable turns objects into [key, value] pairs for `for` and filters
// that iterate them; strings and scalars become one element.
func toEnumerable(v any) []any {
	switch x := toValue(v).(type) {
	case map[string]any:
		out := make([]any, 0, len(x))
		for _, k := range sortedKeys(x) {
			out = append(out, []any{k, x[k]})
		}
		return out
	case *object:
		out := make([]any, 0, len(x.keys))
		for _, k := range x.keys {
			out = append(out, []any{k, x.vals[k]})
		}
		return out
	}
	return toArray(v)
}

// strLen is the length of a string as JavaScript counts it (UTF-16 units).
func strLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func runeCount(s string) int { return utf8.RuneCountInString(s) }
