package template

import "strings"

// Variables returns every variable path the template references, as
// segments (`steps["fetch-rss"].output.x` is ["steps","fetch-rss","output","x"]),
// cut at the first computed index. Paths whose root the template binds
// itself (assign, capture, for, increment/decrement, forloop) are left out.
func (t *Template) Variables() [][]string {
	c := &varCollector{bound: t.bound, seen: map[string]bool{}}
	c.nodes(t.nodes)
	return c.paths
}

// ParseExpression checks the syntax of a bare expression (filters allowed)
// and returns the variable paths it references.
func ParseExpression(src string) ([][]string, error) {
	e, err := parseStrictExpression(strings.TrimSpace(src))
	if err != nil {
		return nil, err
	}
	c := &varCollector{seen: map[string]bool{}}
	c.expr(e)
	return c.paths, nil
}

// varCollector walks nodes and expressions gathering variable paths.
type varCollector struct {
	bound map[string]bool
	seen  map[string]bool
	paths [][]string
}

func (c *varCollector) add(path []string) {
	if len(path) == 0 || c.bound[path[0]] {
		return
	}
	key := strings.Join(path, "\x00")
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.paths = append(c.paths, path)
}

func (c *varCollector) nodes(ns []node) {
	for _, n := range ns {
		c.node(n)
	}
}

func (c *varCollector) node(n node) {
	switch x := n.(type) {
	case *outputNode:
		c.expr(x.e)
	case *assignNode:
		c.expr(x.e)
	case *captureNode:
		c.nodes(x.body)
	case *ifNode:
		for _, b := range x.branches {
			c.expr(b.cond)
			c.nodes(b.body)
		}
		c.nodes(x.elseBody)
	case *caseNode:
		c.expr(x.subject)
		for _, b := range x.branches {
			for _, v := range b.values {
				c.expr(v)
			}
			c.nodes(b.body)
		}
		c.nodes(x.elseBody)
	case *forNode:
		c.expr(x.coll)
		c.expr(x.limit)
		c.expr(x.offset)
		c.nodes(x.body)
		c.nodes(x.elseBody)
	case *cycleNode:
		c.expr(x.group)
		for _, e := range x.elements {
			c.expr(e)
		}
	case *blockNode:
		c.nodes(x.body)
	}
}

func (c *varCollector) expr(e expr) {
	switch x := e.(type) {
	case *variable:
		c.variable(x)
	case *binary:
		c.expr(x.l)
		c.expr(x.r)
	case *notExpr:
		c.expr(x.e)
	case *rangeExpr:
		c.expr(x.from)
		c.expr(x.to)
	case *filtered:
		c.expr(x.base)
		for _, f := range x.filters {
			for _, a := range f.args {
				c.expr(a.val)
			}
		}
	}
}

func (c *varCollector) variable(v *variable) {
	var path []string
	if v.rootExpr != nil {
		if lit, ok := v.rootExpr.(literal); ok {
			if s, isStr := lit.v.(string); isStr {
				path = append(path, s)
			}
		}
		if path == nil {
			c.expr(v.rootExpr)
		}
	} else {
		path = append(path, v.root)
	}
	cut := path == nil
	for _, s := range v.segs {
		if s.dynamic != nil {
			c.expr(s.dynamic)
			cut = true
			continue
		}
		if !cut {
			path = append(path, propKey(s.key))
		}
	}
	c.add(path)
}
