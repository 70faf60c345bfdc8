package engine

import "github.com/errand-dev/errand/internal/workflow"

// validate runs the workflow package's structural and reference validation with the step
// types this engine knows.
func (e *Engine) validate(wf *workflow.Workflow) []workflow.Diagnostic {
	return workflow.Validate(wf, workflow.ValidateOptions{StepTypes: e.knownType, StepTypeNames: e.StepTypes()})
}
