package template

import (
	"math"
)

// filterFunc implements one filter: v is the input, args the positional
// arguments as given (a missing argument is absent, an undefined variable is
// present as undefined), kw the keyword arguments.
type filterFunc func(st *state, v any, args []any, kw map[string]any) (any, error)

// filters is the registry of every filter the engine knows; any other name
// is a parse error (strictFilters).
var filters map[string]filterFunc

func init() {
	filters = map[string]filterFunc{}
	registerStringFilters()
	registerArrayFilters()
	registerMathFilters()
	registerMiscFilters()
}

// arg returns the i-th positional argument and whether it was given.
func arg(args []any, i int) (any, bool) {
	if i < len(args) {
		return args[i], true
	}
	return nil, false
}

// argOr returns the i-th argument, or def when it is missing or undefined
// (JavaScript default parameters).
func argOr(args []any, i int, def any) any {
	if i < len(args) {
		if _, u := args[i].(undefinedType); !u {
			return args[i]
		}
	}
	return def
}

func registerMathFilters() {
	num1 := func(f func(float64) float64) filterFunc {
		return func(_ *state, v any, _ []any, _ map[string]any) (any, error) { return f(toNumber(v)), nil }
	}
	// arith applies a binary operation; a missing argument is NaN like
	// JavaScript's v - undefined.
	arith := func(f func(a, b float64) float64) filterFunc {
		return func(_ *state, v any, args []any, _ map[string]any) (any, error) {
			b := math.NaN()
			if a, ok := arg(args, 0); ok {
				b = toNumber(a)
			}
			return f(toNumber(v), b), nil
		}
	}
	extreme := func(pickMax bool) filterFunc {
		return func(_ *state, v any, args []any, _ map[string]any) (any, error) {
			r := toNumber(v)
			for _, a := range args {
				n := toNumber(a)
				if pickMax == (n > r) && n != r {
					r = n
				}
			}
			return r, nil
		}
	}
	filters["abs"] = num1(math.Abs)
	filters["ceil"] = num1(math.Ceil)
	filters["floor"] = num1(math.Floor)
	filters["at_least"] = extreme(true)
	filters["at_most"] = extreme(false)
	filters["plus"] = arith(func(a, b float64) float64 { return a + b })
	filters["minus"] = arith(func(a, b float64) float64 { return a - b })
	filters["times"] = arith(func(a, b float64) float64 { return a * b })
	filters["modulo"] = arith(math.Mod)
	filters["divided_by"] = dividedBy
	filters["round"] = round
}

func dividedBy(_ *state, v any, args []any, _ map[string]any) (any, error) {
	d := math.NaN()
	if a, ok := arg(args, 0); ok {
		d = toNumber(a)
	}
	q := toNumber(v) / d
	if ia, ok := arg(args, 1); ok && toNumber(ia) != 0 {
		q = math.Floor(q)
	}
	return q, nil
}

// jsRound is JavaScript's Math.round (halves round up).
func jsRound(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return math.Floor(x + 0.5)
}

func round(_ *state, v any, args []any, _ map[string]any) (any, error) {
	x := toNumber(v)
	p := toNumber(argOr(args, 0, 0.0))
	if p != math.Trunc(p) {
		return x, nil
	}
	amp := math.Pow(10, p)
	return jsRound(x*amp) / amp, nil
}
