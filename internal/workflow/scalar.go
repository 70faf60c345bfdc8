package workflow

import (
	"math"
	"strconv"
	"time"

	"go.yaml.in/yaml/v4"
)

// str decodes a string field. ok is false when the field is null or not a string (the
// latter is reported).
func (p *parser) str(n *yaml.Node, path, field string) (string, bool) {
	r := resolve(n)
	if isNull(r) {
		return "", false
	}
	if r.Kind != yaml.ScalarNode || !isStringTag(r.ShortTag()) {
		p.errorf(r, path, "`%s` must be a string, not %s", field, kindName(r))
		return "", false
	}
	return r.Value, true
}

// isStringTag reports whether a scalar with this tag reads as a string in the Kibana
// dialect (JavaScript YAML has no timestamp type).
func isStringTag(tag string) bool {
	switch tag {
	case "!!int", "!!float", "!!bool", "!!null":
		return false
	}
	return true
}

// integer decodes an integer field, reporting anything else.
func (p *parser) integer(n *yaml.Node, path, field string) (int, bool) {
	r := resolve(n)
	if isNull(r) {
		return 0, false
	}
	if r.Kind == yaml.ScalarNode {
		switch v := scalarValue(r).(type) {
		case int:
			return v, true
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return int(v), true
			}
		}
	}
	p.errorf(r, path, "`%s` must be an integer, not %s", field, kindName(r))
	return 0, false
}

// number decodes a numeric field, reporting anything else.
func (p *parser) number(n *yaml.Node, path, field string) (float64, bool) {
	r := resolve(n)
	if isNull(r) {
		return 0, false
	}
	if r.Kind == yaml.ScalarNode {
		switch v := scalarValue(r).(type) {
		case int:
			return float64(v), true
		case float64:
			return v, true
		}
	}
	p.errorf(r, path, "`%s` must be a number, not %s", field, kindName(r))
	return 0, false
}

// boolean decodes a boolean field; with loose, the strings "true" and "false" are accepted
// too (as Kibana's `continue`).
func (p *parser) boolean(n *yaml.Node, path, field string, loose bool) (bool, bool) {
	r := resolve(n)
	if isNull(r) {
		return false, false
	}
	if r.Kind == yaml.ScalarNode {
		switch v := scalarValue(r).(type) {
		case bool:
			return v, true
		case string:
			if loose && (v == "true" || v == "false") {
				return v == "true", true
			}
		}
	}
	p.errorf(r, path, "`%s` must be true or false, not %s", field, kindName(r))
	return false, false
}

// duration decodes a duration field ("30s", "1h30m").
func (p *parser) duration(n *yaml.Node, path, field string) (time.Duration, bool) {
	s, ok := p.str(n, path, field)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.errorf(resolve(n), path, "`%s` has an invalid duration %q: use units w d h m s ms in descending order, like \"30s\" or \"1h30m\"", field, s)
		return 0, false
	}
	return d, true
}

// byteSize decodes a byte size field ("10mb").
func (p *parser) byteSize(n *yaml.Node, path, field string) (int64, bool) {
	s, ok := p.str(n, path, field)
	if !ok {
		return 0, false
	}
	b, err := ParseByteSize(s)
	if err != nil {
		p.errorf(resolve(n), path, "`%s` has an invalid size %q: use a number and b, kb, mb or gb, like \"10mb\"", field, s)
		return 0, false
	}
	return b, true
}

// enum decodes a string field that must be one of allowed.
func (p *parser) enum(n *yaml.Node, path, field string, allowed ...string) (string, bool) {
	s, ok := p.str(n, path, field)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	p.errorf(resolve(n), path, "`%s` must be one of %s, not %q", field, quoteList(allowed), s)
	return "", false
}

// scalarValue converts a scalar node to its Go value the way JavaScript YAML reads it:
// timestamps stay strings, non-finite floats stay strings (they have no JSON form), and
// integers too large for int become float64.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(cleanNumber(n.Value), 0, 64); err == nil && i >= math.MinInt && i <= math.MaxInt {
			return int(i)
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

// cleanNumber drops YAML's digit separators so strconv can read the integer.
func cleanNumber(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// value decodes any node into plain Go values (map[string]any, []any, scalars), recording
// the position of every nested path. It stops with a diagnostic when aliases expand beyond
// maxExpandedNodes or nesting exceeds maxDepth.
func (p *parser) value(n *yaml.Node, path string, depth int) any {
	r := resolve(n)
	if r == nil || p.blown {
		return nil
	}
	p.visited++
	if p.visited > maxExpandedNodes || depth > maxDepth {
		p.blown = true
		p.errorf(r, path, "the document is too large or too deeply nested once aliases are expanded")
		return nil
	}
	p.source.add(path, nil, r)
	switch r.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, pr := range p.pairs(r, path, "`"+lastSegment(path)+"`") {
			p.source.add(joinPath(path, pr.key), pr.keyN, nil)
			m[pr.key] = p.value(pr.value, joinPath(path, pr.key), depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(r.Content))
		for i, c := range r.Content {
			s = append(s, p.value(c, indexPath(path, i), depth+1))
		}
		return s
	}
	return scalarValue(r)
}

// mapValue decodes a node that must be a mapping into map[string]any.
func (p *parser) mapValue(n *yaml.Node, path, field string) map[string]any {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.MappingNode {
		p.errorf(r, path, "`%s` must be a mapping, not %s", field, kindName(r))
		return nil
	}
	m, _ := p.value(r, path, 0).(map[string]any)
	return m
}

// lastSegment returns the last segment of a dotted path.
func lastSegment(path string) string {
	parent := parentPath(path)
	if parent == "" {
		return path
	}
	return path[len(parent)+1:]
}
