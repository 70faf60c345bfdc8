package workflow

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// sourceMap remembers the YAML node behind every document path the parser visited, so that
// diagnostics found later (by Validate) carry a line and column.
type sourceMap struct {
	nodes map[string]*yaml.Node
	keys  map[string]*yaml.Node
	lines []string // the source, for positions inside block scalars
}

// newSourceMap returns an empty sourceMap.
func newSourceMap() *sourceMap {
	return &sourceMap{nodes: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
}

// add records the value node (and, when known, the key node) of path.
func (m *sourceMap) add(path string, key, value *yaml.Node) {
	if m == nil {
		return
	}
	if value != nil {
		m.nodes[path] = value
	}
	if key != nil {
		m.keys[path] = key
	}
}

// node returns the value node of path, or nil.
func (m *sourceMap) node(path string) *yaml.Node {
	if m == nil {
		return nil
	}
	return m.nodes[path]
}

// pos returns the position of path's value, falling back to the closest recorded parent
// path, then to the start of the document.
func (m *sourceMap) pos(path string) Pos {
	for p := path; m != nil; p = parentPath(p) {
		if n := m.nodes[p]; n != nil {
			return nodePos(n)
		}
		if p == "" {
			break
		}
	}
	return Pos{Line: 1, Col: 1}
}

// inside returns the document position of the 1-based line and column (in runes) of a
// position inside the string value of path. Quoted and plain scalars map exactly on their
// first line; block scalars (| and >) map by line and indentation; escapes and folding make
// the column approximate.
func (m *sourceMap) inside(path string, line, col int) Pos {
	n := m.node(path)
	if n == nil || line < 1 {
		return m.pos(path)
	}
	col = max(col, 1)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		l := n.Line + line
		if l-1 < len(m.lines) {
			text := m.lines[l-1]
			return Pos{Line: l, Col: len(text) - len(strings.TrimLeft(text, " ")) + col}
		}
		return Pos{Line: n.Line, Col: n.Column}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		if line == 1 {
			return Pos{Line: n.Line, Col: n.Column + col}
		}
	default:
		if line == 1 {
			return Pos{Line: n.Line, Col: n.Column + col - 1}
		}
	}
	return Pos{Line: n.Line + line - 1, Col: col}
}

// nodePos converts a node's line and column into a Pos.
func nodePos(n *yaml.Node) Pos {
	return Pos{Line: n.Line, Col: n.Column}
}

// parentPath drops the last segment of a dotted path ("steps.0.with" → "steps.0").
func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[:i]
		}
	}
	return ""
}

// joinPath appends a key to a dotted path.
func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// indexPath appends a sequence index to a dotted path.
func indexPath(base string, i int) string {
	return joinPath(base, strconv.Itoa(i))
}
