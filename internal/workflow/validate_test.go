package workflow

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// head is a valid workflow preamble; tests append steps after it (steps start on line 4).
const head = "name: t\ntriggers: [{type: manual, inputs: [{name: who, type: string}]}]\nconsts: {base: x}\n"

func TestValidateDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantDiag
	}{
		{"valid", head + "steps:\n  - {name: a, type: console, with: {message: '{{ inputs.who }} {{ consts.base }}'}}\n", nil},
		{"missing name triggers steps", "description: x\n", []wantDiag{
			{RuleSchemaViolation, 1, 1, "needs a `name`"},
			{RuleSchemaViolation, 1, 1, "at least one step"},
			{RuleSchemaViolation, 1, 1, "at least one trigger"},
		}},
		{"unknown trigger", "name: t\ntriggers: [{type: manul}]\nsteps: [{name: a, type: console}]\n", []wantDiag{{RuleSchemaViolation, 2, 19, `Unknown trigger type "manul"; did you mean "manual"?`}}},
		{"scheduled without schedule", "name: t\ntriggers:\n  - type: scheduled\nsteps: [{name: a, type: console}]\n", []wantDiag{{RuleSchemaViolation, 3, 5, "needs `with.every`"}}},
		{"rrule missing freq", "name: t\ntriggers:\n  - type: scheduled\n    with: {rrule: {interval: 1}}\nsteps: [{name: a, type: console}]\n", []wantDiag{{RuleSchemaViolation, 4, 19, "needs `freq`"}}},
		{"step without name and type", head + "steps:\n  - with: {}\n", []wantDiag{
			{RuleSchemaViolation, 5, 5, "A step needs a `type`"},
			{RuleSchemaViolation, 5, 5, "The step at steps.0 needs a `name`"},
		}},
		{"unknown step type", head + "steps:\n  - name: a\n    type: nonexistent.step\n", []wantDiag{{RuleSchemaViolation, 6, 11, `Unknown step type "nonexistent.step"`}}},
		{"typo step type", head + "steps:\n  - name: a\n    type: consol\n", []wantDiag{{RuleSchemaViolation, 6, 11, `did you mean "console"?`}}},
		{"unavailable step type", head + "steps:\n  - name: a\n    type: elasticsearch.request\n", []wantDiag{{RuleSchemaViolation, 6, 11, "step type `elasticsearch.request` is not available in this Errand build"}}},
		{"duplicate step name nested", head + "steps:\n  - name: a\n    type: console\n  - name: loop\n    type: foreach\n    foreach: '[1]'\n    steps:\n      - name: a\n        type: console\n", []wantDiag{{RuleDuplicateStepName, 11, 15, "already used by the step at line 5"}}},
		{"duplicate step name in fallback", head + "steps:\n  - name: a\n    type: console\n    on-failure:\n      fallback:\n        - {name: a, type: console}\n", []wantDiag{{RuleDuplicateStepName, 9, 18, "Step name `a`"}}},
		{"if needs condition", head + "steps:\n  - name: a\n    type: if\n    steps: [{name: b, type: console}]\n", []wantDiag{{RuleSchemaViolation, 5, 5, "needs `condition`"}}},
		{"foreach needs steps", head + "steps:\n  - name: a\n    type: foreach\n    foreach: '[1]'\n", []wantDiag{{RuleSchemaViolation, 5, 5, "needs `steps`"}}},
		{"condition on console", head + "steps:\n  - name: a\n    type: console\n    condition: 'x: 1'\n", []wantDiag{{RuleSchemaViolation, 7, 16, "use `if:`"}}},
		{"switch case without steps", head + "steps:\n  - name: a\n    type: switch\n    expression: x\n    cases:\n      - match: 1\n", []wantDiag{{RuleSchemaViolation, 9, 9, "needs `steps`"}}},
		{"parallel without branches", head + "steps:\n  - name: a\n    type: parallel\n", []wantDiag{{RuleSchemaViolation, 5, 5, "needs `branches`"}}},
		{"wait bad duration", head + "steps:\n  - name: a\n    type: wait\n    with: {duration: soon}\n", []wantDiag{{RuleSchemaViolation, 7, 22, "invalid duration \"soon\""}}},
		{"wait template duration", head + "steps:\n  - name: a\n    type: wait\n    with: {duration: '{{ inputs.who }}'}\n", nil},
		{"wait needs duration", head + "steps:\n  - name: a\n    type: wait\n", []wantDiag{{RuleSchemaViolation, 5, 5, "needs `with.duration`"}}},
		{"loop.break outside loop", head + "steps:\n  - name: a\n    type: loop.break\n", []wantDiag{{RuleSchemaViolation, 6, 11, "inside a `foreach` or `while`"}}},
		{"retry needs max-attempts", head + "steps:\n  - name: a\n    type: console\n    on-failure:\n      retry: {delay: 1s}\n", []wantDiag{{RuleSchemaViolation, 8, 14, "needs `max-attempts`"}}},
		{"reference to later step", head + "steps:\n  - name: a\n    type: console\n    with: {message: '{{ steps.b.output }}'}\n  - name: b\n    type: console\n", []wantDiag{{RuleInvalidVariableReference, 7, 25, "Step `b` is not a predecessor of step `a`"}}},
		{"reference to missing step", head + "steps:\n  - name: a\n    type: console\n    with: {message: '{{ steps.nope.output }}'}\n", []wantDiag{{RuleInvalidVariableReference, 7, 25, "Step `nope` does not exist"}}},
		{"reference to itself", head + "steps:\n  - name: a\n    type: console\n    with: {message: '{{ steps.a.output }}'}\n", []wantDiag{{RuleInvalidVariableReference, 7, 25, "its own output"}}},
		{"reference to sibling branch", head + "steps:\n  - name: c\n    type: if\n    condition: 'inputs.who: x'\n    steps: [{name: t1, type: console}]\n    else: [{name: e1, type: console, with: {message: '{{ steps.t1.output }}'}}]\n", []wantDiag{{RuleInvalidVariableReference, 9, 58, "Step `t1` is not a predecessor of step `e1`"}}},
		{"nested steps visible after block", head + "steps:\n  - name: c\n    type: if\n    condition: 'inputs.who: x'\n    steps: [{name: t1, type: console}]\n  - {name: d, type: console, with: {message: '{{ steps.t1.output }} {{ steps.c.output }}'}}\n", nil},
		{"loop body sees loop and earlier body", head + "steps:\n  - name: l\n    type: foreach\n    foreach: '[1]'\n    steps:\n      - {name: b1, type: console}\n      - {name: b2, type: console, with: {message: '{{ steps.b1.output }} {{ steps.l.item }}'}}\n", nil},
		{"while condition sees body", head + "steps:\n  - name: w\n    type: while\n    condition: 'steps.check.output.done: false'\n    steps: [{name: check, type: console}]\n", nil},
		{"if condition cannot see body", head + "steps:\n  - name: c\n    type: if\n    condition: 'steps.t1.output: x'\n    steps: [{name: t1, type: console}]\n", []wantDiag{{RuleInvalidVariableReference, 7, 17, "Step `t1` is not a predecessor of step `c`"}}},
		{"fallback sees failed step", head + "steps:\n  - name: a\n    type: console\n    on-failure:\n      retry: {max-attempts: 2, condition: 'steps.a.error.type: X'}\n      fallback: [{name: f, type: console, with: {message: '{{ steps.a.error.message }}'}}]\n", nil},
		{"bracket reference", head + "steps:\n  - name: fetch-rss\n    type: console\n  - {name: b, type: console, with: {message: '{{ steps[\"fetch-rss\"].output }} {{ steps[\"fetch-rs\"].output }}'}}\n", []wantDiag{{RuleInvalidVariableReference, 7, 82, "did you mean `fetch-rss`?"}}},
		{"undeclared input", head + "steps:\n  - {name: a, type: console, with: {message: '{{ inputs.whom }}'}}\n", []wantDiag{{RuleInvalidVariableReference, 5, 50, "Input `whom` is not declared; declare it under the manual trigger's `inputs`; did you mean `who`?"}}},
		{"undeclared const", head + "steps:\n  - {name: a, type: console, connector-id: '{{ consts.bse }}'}\n", []wantDiag{{RuleInvalidVariableReference, 5, 48, "Constant `bse` is not declared"}}},
		{"liquid locals are not references", head + "steps:\n  - {name: a, type: console}\n  - {name: b, type: console, with: {message: '{% for h in steps.a.output %}{{ h.x }}{% endfor %}{% assign z = 1 %}{{ z }}'}}\n", nil},
		{"liquid raw is not a reference", head + "steps:\n  - {name: a, type: console, with: {message: '{% raw %}{{ steps.nope }}{% endraw %}'}}\n", nil},
		{"liquid syntax error", head + "steps:\n  - name: a\n    type: console\n    with:\n      message: 'hello {{ inputs.who | }}'\n", []wantDiag{{RuleLiquidSyntaxError, 8, 39, "Invalid Liquid template"}}},
		{"liquid syntax error in block", head + "steps:\n  - name: a\n    type: console\n    with:\n      message: |\n        line one\n        {% if x %}no end\n", []wantDiag{{RuleLiquidSyntaxError, 10, 9, "Invalid Liquid template"}}},
		{"kql syntax error", head + "steps:\n  - name: a\n    type: if\n    condition: 'inputs.who: (x'\n    steps: [{name: b, type: console}]\n", []wantDiag{{RuleInvalidIfConditionSyntax, 7, 31, "Invalid KQL condition"}}},
		{"equality operator", head + "steps:\n  - name: a\n    type: console\n    if: 'inputs.who == \"x\"'\n", []wantDiag{{RuleInvalidEqualityOperator, 7, 21, "use `field: value`"}}},
		{"inequality operator", head + "steps:\n  - name: a\n    type: console\n    if: inputs.who != x\n", []wantDiag{{RuleInvalidEqualityOperator, 7, 20, "use `not field: value`"}}},
		{"templated condition skips kql", head + "steps:\n  - name: a\n    type: console\n    if: '${{ inputs.who }}'\n", nil},
		{"trigger condition", "name: t\ntriggers:\n  - type: workflows.failed\n    on: {condition: 'event.x: (a'}\nsteps: [{name: a, type: console}]\n", []wantDiag{{RuleInvalidTriggerCondition, 4, 33, "Invalid KQL condition"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf, diags := Parse([]byte(tt.src))
			require.Empty(t, diags)
			requireDiags(t, tt.want, Validate(wf, ValidateOptions{}))
		})
	}
}

func TestValidateRegistry(t *testing.T) {
	src := head + "steps:\n  - {name: a, type: slack}\n  - {name: b, type: slak}\n"
	wf, diags := Parse([]byte(src))
	require.Empty(t, diags)
	opts := ValidateOptions{StepTypes: func(s string) bool { return s == "slack" }, StepTypeNames: []string{"slack"}}
	requireDiags(t, []wantDiag{{RuleSchemaViolation, 6, 21, `did you mean "slack"?`}}, Validate(wf, opts))
	requireDiags(t, []wantDiag{
		{RuleSchemaViolation, 5, 21, "step type `slack` is not available in this Errand build"},
		{RuleSchemaViolation, 6, 21, `Unknown step type "slak"`},
	}, Validate(wf, ValidateOptions{}))
}

func TestValidateWithoutSource(t *testing.T) {
	wf := &Workflow{Name: "code", Triggers: []*Trigger{{Type: "manual"}}, Steps: []*Step{
		{Name: "a", Type: "console", Pos: Pos{Line: 3, Col: 2}},
		{Name: "a", Type: "console", Pos: Pos{Line: 7, Col: 2}},
	}}
	requireDiags(t, []wantDiag{{RuleDuplicateStepName, 7, 2, "already used by the step at line 3"}}, Validate(wf, ValidateOptions{}))
	require.Nil(t, Validate(nil, ValidateOptions{}))
}

func TestCheckCombinesParseAndValidate(t *testing.T) {
	_, diags := Check([]byte("name: t\ntriggers: [{type: manual}]\nsteps:\n  - {name: a, type: console, timeout: x}\n  - {name: a, type: console}\n"), ValidateOptions{})
	requireDiags(t, []wantDiag{
		{RuleSchemaViolation, 4, 39, "`timeout` has an invalid duration"},
		{RuleDuplicateStepName, 5, 12, "Step name `a`"},
	}, diags)
	wf, diags := Check([]byte("a: [\n"), ValidateOptions{})
	require.Nil(t, wf)
	requireDiags(t, []wantDiag{{RuleYAMLSyntaxError, 2, 1, "YAML syntax error"}}, diags)
}
