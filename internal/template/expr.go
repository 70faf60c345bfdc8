package template

import (
	"math"
)

// expr is a compiled expression.
type expr interface {
	eval(st *state) (any, error)
}

// literal is a constant value.
type literal struct{ v any }

func (l literal) eval(*state) (any, error) { return l.v, nil }

// segment is one property access: a literal key or a computed index.
type segment struct {
	key     any // string or float64 when literal
	dynamic expr
}

// variable is a path like a.b[0]["c-d"][x].
type variable struct {
	root     string
	rootExpr expr // for [expr] at the start
	segs     []segment
}

func (v *variable) eval(st *state) (any, error) {
	var cur any
	if v.rootExpr != nil {
		k, err := v.rootExpr.eval(st)
		if err != nil {
			return nil, err
		}
		cur = st.lookup(stringify(k))
	} else {
		cur = st.lookup(v.root)
	}
	for _, s := range v.segs {
		key := s.key
		if s.dynamic != nil {
			k, err := s.dynamic.eval(st)
			if err != nil {
				return nil, err
			}
			key = toValue(k)
		}
		cur = readProperty(cur, key)
	}
	return cur, nil
}

// rangeExpr is (from..to).
type rangeExpr struct{ from, to expr }

func (r *rangeExpr) eval(st *state) (any, error) {
	lo, hi, err := r.bounds(st)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || hi+1 <= lo {
		return []any{}, nil
	}
	n := int64(math.Ceil(hi + 1 - lo))
	if err := st.charge(n * 16); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	for i := int64(0); i < n; i++ {
		out = append(out, lo+float64(i))
	}
	return out, nil
}

func (r *rangeExpr) bounds(st *state) (float64, float64, error) {
	a, err := r.from.eval(st)
	if err != nil {
		return 0, 0, err
	}
	b, err := r.to.eval(st)
	if err != nil {
		return 0, 0, err
	}
	return jsNumber(a), jsNumber(b), nil
}

// binary is a comparison or a logical operator.
type binary struct {
	op   string
	l, r expr
}

func (b *binary) eval(st *state) (any, error) {
	l, err := b.l.eval(st)
	if err != nil {
		return nil, err
	}
	switch b.op {
	case "and":
		if !isTruthy(l) {
			return false, nil
		}
		r, err := b.r.eval(st)
		return isTruthy(r), err
	case "or":
		if isTruthy(l) {
			return true, nil
		}
		r, err := b.r.eval(st)
		return isTruthy(r), err
	}
	r, err := b.r.eval(st)
	if err != nil {
		return nil, err
	}
	return compare(b.op, l, r), nil
}

// notExpr is the unary `not`.
type notExpr struct{ e expr }

func (n *notExpr) eval(st *state) (any, error) {
	v, err := n.e.eval(st)
	return !isTruthy(v), err
}

// filtered is a value followed by filters.
type filtered struct {
	base    expr
	filters []*filterCall
}

// filterCall is one `| name: args` application.
type filterCall struct {
	name string
	fn   filterFunc
	args []filterArg
	pos  int
}

// filterArg is a positional (key == "") or keyword argument.
type filterArg struct {
	key string
	val expr
}

func (f *filtered) eval(st *state) (any, error) {
	v, err := f.base.eval(st)
	if err != nil {
		return nil, err
	}
	for _, fc := range f.filters {
		args := make([]any, 0, len(fc.args))
		var kw map[string]any
		for _, a := range fc.args {
			av, err := a.val.eval(st)
			if err != nil {
				return nil, err
			}
			if a.key != "" {
				if kw == nil {
					kw = map[string]any{}
				}
				kw[a.key] = av
				continue
			}
			args = append(args, av)
		}
		v, err = fc.fn(st, v, args, kw)
		if err == nil {
			err = st.charge(valueSize(v))
		}
		if err != nil {
			if te, ok := err.(*Error); ok && te.Line == 0 && st.src != "" {
				te.Line, te.Col = lineCol(st.src, fc.pos)
			}
			return nil, err
		}
	}
	return v, nil
}

// readProperty reads obj[key] the way LiquidJS does with ownPropertyOnly,
// including the special size, first and last.
func readProperty(obj any, key any) any {
	obj = normalize(obj)
	switch o := obj.(type) {
	case map[string]any:
		k := propKey(key)
		if v, ok := o[k]; ok {
			return v
		}
		if k == "size" {
			return float64(len(o))
		}
	case *object:
		k := propKey(key)
		if v, ok := o.vals[k]; ok {
			return v
		}
		if k == "size" {
			return float64(len(o.keys))
		}
	case []any:
		return readIndex(o, key)
	case string:
		if k, ok := key.(string); ok && k == "size" {
			return float64(strLen(o))
		}
	case pair:
		switch propKey(key) {
		case "0", "key", "first":
			return o.key
		case "1", "value", "last":
			return o.value
		case "size":
			return float64(2)
		}
	}
	return undefined
}

func propKey(key any) string {
	if f, ok := key.(float64); ok {
		return formatNumber(f)
	}
	return stringify(key)
}

func readIndex(a []any, key any) any {
	var idx float64
	switch k := key.(type) {
	case float64:
		idx = k
	case string:
		switch k {
		case "size":
			return float64(len(a))
		case "first":
			if len(a) == 0 {
				return undefined
			}
			return a[0]
		case "last":
			if len(a) == 0 {
				return undefined
			}
			return a[len(a)-1]
		}
		idx = parseJSNumber(k)
		if math.IsNaN(idx) || k == "" {
			return undefined
		}
	default:
		return undefined
	}
	if idx != math.Trunc(idx) {
		return undefined
	}
	i := int(idx)
	if i < 0 {
		i += len(a)
	}
	if i < 0 || i >= len(a) {
		return undefined
	}
	return a[i]
}

// valueSize estimates the bytes a filter result occupies (its top level).
func valueSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case []any:
		return int64(16 * len(x))
	case *object:
		return int64(32 * len(x.keys))
	}
	return 8
}
