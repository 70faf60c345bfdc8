package template

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxCacheEntries bounds the compiled-template cache of an Engine.
const maxCacheEntries = 10000

// Engine compiles and renders templates. It is safe for concurrent use and
// caches compiled templates and expressions by source text.
type Engine struct {
	limits Limits
	mu     sync.RWMutex
	tmpls  map[string]*Template
	exprs  map[string]*compiledExpr
}

// compiledExpr is a parsed bare expression (or its syntax error).
type compiledExpr struct {
	e   expr
	err error
}

// Template is a compiled template.
type Template struct {
	src    string
	nodes  []node
	bound  map[string]bool
	engine *Engine
}

// New returns an engine applying l (zero fields take the defaults).
func New(l Limits) *Engine {
	return &Engine{limits: l.withDefaults(), tmpls: map[string]*Template{}, exprs: map[string]*compiledExpr{}}
}

// Parse checks the syntax of src and compiles it; results are cached.
func (e *Engine) Parse(src string) (*Template, error) {
	return e.parse(src, e.limits)
}

func (e *Engine) parse(src string, l Limits) (t *Template, err error) {
	if n := utf8.RuneCountInString(src); n > l.ParseLimit {
		return nil, limitErr("parse limit exceeded: template has %d characters (parseLimit %d)", n, l.ParseLimit)
	}
	e.mu.RLock()
	t, ok := e.tmpls[src]
	e.mu.RUnlock()
	if ok {
		return t, nil
	}
	defer recoverInto(&err)
	nodes, bound, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	t = &Template{src: src, nodes: nodes, bound: bound, engine: e}
	e.mu.Lock()
	if len(e.tmpls) >= maxCacheEntries {
		for k := range e.tmpls {
			delete(e.tmpls, k)
			break
		}
	}
	e.tmpls[src] = t
	e.mu.Unlock()
	return t, nil
}

// recoverInto turns a panic into an error so that no input can crash the
// caller.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = &Error{Message: fmt.Sprintf("internal template error: %v", r), kind: ErrRender}
	}
}

// Render renders src with data under the engine's limits.
func (e *Engine) Render(src string, data map[string]any) (string, error) {
	return e.RenderWithLimits(src, data, e.limits)
}

// RenderWithLimits renders src with data under l (per-workflow overrides;
// zero fields take the defaults).
func (e *Engine) RenderWithLimits(src string, data map[string]any, l Limits) (string, error) {
	l = l.withDefaults()
	t, err := e.parse(src, l)
	if err != nil {
		return "", err
	}
	return t.render(data, l, false)
}

// Render renders the template with data under its engine's limits.
func (t *Template) Render(data map[string]any) (string, error) {
	return t.render(data, t.engine.limits, false)
}

func (t *Template) render(data map[string]any, l Limits, jsOutput bool) (out string, err error) {
	defer recoverInto(&err)
	st := newState(t.src, data, l)
	st.jsOutput = jsOutput
	var b strings.Builder
	b.Grow(len(t.src) + len(t.src)/2)
	st.out = &b
	if err := renderNodes(st, &b, t.nodes); err != nil {
		return "", err
	}
	return b.String(), nil
}

// compileExpr parses a bare expression, cached.
func (e *Engine) compileExpr(src string) (expr, error) {
	e.mu.RLock()
	c, ok := e.exprs[src]
	e.mu.RUnlock()
	if !ok {
		c = &compiledExpr{}
		func() {
			defer recoverInto(&c.err)
			c.e, c.err = parseStrictExpression(src)
		}()
		e.mu.Lock()
		if len(e.exprs) >= maxCacheEntries {
			for k := range e.exprs {
				delete(e.exprs, k)
				break
			}
		}
		e.exprs[src] = c
		e.mu.Unlock()
	}
	return c.e, c.err
}

// Eval evaluates a bare expression with filters (`steps.a.output | size`)
// and returns its native value; undefined is nil.
func (e *Engine) Eval(src string, data map[string]any) (v any, err error) {
	if n := utf8.RuneCountInString(src); n > e.limits.ParseLimit {
		return nil, limitErr("parse limit exceeded: expression has %d characters (parseLimit %d)", n, e.limits.ParseLimit)
	}
	x, err := e.compileExpr(strings.TrimSpace(src))
	if err != nil {
		return nil, err
	}
	defer recoverInto(&err)
	st := newState(src, data, e.limits)
	st.out = &strings.Builder{}
	v, err = x.eval(st)
	if err != nil {
		return nil, err
	}
	return export(v), nil
}

// IsExpression reports whether s is a whole-value `${{ expr }}`: it starts
// with "${{", ends with "}}" and has no "}}" in between.
func IsExpression(s string) bool {
	if len(s) < 5 || !strings.HasPrefix(s, "${{") || !strings.HasSuffix(s, "}}") {
		return false
	}
	inner := s[3 : len(s)-2]
	return strings.TrimSpace(inner) != "" && !strings.Contains(inner, "}}")
}

// RenderValue renders every string inside v (maps and slices recursively,
// keys untouched); a string that is a whole `${{ expr }}` evaluates to the
// expression's native value. Other values are returned as they are.
func (e *Engine) RenderValue(v any, data map[string]any) (any, error) {
	return e.renderValue(v, data, 0)
}

func (e *Engine) renderValue(v any, data map[string]any, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, renderErr("value nested too deeply")
	}
	switch x := v.(type) {
	case string:
		return e.renderString(x, data)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			r, err := e.renderValue(val, data, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			r, err := e.renderValue(val, data, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, s := range x {
			r, err := e.renderString(s, data)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			r, err := e.renderString(s, data)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (e *Engine) renderString(s string, data map[string]any) (any, error) {
	if IsExpression(s) {
		v, err := e.Eval(s[3:len(s)-2], data)
		if err != nil {
			return nil, &Error{Message: fmt.Sprintf("The provided expression is invalid. Got: %s (%s)", s, err.Error()), kind: ErrInvalidExpression}
		}
		return v, nil
	}
	if strings.Contains(s, "${{") {
		return nil, &Error{Message: "The provided expression is invalid. Got: " + s, kind: ErrInvalidExpression}
	}
	if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return s, nil
	}
	return e.Render(s, data)
}

// export converts engine-internal values to plain Go values: ordered
// objects become map[string]any, entries pairs {key, value} maps, drops and
// undefined nil or "".
func export(v any) any {
	switch x := normalize(v).(type) {
	case undefinedType:
		return nil
	case drop:
		return toValue(x)
	case *object:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			if _, u := x.vals[k].(undefinedType); !u {
				m[k] = export(x.vals[k])
			}
		}
		return m
	case pair:
		return map[string]any{"key": x.key, "value": export(x.value)}
	case []any:
		if !needsExport(x) {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = export(e)
		}
		return out
	}
	return v
}

func needsExport(a []any) bool {
	for _, e := range a {
		switch e.(type) {
		case undefinedType, drop, *object, pair, []any:
			return true
		}
	}
	return false
}
