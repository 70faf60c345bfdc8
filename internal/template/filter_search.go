package template

import "sync"

// matcher builds the test where/find/has apply: truthiness when the
// expected value is missing or undefined, equality otherwise.
func matcher(args []any) func(any) bool {
	exp, ok := arg(args, 1)
	if _, u := exp.(undefinedType); !ok || u {
		return isTruthy
	}
	return func(v any) bool { return equals(v, exp) }
}

func propArg(args []any) string {
	p, _ := arg(args, 0)
	if isNil(p) {
		return ""
	}
	return stringify(p)
}

// search returns the index of the first item matching, or -1.
func search(v any, args []any) ([]any, int) {
	a := toArray(v)
	prop, match := propArg(args), matcher(args)
	for i, e := range a {
		if match(pathValue(e, prop)) {
			return a, i
		}
	}
	return a, -1
}

func filterItems(include bool) filterFunc {
	return func(st *state, v any, args []any, _ map[string]any) (any, error) {
		a := toArray(v)
		prop, match := propArg(args), matcher(args)
		out := []any{}
		for _, e := range a {
			if match(pathValue(e, prop)) == include {
				out = append(out, e)
			}
		}
		return out, chargeArray(st, len(out))
	}
}

var expCache sync.Map

// compileExp compiles the expression argument of the *_exp filters.
func compileExp(src string) (expr, error) {
	if e, ok := expCache.Load(src); ok {
		return e.(expr), nil
	}
	e, err := parseStrictExpression(src)
	if err != nil {
		return nil, err
	}
	expCache.Store(src, e)
	return e, nil
}

// evalExp evaluates exp for each item bound to name, calling visit with
// the result until visit returns false.
func evalExp(st *state, v any, args []any, visit func(i int, item, res any) bool) error {
	name, _ := arg(args, 0)
	src, _ := arg(args, 1)
	e, err := compileExp(stringify(src))
	if err != nil {
		return err
	}
	scope := map[string]any{}
	st.scopes = append(st.scopes, scope)
	defer func() { st.scopes = st.scopes[:len(st.scopes)-1] }()
	for i, item := range toArray(v) {
		if err := st.tick(); err != nil {
			return err
		}
		scope[stringify(name)] = item
		res, err := e.eval(st)
		if err != nil {
			return err
		}
		if !visit(i, item, res) {
			return nil
		}
	}
	return nil
}

func filterExp(include bool) filterFunc {
	return func(st *state, v any, args []any, _ map[string]any) (any, error) {
		out := []any{}
		err := evalExp(st, v, args, func(_ int, item, res any) bool {
			if b, ok := res.(bool); ok && b == include {
				out = append(out, item)
			}
			return true
		})
		return out, err
	}
}

func searchExp(st *state, v any, args []any) (int, any, error) {
	idx, found := -1, any(undefined)
	err := evalExp(st, v, args, func(i int, item, res any) bool {
		if isTruthy(res) {
			idx, found = i, item
			return false
		}
		return true
	})
	return idx, found, err
}

func groupBy(keys []any, items []any) []any {
	var order []any
	groups := map[any][]any{}
	var other []*object
	for i, k := range keys {
		k = toValue(k)
		switch k.(type) {
		case string, float64, bool, nil, undefinedType:
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], items[i])
		default:
			o := newObject(2)
			o.set("name", k)
			o.set("items", []any{items[i]})
			other = append(other, o)
		}
	}
	out := make([]any, 0, len(order)+len(other))
	for _, k := range order {
		o := newObject(2)
		o.set("name", k)
		o.set("items", groups[k])
		out = append(out, o)
	}
	for _, o := range other {
		out = append(out, o)
	}
	return out
}

func registerSearchFilters() {
	filters["where"] = filterItems(true)
	filters["reject"] = filterItems(false)
	filters["where_exp"] = filterExp(true)
	filters["reject_exp"] = filterExp(false)
	filters["find"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		a, i := search(v, args)
		if i < 0 {
			return undefined, nil
		}
		return a[i], nil
	}
	filters["find_index"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		if _, i := search(v, args); i >= 0 {
			return float64(i), nil
		}
		return undefined, nil
	}
	filters["has"] = func(_ *state, v any, args []any, _ map[string]any) (any, error) {
		_, i := search(v, args)
		return i >= 0, nil
	}
	filters["find_exp"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		_, item, err := searchExp(st, v, args)
		return item, err
	}
	filters["find_index_exp"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		i, _, err := searchExp(st, v, args)
		if i < 0 {
			return undefined, err
		}
		return float64(i), err
	}
	filters["has_exp"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		i, _, err := searchExp(st, v, args)
		return i >= 0, err
	}
	filters["group_by"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		items := toArray(v)
		prop := propArg(args)
		keys := make([]any, len(items))
		for i, e := range items {
			keys[i] = pathValue(e, prop)
		}
		return groupBy(keys, items), chargeArray(st, len(items))
	}
	filters["group_by_exp"] = func(st *state, v any, args []any, _ map[string]any) (any, error) {
		var keys, items []any
		err := evalExp(st, v, args, func(_ int, item, res any) bool {
			keys, items = append(keys, res), append(items, item)
			return true
		})
		return groupBy(keys, items), err
	}
}
