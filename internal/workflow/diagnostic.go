package workflow

import (
	"cmp"
	"slices"
)

// Rule ids of diagnostics, named like Kibana's validation rules so that editors and API
// clients written for Kibana understand them.
const (
	RuleYAMLSyntaxError            = "yamlSyntaxError"
	RuleSchemaViolation            = "schemaViolation"
	RuleDuplicateStepName          = "duplicateStepName"
	RuleInvalidVariableReference   = "invalidVariableReference"
	RuleLiquidSyntaxError          = "liquidSyntaxError"
	RuleInvalidIfConditionSyntax   = "invalidIfConditionSyntax"
	RuleInvalidEqualityOperator    = "invalidEqualityOperator"
	RuleInvalidTriggerCondition    = "invalidTriggerCondition"
	RuleInvalidDefaultValue        = "invalidDefaultValue"
	RuleInvalidParallelMode        = "invalidParallelMode"
	RuleParallelFanOutExceedsLimit = "parallelFanOutExceedsLimit"
)

// Severities of diagnostics.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// HasErrors reports whether any diagnostic has error severity, which makes the workflow
// invalid (it can be saved but not run).
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// SortDiagnostics orders diagnostics by position, then rule and message, so that output is
// stable for golden files and readable for users.
func SortDiagnostics(diags []Diagnostic) {
	slices.SortStableFunc(diags, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}
