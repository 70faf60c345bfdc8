package workflow

import (
	"fmt"
	"maps"
	"strings"
)

// nameSet is a set of step names.
type nameSet map[string]bool

// with returns a copy of the set plus names.
func (s nameSet) with(names ...string) nameSet {
	out := maps.Clone(s)
	if out == nil {
		out = nameSet{}
	}
	for _, n := range names {
		if n != "" {
			out[n] = true
		}
	}
	return out
}

// stringField is one string of a step that is rendered or evaluated at run time.
type stringField struct {
	path      string
	value     string
	condition bool // a KQL condition (after Liquid rendering)
}

// references checks every step's templates and conditions against the steps that run
// before it (its predecessors), the declared inputs and the consts.
func (v *validator) references() {
	v.refSteps(v.wf.Steps, nameSet{})
	if of := v.wf.Settings.OnFailure; of != nil {
		all := nameSet{}.with(sortedKeys(v.names)...)
		if of.Retry != nil && of.Retry.Condition != "" {
			v.checkString(stringField{path: "settings.on-failure.retry.condition", value: of.Retry.Condition, condition: true}, all, "")
		}
		v.refSteps(of.Fallback, all)
	}
	for _, t := range v.wf.Triggers {
		if t.Condition != "" {
			v.triggerCondition(t)
		}
	}
}

// refSteps checks a list of steps that run in order, starting with the visible
// predecessors; it returns the predecessors of whatever follows the list.
func (v *validator) refSteps(steps []*Step, visible nameSet) nameSet {
	for _, s := range steps {
		v.refStep(s, visible)
		visible = visible.with(s.Name).with(nestedNames(s)...)
	}
	return visible
}

// refStep checks one step's own strings and then its nested bodies.
func (v *validator) refStep(s *Step, visible nameSet) {
	ownVisible := visible
	if s.Type == "while" {
		// The condition is evaluated after each iteration: the body's steps are known.
		ownVisible = visible.with(s.Name).with(nestedNames(s)...)
	}
	for _, f := range stepStrings(s) {
		scope := visible
		if f.condition && strings.HasSuffix(f.path, ".condition") {
			scope = ownVisible
		}
		v.checkString(f, scope, s.Name)
	}
	inner := visible.with(s.Name)
	for _, body := range [][]*Step{s.Steps, s.Else, s.Default} {
		v.refSteps(body, inner)
	}
	for _, c := range s.Cases {
		v.refSteps(c.Steps, inner)
	}
	for _, b := range s.Branches {
		v.refSteps(b.Steps, inner)
	}
	after := visible.with(s.Name).with(nestedNames(s)...)
	v.refOnFailure(s.OnFailure, joinPath(s.Path, "on-failure"), after, s.Name)
	v.refOnFailure(s.IterationOnFailure, joinPath(s.Path, "iteration-on-failure"), after, s.Name)
}

// refOnFailure checks a retry condition and the fallback steps; both see the failed step
// (its error is at steps.<name>.error).
func (v *validator) refOnFailure(of *OnFailure, path string, visible nameSet, stepName string) {
	if of == nil {
		return
	}
	if of.Retry != nil && of.Retry.Condition != "" {
		v.checkString(stringField{path: joinPath(path, "retry.condition"), value: of.Retry.Condition, condition: true}, visible, stepName)
	}
	v.refSteps(of.Fallback, visible)
}

// nestedNames lists the names of every step nested anywhere in s.
func nestedNames(s *Step) []string {
	var out []string
	for _, body := range stepBodies(s) {
		for _, n := range body {
			out = append(out, n.Name)
			out = append(out, nestedNames(n)...)
		}
	}
	return out
}

// stepStrings lists the strings of a step that are rendered or evaluated before (or, for a
// while condition, between) its runs.
func stepStrings(s *Step) []stringField {
	var out []stringField
	add := func(field, value string, condition bool) {
		if value != "" {
			out = append(out, stringField{path: joinPath(s.Path, field), value: value, condition: condition})
		}
	}
	add("if", s.If, true)
	if s.Type == "if" || s.Type == "while" {
		add("condition", s.Condition, true)
	}
	add("expression", s.Expression, false)
	add("connector-id", s.ConnectorID, false)
	collectStrings(joinPath(s.Path, "foreach"), s.Foreach, &out)
	collectStrings(joinPath(s.Path, "with"), anyMap(s.With), &out)
	for _, k := range sortedKeys(s.Extra) {
		collectStrings(joinPath(s.Path, k), s.Extra[k], &out)
	}
	return out
}

// anyMap converts a possibly nil map to any without producing a typed nil.
func anyMap(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// collectStrings appends every string inside v (maps in key order, lists in order).
func collectStrings(path string, v any, out *[]stringField) {
	switch x := v.(type) {
	case string:
		*out = append(*out, stringField{path: path, value: x})
	case map[string]any:
		for _, k := range sortedKeys(x) {
			collectStrings(joinPath(path, k), x[k], out)
		}
	case []any:
		for i, item := range x {
			collectStrings(indexPath(path, i), item, out)
		}
	}
}

// checkRef checks one variable path (segments) used in the string value at path.
func (v *validator) checkRef(ref []string, path, value string, visible nameSet, stepName string) {
	if len(ref) < 2 {
		return
	}
	root, key := ref[0], ref[1]
	at := v.pos(path, Pos{Line: 1, Col: 1})
	if offset := refOffset(value, root, key); offset >= 0 {
		at = v.inside(path, value, offset)
	}
	switch root {
	case "steps":
		v.checkStepRef(key, path, at, visible, stepName)
	case "inputs":
		if v.wf.Inputs == nil || v.wf.Inputs.Properties[key] == nil {
			msg := fmt.Sprintf("Input `%s` is not declared; declare it under the manual trigger's `inputs`", key)
			if v.wf.Inputs != nil {
				msg += suggestion(key, v.wf.Inputs.Order)
			}
			v.add(RuleInvalidVariableReference, SeverityError, path, at, "%s", msg)
		}
	case "consts":
		if _, ok := v.wf.Consts[key]; !ok {
			v.add(RuleInvalidVariableReference, SeverityError, path, at,
				"Constant `%s` is not declared under `consts`%s", key, suggestion(key, sortedKeys(v.wf.Consts)))
		}
	}
}

// checkStepRef checks a steps.<name> reference.
func (v *validator) checkStepRef(name, path string, at Pos, visible nameSet, stepName string) {
	if visible[name] {
		return
	}
	target, exists := v.names[name]
	switch {
	case !exists:
		v.add(RuleInvalidVariableReference, SeverityError, path, at,
			"Step `%s` does not exist%s", name, suggestion(name, sortedKeys(v.names)))
	case name == stepName:
		v.add(RuleInvalidVariableReference, SeverityError, path, at,
			"Step `%s` refers to its own output, which does not exist before it runs", name)
	default:
		v.add(RuleInvalidVariableReference, SeverityError, path, at,
			"Step `%s` is not a predecessor of step `%s` (it is at line %d and does not run before it), so its output is not available here",
			name, stepName, v.pos(target.Path, target.Pos).Line)
	}
}

// refOffset finds where root.key (or root["key"], root['key']) first appears in value, or
// returns -1.
func refOffset(value, root, key string) int {
	for _, form := range []string{root + "." + key, root + `["` + key + `"]`, root + "['" + key + "']"} {
		for from := 0; from < len(value); {
			i := strings.Index(value[from:], form)
			if i < 0 {
				break
			}
			i += from
			end := i + len(form)
			if (i == 0 || !isIdentPart(value[i-1])) && (end == len(value) || !isIdentPart(value[end])) {
				return i
			}
			from = i + 1
		}
	}
	return -1
}

// suggestion formats "; did you mean `x`?" or "".
func suggestion(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean `%s`?", s)
	}
	return ""
}
