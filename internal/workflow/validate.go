package workflow

import (
	"fmt"

	"github.com/errand-dev/errand/internal/template"
)

// ValidateOptions tells Validate which step types the running build offers beyond the
// language's own BuiltinStepTypes.
type ValidateOptions struct {
	// StepTypes reports whether the engine's registry serves a step type (connector step
	// types such as "slack" or "jira.pushToService"); nil means none.
	StepTypes func(stepType string) bool
	// StepTypeNames lists the registry's step types, used for "did you mean" suggestions
	// and by JSONSchema.
	StepTypeNames []string
}

// validator collects the diagnostics of one Validate call.
type validator struct {
	wf    *Workflow
	opts  ValidateOptions
	diags []Diagnostic
	names map[string]*Step // first step of each name
	// templates parses Liquid under the workflow's parse limit; created on first use.
	templates *template.Engine
}

// Validate checks a parsed workflow as a whole and returns every problem it finds, sorted
// by position: missing required fields, unknown or unavailable step and trigger types,
// misplaced flow-control fields, duplicate step names, references to steps that are not
// predecessors or do not exist and to undeclared inputs or consts, Liquid syntax, and the
// syntax of KQL conditions. It does not repeat what Parse reported.
func Validate(wf *Workflow, opts ValidateOptions) []Diagnostic {
	if wf == nil {
		return nil
	}
	v := &validator{wf: wf, opts: opts, names: map[string]*Step{}}
	v.required()
	v.triggers()
	v.eachStep(wf.Steps, nil, v.checkStep)
	if wf.Settings.OnFailure != nil {
		v.eachStep(wf.Settings.OnFailure.Fallback, nil, v.checkStep)
	}
	v.references()
	SortDiagnostics(v.diags)
	return v.diags
}

// Check parses and validates a document in one go, returning Parse's and Validate's
// diagnostics together, sorted.
func Check(src []byte, opts ValidateOptions) (*Workflow, []Diagnostic) {
	wf, diags := Parse(src)
	if wf == nil {
		return nil, diags
	}
	diags = append(diags, Validate(wf, opts)...)
	SortDiagnostics(diags)
	return wf, diags
}

// pos returns the position of a document path, or fallback when the workflow has no
// source map (it was built in code).
func (v *validator) pos(path string, fallback Pos) Pos {
	if v.wf.source == nil {
		return fallback
	}
	return v.wf.source.pos(path)
}

// add records a diagnostic at a position.
func (v *validator) add(rule, severity, path string, at Pos, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{
		Rule: rule, Severity: severity, Message: fmt.Sprintf(format, args...),
		Path: path, Line: at.Line, Col: at.Col,
	})
}

// schema records a schemaViolation error at path.
func (v *validator) schema(path string, fallback Pos, format string, args ...any) {
	v.add(RuleSchemaViolation, SeverityError, path, v.pos(path, fallback), format, args...)
}

// required checks the workflow's required top-level fields.
func (v *validator) required() {
	start := Pos{Line: 1, Col: 1}
	if v.wf.Name == "" {
		v.schema("name", start, "The workflow needs a `name` (a non-empty string)")
	}
	if len(v.wf.Triggers) == 0 {
		v.schema("triggers", start, "The workflow needs at least one trigger under `triggers`, such as `- type: manual`")
	}
	if len(v.wf.Steps) == 0 {
		v.schema("steps", start, "The workflow needs at least one step under `steps`")
	}
}

// triggers checks trigger types and the scheduled trigger's required fields.
func (v *validator) triggers() {
	for _, t := range v.wf.Triggers {
		typePath := joinPath(t.Path, "type")
		switch {
		case t.Type == "":
			v.schema(t.Path, t.Pos, "A trigger needs a `type`: manual, scheduled, alert, webhook or an event type such as workflows.failed")
		case contains(KnownTriggerTypes, t.Type), isEventTriggerType(t.Type):
		default:
			msg := fmt.Sprintf("Unknown trigger type %q", t.Type)
			if s := suggest(t.Type, KnownTriggerTypes); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; use manual, scheduled, alert, webhook or an event type such as workflows.failed"
			}
			v.schema(typePath, t.Pos, "%s", msg)
		}
		if t.Type == "scheduled" {
			v.schedule(t)
		}
	}
}

// isEventTriggerType reports whether t names an event trigger (a dotted id).
func isEventTriggerType(t string) bool {
	for i := 1; i < len(t)-1; i++ {
		if t[i] == '.' {
			return true
		}
	}
	return false
}

// schedule checks that a scheduled trigger has exactly one of `every` and `rrule`, and
// that the rrule has its required fields.
func (v *validator) schedule(t *Trigger) {
	with := joinPath(t.Path, "with")
	switch {
	case t.Every == "" && t.RRule == nil:
		v.schema(with, t.Pos, "A scheduled trigger needs `with.every` (like \"5m\") or `with.rrule`")
	case t.Every != "" && t.RRule != nil:
		v.schema(with, t.Pos, "A scheduled trigger takes either `with.every` or `with.rrule`, not both")
	}
	if t.RRule == nil {
		return
	}
	rr := joinPath(with, "rrule")
	if t.RRule.Freq == "" {
		v.schema(rr, t.Pos, "`rrule` needs `freq`: DAILY, WEEKLY or MONTHLY")
	}
	if t.RRule.Interval == 0 {
		v.schema(rr, t.Pos, "`rrule` needs `interval`, a positive integer (1 for every period)")
	}
}
