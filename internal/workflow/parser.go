package workflow

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// maxExpandedNodes caps how many YAML nodes decoding may visit, so that alias bombs
// ("billion laughs") cannot exhaust memory.
const maxExpandedNodes = 200_000

// maxDepth caps the nesting of decoded values and steps.
const maxDepth = 200

// parser turns a YAML node tree into the model, collecting diagnostics instead of stopping
// at the first problem.
type parser struct {
	diags   []Diagnostic
	source  *sourceMap
	visited int
	blown   bool
}

// pair is one key/value entry of a YAML mapping.
type pair struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// Parse reads a workflow document. It returns the model with positions and the problems
// found while decoding: a yamlSyntaxError when the YAML cannot be read (the Workflow is then
// nil), and schemaViolation diagnostics for values of the wrong type or format and unknown
// keys. Checks that need the whole document or the step registry (required fields, step
// types, names, references, templates, conditions) are Validate's; the two lists never
// overlap, so callers append Validate's result to Parse's (Check does both).
func Parse(src []byte) (wf *Workflow, diags []Diagnostic) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, []Diagnostic{syntaxDiagnostic(err)}
	}
	p := &parser{source: newSourceMap()}
	p.source.lines = strings.Split(string(src), "\n")
	defer func() {
		// The decoder below never panics by design; this keeps a bug from reaching users.
		if r := recover(); r != nil {
			wf = nil
			diags = append(p.diags, Diagnostic{Rule: RuleSchemaViolation, Severity: SeverityError,
				Message: fmt.Sprintf("internal error while reading the workflow: %v", r), Line: 1, Col: 1})
		}
	}()
	wf = p.workflow(&root)
	wf.source = p.source
	SortDiagnostics(p.diags)
	return wf, p.diags
}

// syntaxDiagnostic converts a YAML load error into one yamlSyntaxError diagnostic.
func syntaxDiagnostic(err error) Diagnostic {
	d := Diagnostic{Rule: RuleYAMLSyntaxError, Severity: SeverityError, Message: err.Error(), Line: 1, Col: 1}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		d.Message = "YAML syntax error: " + le.Message
		if le.ContextMsg != "" {
			d.Message += " (" + le.ContextMsg + ")"
		}
		if le.Mark.Line > 0 {
			d.Line, d.Col = le.Mark.Line, max(le.Mark.Column, 1)
		}
	}
	return d
}

// report adds a diagnostic positioned at node n (or at the start when n is nil).
func (p *parser) report(n *yaml.Node, path, rule, severity, msg string) {
	d := Diagnostic{Rule: rule, Severity: severity, Message: msg, Path: path, Line: 1, Col: 1}
	if n != nil && n.Line > 0 {
		d.Line, d.Col = n.Line, n.Column
	}
	p.diags = append(p.diags, d)
}

// errorf adds a schemaViolation error at node n.
func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	p.report(n, path, RuleSchemaViolation, SeverityError, fmt.Sprintf(format, args...))
}

// resolve follows aliases and document nodes to the node that holds content.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < maxDepth; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case 0:
			return nil
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// isNull reports whether n is absent or an explicit YAML null.
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names a node's kind for messages ("a list", "a string", ...).
func kindName(n *yaml.Node) string {
	n = resolve(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	}
	return "a string"
}

// pairs lists a mapping's entries in source order, expanding merge keys (`<<`) and
// reporting repeated keys. It reports a schemaViolation and returns nil when n is not a
// mapping.
func (p *parser) pairs(n *yaml.Node, path, what string) []pair {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.MappingNode {
		p.errorf(r, path, "%s must be a mapping, not %s", what, kindName(r))
		return nil
	}
	var out []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(r.Content); i += 2 {
		k, v := resolve(r.Content[i]), r.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			out = p.mergePairs(out, seen, v, path, what)
			continue
		}
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "keys of %s must be strings", what)
			continue
		}
		if j, dup := seen[key]; dup {
			p.report(k, joinPath(path, key), RuleYAMLSyntaxError, SeverityError,
				fmt.Sprintf("Map keys must be unique: `%s` is repeated in %s", key, what))
			out[j] = pair{key: key, keyN: k, value: v}
			continue
		}
		seen[key] = len(out)
		out = append(out, pair{key: key, keyN: k, value: v})
	}
	return out
}

// mergePairs adds the entries of a merge key's value(s) that the mapping does not set.
func (p *parser) mergePairs(out []pair, seen map[string]int, v *yaml.Node, path, what string) []pair {
	sources := []*yaml.Node{resolve(v)}
	if sources[0] != nil && sources[0].Kind == yaml.SequenceNode {
		sources = sources[0].Content
	}
	for _, s := range sources {
		s = resolve(s)
		if s == nil || s.Kind != yaml.MappingNode {
			p.errorf(v, path, "a merge key (<<) in %s must refer to a mapping", what)
			continue
		}
		for i := 0; i+1 < len(s.Content); i += 2 {
			k := resolve(s.Content[i])
			if k == nil || k.Kind != yaml.ScalarNode {
				continue
			}
			if _, dup := seen[k.Value]; !dup {
				seen[k.Value] = len(out)
				out = append(out, pair{key: k.Value, keyN: k, value: s.Content[i+1]})
			}
		}
	}
	return out
}

// seq lists a sequence's items, reporting a schemaViolation when n is not a list.
func (p *parser) seq(n *yaml.Node, path, what string) []*yaml.Node {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.SequenceNode {
		p.errorf(r, path, "%s must be a list, not %s", what, kindName(r))
		return nil
	}
	return r.Content
}

// unknownKey reports a key that the mapping does not accept, suggesting the closest
// accepted key.
func (p *parser) unknownKey(pr pair, path, what string, accepted []string) {
	msg := fmt.Sprintf("Unknown key `%s` in %s", pr.key, what)
	if s, ok := knownMistakes[pr.key]; ok && contains(accepted, s) {
		msg += fmt.Sprintf("; did you mean `%s`?", s)
	} else if s := suggest(pr.key, accepted); s != "" {
		msg += fmt.Sprintf("; did you mean `%s`?", s)
	} else {
		msg += "; accepted keys are " + quoteList(accepted)
	}
	p.errorf(pr.keyN, joinPath(path, pr.key), "%s", msg)
}

// knownMistakes maps keys that published docs get wrong to the right ones.
var knownMistakes = map[string]string{
	"case":     "match", // the cheat sheet's switch case key
	"interval": "every", // one docs page's scheduled trigger key
}

// quoteList formats names as "`a`, `b`, `c`".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}
