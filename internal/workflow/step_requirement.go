package workflow

import (
	"slices"
)

// flowRequirements checks the fields each flow-control step type needs.
func (v *validator) flowRequirements(s *Step) {
	need := func(ok bool, field, hint string) {
		if !ok {
			v.schema(s.Path, s.Pos, "`%s` step `%s` needs `%s`%s", s.Type, s.Name, field, hint)
		}
	}
	switch s.Type {
	case "if":
		need(s.Condition != "", "condition", " (a KQL condition such as `steps.check.output.ok: true`)")
		need(len(s.Steps) > 0, "steps", " (at least one step to run when the condition holds)")
	case "foreach":
		need(s.Foreach != nil, "foreach", " (an expression such as \"{{ steps.search.output.hits }}\" or a list)")
		need(len(s.Steps) > 0, "steps", " (the loop body)")
	case "while":
		need(s.Condition != "", "condition", " (re-evaluated after each iteration)")
		need(len(s.Steps) > 0, "steps", " (the loop body)")
	case "switch":
		need(s.Expression != "", "expression", "")
		need(len(s.Cases) > 0, "cases", " (a list of `match` + `steps`)")
		v.switchCases(s)
	case "parallel":
		v.parallel(s)
	case "merge":
		need(len(s.Sources) > 0, "sources", "")
	case "wait":
		v.waitDuration(s)
	case "workflow.execute", "workflow.executeAsync":
		_, ok := s.With["workflow-id"]
		need(ok, "with.workflow-id", " (the id or name of the workflow to run)")
	}
}

// switchCases checks that each case has a match and steps.
func (v *validator) switchCases(s *Step) {
	for i, c := range s.Cases {
		path := indexPath(joinPath(s.Path, "cases"), i)
		if c.Match == nil {
			v.schema(path, s.Pos, "Case %d of switch step `%s` needs `match` (a string, number or boolean)", i, s.Name)
		}
		if len(c.Steps) == 0 {
			v.schema(path, s.Pos, "Case %d of switch step `%s` needs `steps`", i, s.Name)
		}
	}
}

// parallel checks a parallel step: branches (named, unique, with steps) or foreach+steps.
func (v *validator) parallel(s *Step) {
	hasBranches, hasForeach := len(s.Branches) > 0, s.Foreach != nil
	switch {
	case hasBranches && hasForeach:
		v.schema(s.Path, s.Pos, "Parallel step `%s` takes either `branches` or `foreach` + `steps`, not both", s.Name)
	case !hasBranches && !hasForeach:
		v.schema(s.Path, s.Pos, "Parallel step `%s` needs `branches` (a list of `name` + `steps`) or `foreach` + `steps`", s.Name)
	case hasForeach && len(s.Steps) == 0:
		v.schema(s.Path, s.Pos, "Parallel step `%s` with `foreach` needs `steps`", s.Name)
	}
	seen := map[string]bool{}
	for i, b := range s.Branches {
		path := indexPath(joinPath(s.Path, "branches"), i)
		switch {
		case b.Name == "":
			v.schema(path, s.Pos, "Branch %d of parallel step `%s` needs a `name`", i, s.Name)
		case seen[b.Name]:
			v.schema(joinPath(path, "name"), s.Pos, "Branch name `%s` is used twice in parallel step `%s`", b.Name, s.Name)
		}
		seen[b.Name] = true
		if len(b.Steps) == 0 {
			v.schema(path, s.Pos, "Branch %d of parallel step `%s` needs `steps`", i, s.Name)
		}
	}
}

// waitDuration checks a wait step's `with.duration`: a duration, or a template resolved at
// run time.
func (v *validator) waitDuration(s *Step) {
	path := joinPath(s.Path, "with.duration")
	raw, ok := s.With["duration"]
	if !ok {
		v.schema(s.Path, s.Pos, "`wait` step `%s` needs `with.duration` (like \"30s\" or \"1h30m\")", s.Name)
		return
	}
	d, isString := raw.(string)
	if !isString {
		v.schema(path, s.Pos, "`with.duration` of wait step `%s` must be a duration string like \"30s\"", s.Name)
		return
	}
	if isTemplate(d) {
		return
	}
	if _, err := ParseDuration(d); err != nil {
		v.schema(path, s.Pos, "`with.duration` of wait step `%s` has an invalid duration %q: use units w d h m s ms in descending order, like \"30s\" or \"1h30m\"", s.Name, d)
	}
}

// loopControl checks that loop.break and loop.continue sit inside a foreach or while body.
func (v *validator) loopControl(s *Step, parents []*Step) {
	if s.Type != "loop.break" && s.Type != "loop.continue" {
		return
	}
	for _, p := range parents {
		if loopStepTypes[p.Type] || p.Foreach != nil && p.Type != "parallel" {
			return
		}
	}
	v.schema(joinPath(s.Path, "type"), s.Pos, "`%s` step `%s` must be inside a `foreach` or `while` body", s.Type, s.Name)
}

// onFailure checks the required parts of an on-failure block.
func (v *validator) onFailure(of *OnFailure, path string, fallback Pos) {
	if of == nil {
		return
	}
	if of.Retry != nil && of.Retry.MaxAttempts == 0 {
		v.schema(joinPath(path, "retry"), fallback, "`retry` needs `max-attempts` (at least 1)")
	}
	if of.Retry != nil && of.Retry.Strategy != "exponential" && of.Retry.MaxDelay > 0 {
		v.add(RuleSchemaViolation, SeverityWarning, joinPath(path, "retry.max-delay"), v.pos(joinPath(path, "retry.max-delay"), fallback),
			"`max-delay` only applies with `strategy: exponential`")
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
