package template

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// chargeArray counts a new array against the memory limit.
func chargeArray(st *state, n int) error { return st.charge(int64(16 * n)) }

// pathValue reads a dotted property path from item, as LiquidJS evaluates
// a filter's property argument with the item as scope.
func pathValue(item any, path string) any {
	if path == "" {
		return undefined
	}
	cur := item
	for _, seg := range strings.Split(path, ".") {
		cur = readProperty(cur, seg)
	}
	return cur
}

func registerArrayFilters() {
	filters["join"] = join
	filters["first"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) { return arrayEnd(v, true), nil }
	filters["last"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) { return arrayEnd(v, false), nil }
	filters["reverse"] = func(st *state, v any, _ []any, _ map[string]any) (any, error) {
		a := toArray(v)
		out := make([]any, len(a))
		for i, e := range a {
			out[len(a)-1-i] = e
		}
		return out, chargeArray(st, len(a))
	}
	filters["size"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		switch x := toValue(v).(type) {
		case string:
			return float64(strLen(x)), nil
		case []any:
			return float64(len(x)), nil
		}
		return 0.0, nil
	}
	filters["sort"] = sortFilter(false)
	filters["sort_natural"] = sortFilter(true)
	filters["map"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a := toArray(v)
		p, _ := arg(args, 0)
		out := make([]any, len(a))
		for i, e := range a {
			out[i] = pathValue(e, stringify(p))
		}
		return out, chargeArray(st, len(a))
	}
	filters["sum"] = sum
	filters["compact"] = func(st *state, v any, _ []any, _ map[string]any) (any, error) {
		var out []any
		for _, e := range toArray(v) {
			if !isNil(e) {
				out = append(out, e)
			}
		}
		return nonNil(out), chargeArray(st, len(out))
	}
	filters["concat"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		out := append(append([]any{}, toArray(v)...), toArray(a)...)
		return out, chargeArray(st, len(out))
	}
	filters["push"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		out := append(append([]any{}, toArray(v)...), a)
		return out, chargeArray(st, len(out))
	}
	filters["unshift"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a, _ := arg(args, 0)
		out := append([]any{a}, toArray(v)...)
		return out, chargeArray(st, len(out))
	}
	filters["pop"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		a := toArray(v)
		if len(a) == 0 {
			return []any{}, nil
		}
		return append([]any{}, a[:len(a)-1]...), nil
	}
	filters["shift"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		a := toArray(v)
		if len(a) == 0 {
			return []any{}, nil
		}
		return append([]any{}, a[1:]...), nil
	}
	filters["slice"] = slice
	filters["uniq"] = uniq
	filters["sample"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a := toArray(v)
		if s, ok := toValue(v).(string); ok {
			a = stringsToAny(strings.Split(s, ""))
		}
		shuffled := append([]any{}, a...)
		rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		n := toInteger(argOr(args, 0, 1.0))
		if n == 1 {
			if len(shuffled) == 0 {
				return undefined, nil
			}
			return shuffled[0], nil
		}
		return shuffled[:max(0, min(n, len(shuffled)))], nil
	}
	filters["array_to_sentence_string"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a := toArray(v)
		conn := stringify(argOr(args, 0, "and"))
		switch len(a) {
		case 0:
			return "", nil
		case 1:
			return stringify(a[0]), nil
		case 2:
			return stringify(a[0]) + " " + conn + " " + stringify(a[1]), nil
		}
		parts := make([]string, len(a)-1)
		for i := range parts {
			parts[i] = stringify(a[i])
		}
		return strings.Join(parts, ", ") + ", " + conn + " " + stringify(a[len(a)-1]), nil
	}
	registerSearchFilters()
}

func nonNil(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func join(st *state, v any, args []any, _ map[string]any) (any, error) {
	a := toArray(v)
	sep := " "
	if s, ok := arg(args, 0); ok && !isNil(s) {
		sep = stringify(s)
	}
	parts := make([]string, len(a))
	n := 0
	for i, e := range a {
		parts[i] = jsString(e)
		n += len(parts[i]) + len(sep)
	}
	if err := st.charge(int64(n)); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

func arrayEnd(v any, first bool) any {
	switch x := toValue(v).(type) {
	case []any:
		if len(x) == 0 {
			return undefined
		}
		if first {
			return x[0]
		}
		return x[len(x)-1]
	case string:
		r := []rune(x)
		if len(r) == 0 {
			return undefined
		}
		if first {
			return string(r[0])
		}
		return string(r[len(r)-1])
	}
	return ""
}

func sum(_ *state, v any, args []any, _ map[string]any) (any, error) {
	total := 0.0
	p, hasProp := arg(args, 0)
	for _, e := range toArray(v) {
		if hasProp && !isNil(p) {
			e = pathValue(e, stringify(p))
		}
		n := jsNumber(e)
		if n == n {
			total += n
		}
	}
	return total, nil
}

// jsCompare orders two values like JavaScript's < and >; nil sorts last.
func jsCompare(a, b any, fold bool) int {
	a, b = toValue(a), toValue(b)
	an, bn := isNil(a), isNil(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	if fold {
		sa, sb := strings.ToLower(stringify(a)), strings.ToLower(stringify(b))
		return strings.Compare(sa, sb)
	}
	sa, aok := a.(string)
	sb, bok := b.(string)
	if aok && bok {
		return strings.Compare(sa, sb)
	}
	x, y := jsNumber(a), jsNumber(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func sortFilter(natural bool) filterFunc {
	return func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a := toArray(v)
		p, _ := arg(args, 0)
		prop := ""
		if !isNil(p) {
			prop = stringify(p)
		}
		keys := make([]any, len(a))
		for i, e := range a {
			keys[i] = e
			if prop != "" {
				keys[i] = pathValue(e, prop)
			}
		}
		idx := make([]int, len(a))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return jsCompare(keys[idx[i]], keys[idx[j]], natural) < 0 })
		out := make([]any, len(a))
		for i, k := range idx {
			out[i] = a[k]
		}
		return out, chargeArray(st, len(a))
	}
}

func slice(_ *state, v any, args []any, _ map[string]any) (any, error) {
	v = toValue(v)
	if isNil(v) {
		return []any{}, nil
	}
	begin := int(math.Ceil(clampFloat(toNumber(argOr(args, 0, 0.0)))))
	length := 1
	if a, ok := arg(args, 1); ok {
		if _, u := a.(undefinedType); !u {
			length = int(math.Ceil(clampFloat(jsNumber(a))))
			if math.IsNaN(jsNumber(a)) {
				length = 0
			}
		}
	}
	if arr, ok := v.([]any); ok {
		lo, hi := sliceBounds(len(arr), begin, length)
		return append([]any{}, arr[lo:hi]...), nil
	}
	r := []rune(stringify(v))
	lo, hi := sliceBounds(len(r), begin, length)
	return string(r[lo:hi]), nil
}

func clampFloat(f float64) float64 {
	return max(-1e9, min(1e9, f))
}

// sliceBounds mirrors x.slice(begin, begin+length) with a negative begin
// counted from the end.
func sliceBounds(n, begin, length int) (int, int) {
	if begin < 0 {
		begin += n
	}
	end := begin + length
	norm := func(i int) int {
		if i < 0 {
			i += n
		}
		return max(0, min(i, n))
	}
	lo, hi := norm(begin), norm(end)
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

func uniq(st *state, v any, _ []any, _ map[string]any) (any, error) {
	a := toArray(v)
	out := make([]any, 0, len(a))
	seen := map[any]bool{}
	for _, e := range a {
		e = toValue(e)
		switch e.(type) {
		case string, float64, bool, nil, undefinedType:
			if seen[e] {
				continue
			}
			seen[e] = true
		}
		out = append(out, e)
	}
	return out, chargeArray(st, len(out))
}
