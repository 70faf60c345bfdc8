package workflow

import (
	"go.yaml.in/yaml/v4"
)

// stepKeys are the keys any step may carry; which of them a given type uses is checked by
// Validate.
var stepKeys = []string{
	"name", "type", "with", "connector-id", "if", "foreach", "timeout", "max-step-size",
	"on-failure", "max-iterations", "iteration-timeout", "iteration-on-failure", "condition",
	"steps", "else", "expression", "cases", "default", "branches", "mode", "concurrency",
	"branch-timeout", "status", "sources",
}

// extraStepKeys are top-level keys some step types take that land in Step.Extra.
var extraStepKeys = []string{
	"items", "source", "arrays", "strategy", "errorIfNoMatch", "detailed", "agent-id",
	"create-conversation", "push-case",
}

// allStepKeys is every key a step accepts, for suggestions.
var allStepKeys = append(append([]string{}, stepKeys...), extraStepKeys...)

// steps decodes a list of steps at path.
func (p *parser) steps(n *yaml.Node, path string, depth int) []*Step {
	var out []*Step
	for i, item := range p.seq(n, path, "`"+lastSegment(path)+"`") {
		if s := p.step(item, indexPath(path, i), depth); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// step decodes one step.
func (p *parser) step(n *yaml.Node, path string, depth int) *Step {
	r := resolve(n)
	if r == nil || depth > maxDepth || p.blown {
		return nil
	}
	p.source.add(path, nil, r)
	s := &Step{Path: path, Pos: nodePos(r)}
	for _, pr := range p.pairs(r, path, "a step") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		if !p.commonStepField(s, pr, sub, depth) && !p.flowStepField(s, pr, sub, depth) {
			p.extraStepField(s, pr, path)
		}
	}
	return s
}

// commonStepField decodes a field every step type may carry; it reports whether the key
// was one of them.
func (p *parser) commonStepField(s *Step, pr pair, path string, depth int) bool {
	switch pr.key {
	case "name":
		s.Name, _ = p.str(pr.value, path, "name")
	case "type":
		s.Type, _ = p.str(pr.value, path, "type")
	case "with":
		s.With = p.mapValue(pr.value, path, "with")
	case "connector-id":
		s.ConnectorID, _ = p.str(pr.value, path, "connector-id")
	case "if":
		s.If, _ = p.str(pr.value, path, "if")
	case "foreach":
		s.Foreach = p.foreachValue(pr.value, path)
	case "timeout":
		s.Timeout, _ = p.duration(pr.value, path, "timeout")
	case "max-step-size":
		s.MaxStepSize, _ = p.byteSize(pr.value, path, "max-step-size")
	case "on-failure":
		s.OnFailure = p.onFailure(pr.value, path, depth)
	case "max-iterations":
		s.MaxIterations = p.maxIterations(pr.value, path)
	case "iteration-timeout":
		s.IterationTimeout, _ = p.duration(pr.value, path, "iteration-timeout")
	case "iteration-on-failure":
		s.IterationOnFailure = p.onFailure(pr.value, path, depth)
	default:
		return false
	}
	return true
}

// flowStepField decodes a field of a flow-control step; it reports whether the key was
// one of them.
func (p *parser) flowStepField(s *Step, pr pair, path string, depth int) bool {
	switch pr.key {
	case "condition":
		s.Condition, _ = p.str(pr.value, path, "condition")
	case "steps":
		s.Steps = p.steps(pr.value, path, depth+1)
	case "else":
		s.Else = p.steps(pr.value, path, depth+1)
	case "expression":
		s.Expression, _ = p.str(pr.value, path, "expression")
	case "cases":
		s.Cases = p.cases(pr.value, path, depth)
	case "default":
		s.Default = p.steps(pr.value, path, depth+1)
	case "branches":
		s.Branches = p.branches(pr.value, path, depth)
	case "mode":
		if m, ok := p.str(pr.value, path, "mode"); ok {
			s.Mode = m
			if m != "fail-fast" && m != "settled" {
				p.report(resolve(pr.value), path, RuleInvalidParallelMode, SeverityError,
					"`mode` must be `fail-fast` or `settled`, not \""+m+"\"")
			}
		}
	case "concurrency":
		s.MaxConcurrency = p.parallelConcurrency(pr.value, path)
	case "branch-timeout":
		s.BranchTimeout, _ = p.duration(pr.value, path, "branch-timeout")
	case "status":
		s.Status, _ = p.enum(pr.value, path, "status", "completed", "cancelled", "failed")
	case "sources":
		s.Sources = p.stringList(pr.value, path, "sources")
	default:
		return false
	}
	return true
}

// extraStepField keeps a type-specific top-level key in Step.Extra, or reports an unknown
// key with the closest accepted one ("onFailure" → "on-failure").
func (p *parser) extraStepField(s *Step, pr pair, stepPath string) {
	if !contains(extraStepKeys, pr.key) {
		p.unknownKey(pr, stepPath, stepWhat(s), allStepKeys)
		return
	}
	if s.Extra == nil {
		s.Extra = map[string]any{}
	}
	s.Extra[pr.key] = p.value(pr.value, joinPath(stepPath, pr.key), 0)
}

// stepWhat names a step for messages.
func stepWhat(s *Step) string {
	if s.Name != "" {
		return "step `" + s.Name + "`"
	}
	return "a step"
}

// foreachValue decodes `foreach`: an expression string or a literal list.
func (p *parser) foreachValue(n *yaml.Node, path string) any {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind == yaml.SequenceNode || (r.Kind == yaml.ScalarNode && isStringTag(r.ShortTag())) {
		return p.value(r, path, 0)
	}
	p.errorf(r, path, "`foreach` must be an expression string or a list, not %s", kindName(r))
	return nil
}

// maxIterations decodes `max-iterations`: a bare number (on-limit continue) or
// {limit, on-limit}. An object without on-limit also continues.
func (p *parser) maxIterations(n *yaml.Node, path string) *MaxIterations {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	mi := &MaxIterations{OnLimit: "continue"}
	if r.Kind != yaml.MappingNode {
		if v, ok := p.integer(r, path, "max-iterations"); ok {
			mi.Limit = p.atLeast(r, path, "max-iterations", v, 1)
			return mi
		}
		return nil
	}
	for _, pr := range p.pairs(r, path, "`max-iterations`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "limit":
			if v, ok := p.integer(pr.value, sub, "max-iterations.limit"); ok {
				mi.Limit = p.atLeast(pr.value, sub, "max-iterations.limit", v, 1)
			}
		case "on-limit":
			if v, ok := p.enum(pr.value, sub, "max-iterations.on-limit", "continue", "fail"); ok {
				mi.OnLimit = v
			}
		default:
			p.unknownKey(pr, path, "`max-iterations`", []string{"limit", "on-limit"})
		}
	}
	if mi.Limit == 0 {
		p.errorf(r, path, "`max-iterations` needs a `limit`")
	}
	return mi
}

// parallelConcurrency decodes a parallel step's `concurrency`: N or {max, count-waiting}.
func (p *parser) parallelConcurrency(n *yaml.Node, path string) int {
	r := resolve(n)
	if isNull(r) {
		return 0
	}
	check := func(vn *yaml.Node, sub string, v int) int {
		if v < 1 || v > 20 {
			p.errorf(resolve(vn), sub, "parallel `concurrency` must be between 1 and 20, not %d", v)
		}
		return v
	}
	if r.Kind != yaml.MappingNode {
		if v, ok := p.integer(r, path, "concurrency"); ok {
			return check(r, path, v)
		}
		return 0
	}
	var max int
	for _, pr := range p.pairs(r, path, "`concurrency`") {
		sub := joinPath(path, pr.key)
		switch pr.key {
		case "max":
			if v, ok := p.integer(pr.value, sub, "concurrency.max"); ok {
				max = check(pr.value, sub, v)
			}
		case "count-waiting":
			p.boolean(pr.value, sub, "concurrency.count-waiting", false)
		default:
			p.unknownKey(pr, path, "`concurrency`", []string{"max", "count-waiting"})
		}
	}
	return max
}

// cases decodes a switch step's `cases`.
func (p *parser) cases(n *yaml.Node, path string, depth int) []*SwitchCase {
	var out []*SwitchCase
	for i, item := range p.seq(n, path, "`cases`") {
		cpath := indexPath(path, i)
		p.source.add(cpath, nil, resolve(item))
		c := &SwitchCase{}
		for _, pr := range p.pairs(item, cpath, "a switch case") {
			sub := joinPath(cpath, pr.key)
			p.source.add(sub, pr.keyN, resolve(pr.value))
			switch pr.key {
			case "match":
				c.Match = p.caseMatch(pr.value, sub)
			case "steps":
				c.Steps = p.steps(pr.value, sub, depth+1)
			default:
				p.unknownKey(pr, cpath, "a switch case", []string{"match", "steps"})
			}
		}
		out = append(out, c)
	}
	return out
}

// caseMatch decodes a case's `match`: a string, number or boolean.
func (p *parser) caseMatch(n *yaml.Node, path string) any {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode || isNull(r) {
		p.errorf(r, path, "`match` must be a string, number or boolean, not %s", kindName(r))
		return nil
	}
	return scalarValue(r)
}

// branches decodes a parallel step's `branches`.
func (p *parser) branches(n *yaml.Node, path string, depth int) []*Branch {
	var out []*Branch
	for i, item := range p.seq(n, path, "`branches`") {
		bpath := indexPath(path, i)
		p.source.add(bpath, nil, resolve(item))
		b := &Branch{}
		for _, pr := range p.pairs(item, bpath, "a parallel branch") {
			sub := joinPath(bpath, pr.key)
			p.source.add(sub, pr.keyN, resolve(pr.value))
			switch pr.key {
			case "name":
				b.Name, _ = p.str(pr.value, sub, "name")
			case "steps":
				b.Steps = p.steps(pr.value, sub, depth+1)
			default:
				p.unknownKey(pr, bpath, "a parallel branch", []string{"name", "steps"})
			}
		}
		out = append(out, b)
	}
	return out
}
