package template

import (
	"math"
	"strings"
)

// node is one compiled piece of a template.
type node interface {
	render(st *state, w *strings.Builder) error
}

// renderNodes renders a block, stopping early on break/continue.
func renderNodes(st *state, w *strings.Builder, nodes []node) error {
	for _, n := range nodes {
		if err := n.render(st, w); err != nil {
			return err
		}
		if st.interrupt != 0 {
			return nil
		}
	}
	return nil
}

type textNode struct{ text string }

func (n *textNode) render(st *state, w *strings.Builder) error { return st.write(w, n.text) }

// outputNode is {{ expr }} and {% echo expr %}.
type outputNode struct {
	e   expr
	pos int
}

func (n *outputNode) render(st *state, w *strings.Builder) error {
	if err := st.tick(); err != nil {
		return err
	}
	v, err := n.e.eval(st)
	if err != nil {
		return err
	}
	return st.write(w, st.output(v))
}

type assignNode struct {
	name string
	e    expr
}

func (n *assignNode) render(st *state, _ *strings.Builder) error {
	if err := st.tick(); err != nil {
		return err
	}
	v, err := n.e.eval(st)
	if err != nil {
		return err
	}
	st.assign(n.name, v)
	return nil
}

type captureNode struct {
	name string
	body []node
}

func (n *captureNode) render(st *state, _ *strings.Builder) error {
	var b strings.Builder
	if err := renderNodes(st, &b, n.body); err != nil {
		return err
	}
	st.assign(n.name, b.String())
	return nil
}

// condBranch is one if/elsif/when branch.
type condBranch struct {
	cond   expr
	negate bool
	body   []node
}

type ifNode struct {
	branches []condBranch
	elseBody []node
}

func (n *ifNode) render(st *state, w *strings.Builder) error {
	if err := st.tick(); err != nil {
		return err
	}
	for _, b := range n.branches {
		v, err := b.cond.eval(st)
		if err != nil {
			return err
		}
		if isTruthy(v) != b.negate {
			return renderNodes(st, w, b.body)
		}
	}
	return renderNodes(st, w, n.elseBody)
}

type caseBranch struct {
	values []expr
	body   []node
}

type caseNode struct {
	subject  expr
	branches []caseBranch
	elseBody []node
}

func (n *caseNode) render(st *state, w *strings.Builder) error {
	subject, err := n.subject.eval(st)
	if err != nil {
		return err
	}
	hit := false
	for _, b := range n.branches {
		for _, ve := range b.values {
			v, err := ve.eval(st)
			if err != nil {
				return err
			}
			if equals(subject, v) {
				hit = true
				if err := renderNodes(st, w, b.body); err != nil || st.interrupt != 0 {
					return err
				}
				break
			}
		}
	}
	if !hit {
		return renderNodes(st, w, n.elseBody)
	}
	return nil
}

type interruptNode struct{ kind int }

func (n *interruptNode) render(st *state, _ *strings.Builder) error {
	st.interrupt = n.kind
	return nil
}

type counterNode struct {
	name  string
	delta float64
}

func (n *counterNode) render(st *state, w *strings.Builder) error {
	if st.env == nil {
		st.env = map[string]any{}
	}
	cur, ok := st.env[n.name].(float64)
	if !ok {
		if d, isNum := normalize(st.data[n.name]).(float64); isNum {
			cur = d
		}
	}
	if n.delta < 0 {
		cur += n.delta
		st.env[n.name] = cur
		return st.write(w, formatNumber(cur))
	}
	st.env[n.name] = cur + n.delta
	return st.write(w, formatNumber(cur))
}

type cycleNode struct {
	group    expr
	key      string
	elements []expr
}

func (n *cycleNode) render(st *state, w *strings.Builder) error {
	key := "\x00" + n.key
	if n.group != nil {
		g, err := n.group.eval(st)
		if err != nil {
			return err
		}
		key = "g:" + jsString(g) + "\x00" + n.key
	}
	if st.cycles == nil {
		st.cycles = map[string]int{}
	}
	idx := st.cycles[key]
	st.cycles[key] = idx + 1
	v, err := n.elements[idx%len(n.elements)].eval(st)
	if err != nil {
		return err
	}
	return st.write(w, st.output(v))
}

type blockNode struct{ body []node }

func (n *blockNode) render(st *state, w *strings.Builder) error { return renderNodes(st, w, n.body) }

// forNode is {% for var in collection limit/offset/reversed %}.
type forNode struct {
	varName  string
	name     string
	coll     expr
	limit    expr
	offset   expr
	contOff  bool
	reversed bool
	body     []node
	elseBody []node
}

func (n *forNode) items(st *state) ([]any, error) {
	if r, ok := n.coll.(*rangeExpr); ok {
		lo, hi, err := r.bounds(st)
		if err != nil {
			return nil, err
		}
		if !math.IsNaN(lo) && !math.IsNaN(hi) && hi-lo > float64(st.limits.MemoryLimit/16) {
			return nil, st.charge(st.limits.MemoryLimit + 1)
		}
	}
	v, err := n.coll.eval(st)
	if err != nil {
		return nil, err
	}
	switch x := toValue(v).(type) {
	case []any:
		return x, nil
	case map[string]any, *object:
		return toEnumerable(x), nil
	case string:
		if x == "" {
			return nil, nil
		}
		return []any{x}, nil
	}
	return nil, nil
}

func (n *forNode) render(st *state, w *strings.Builder) error {
	items, err := n.items(st)
	if err != nil {
		return err
	}
	items, err = n.slice(st, items)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return renderNodes(st, w, n.elseBody)
	}
	loop := map[string]any{"name": n.name, "length": float64(len(items))}
	scope := map[string]any{"forloop": loop}
	st.scopes = append(st.scopes, scope)
	defer func() { st.scopes = st.scopes[:len(st.scopes)-1] }()
	for i, it := range items {
		if err := st.tick(); err != nil {
			return err
		}
		if err := st.charge(8); err != nil {
			return err
		}
		scope[n.varName] = it
		loop["index"], loop["index0"] = float64(i+1), float64(i)
		loop["rindex"], loop["rindex0"] = float64(len(items)-i), float64(len(items)-i-1)
		loop["first"], loop["last"] = i == 0, i == len(items)-1
		if err := renderNodes(st, w, n.body); err != nil {
			return err
		}
		if st.interrupt == interruptBreak {
			st.interrupt = 0
			break
		}
		st.interrupt = 0
	}
	return nil
}

// slice applies offset, limit and reversed, and records where the loop
// ended for a later `offset: continue`.
func (n *forNode) slice(st *state, items []any) ([]any, error) {
	off := 0
	if n.contOff {
		off = st.continues[n.name]
	} else if n.offset != nil {
		v, err := n.offset.eval(st)
		if err != nil {
			return nil, err
		}
		off = toInteger(v)
	}
	if off < 0 {
		off = max(0, len(items)+off)
	}
	items = items[min(off, len(items)):]
	if n.limit != nil {
		v, err := n.limit.eval(st)
		if err != nil {
			return nil, err
		}
		lim := toInteger(v)
		if lim < 0 {
			lim = max(0, len(items)+lim)
		}
		items = items[:min(lim, len(items))]
	}
	if st.continues == nil {
		st.continues = map[string]int{}
	}
	st.continues[n.name] = off + len(items)
	if n.reversed {
		rev := make([]any, len(items))
		for i, v := range items {
			rev[len(items)-1-i] = v
		}
		items = rev
	}
	return items, nil
}
