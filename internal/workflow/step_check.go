package workflow

import (
	"fmt"
	"strings"
)

// stepVisitor is called for each step with the chain of enclosing steps (outermost first).
type stepVisitor func(s *Step, parents []*Step)

// eachStep visits steps and everything nested in them, in document order: bodies, else,
// cases, default, branches, and on-failure / iteration-on-failure fallbacks.
func (v *validator) eachStep(steps []*Step, parents []*Step, visit stepVisitor) {
	for _, s := range steps {
		visit(s, parents)
		inner := append(parents[:len(parents):len(parents)], s)
		for _, body := range stepBodies(s) {
			v.eachStep(body, inner, visit)
		}
	}
}

// stepBodies lists every step list nested directly in s.
func stepBodies(s *Step) [][]*Step {
	bodies := [][]*Step{s.Steps, s.Else}
	for _, c := range s.Cases {
		bodies = append(bodies, c.Steps)
	}
	bodies = append(bodies, s.Default)
	for _, b := range s.Branches {
		bodies = append(bodies, b.Steps)
	}
	if s.OnFailure != nil {
		bodies = append(bodies, s.OnFailure.Fallback)
	}
	if s.IterationOnFailure != nil {
		bodies = append(bodies, s.IterationOnFailure.Fallback)
	}
	return bodies
}

// checkStep runs the per-step checks.
func (v *validator) checkStep(s *Step, parents []*Step) {
	v.stepName(s)
	if s.Type == "" {
		v.schema(s.Path, s.Pos, "%s needs a `type`", capitalize(stepWhat(s)))
	} else {
		v.stepType(s)
	}
	v.flowFields(s)
	v.flowRequirements(s)
	v.loopControl(s, parents)
	v.onFailure(s.OnFailure, joinPath(s.Path, "on-failure"), s.Pos)
	v.onFailure(s.IterationOnFailure, joinPath(s.Path, "iteration-on-failure"), s.Pos)
}

// capitalize upper-cases the first letter of a message fragment.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stepName checks that a step has a name and that no other step uses it.
func (v *validator) stepName(s *Step) {
	if s.Name == "" {
		v.schema(s.Path, s.Pos, "The step at %s needs a `name`", s.Path)
		return
	}
	first, dup := v.names[s.Name]
	if !dup {
		v.names[s.Name] = s
		return
	}
	at := v.pos(joinPath(s.Path, "name"), s.Pos)
	firstAt := v.pos(joinPath(first.Path, "name"), first.Pos)
	v.add(RuleDuplicateStepName, SeverityError, joinPath(s.Path, "name"), at,
		"Step name `%s` is already used by the step at line %d; step names must be unique across the whole workflow, nested steps included",
		s.Name, firstAt.Line)
}

// stepType checks that the step's type is built in or served by the registry.
func (v *validator) stepType(s *Step) {
	t := s.Type
	if isBuiltinStepType(t) || (v.opts.StepTypes != nil && v.opts.StepTypes(t)) || contains(v.opts.StepTypeNames, t) {
		return
	}
	path := joinPath(s.Path, "type")
	known := append(append([]string{}, BuiltinStepTypes...), v.opts.StepTypeNames...)
	if kibanaStepFamilies[stepFamily(t)] {
		v.schema(path, s.Pos, "step type `%s` is not available in this Errand build", t)
		return
	}
	msg := fmt.Sprintf("Unknown step type %q", t)
	if sug := suggest(t, known); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	}
	v.schema(path, s.Pos, "%s", msg)
}

// flowFields reports flow-control fields on step types that do not use them.
func (v *validator) flowFields(s *Step) {
	set := map[string]bool{
		"condition": s.Condition != "", "steps": len(s.Steps) > 0, "else": len(s.Else) > 0,
		"expression": s.Expression != "", "cases": len(s.Cases) > 0, "default": len(s.Default) > 0,
		"branches": len(s.Branches) > 0, "mode": s.Mode != "", "concurrency": s.MaxConcurrency > 0,
		"branch-timeout": s.BranchTimeout > 0, "status": s.Status != "", "sources": len(s.Sources) > 0,
		"max-iterations": s.MaxIterations != nil, "iteration-timeout": s.IterationTimeout > 0,
		"iteration-on-failure": s.IterationOnFailure != nil,
	}
	for _, field := range sortedKeys(flowFieldOwners) {
		owners := flowFieldOwners[field]
		if !set[field] || s.Type == "" || contains(owners, s.Type) {
			continue
		}
		if strings.HasPrefix(field, "max-iter") || strings.HasPrefix(field, "iteration-") {
			if s.Foreach != nil {
				continue // a step-level foreach makes the step a loop
			}
		}
		if s.Type == "parallel" && field == "steps" && s.Foreach != nil {
			continue
		}
		v.schema(joinPath(s.Path, field), s.Pos, "`%s` is not a field of `%s` steps (only of %s)%s",
			field, s.Type, quoteList(owners), fieldHint(field))
	}
}

// fieldHint suggests the right field when a flow-control key is used on another step type.
func fieldHint(field string) string {
	if field == "condition" {
		return "; use `if:` to run a step conditionally"
	}
	return ""
}
