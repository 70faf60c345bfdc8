package engine

import "errors"

var (
	// ErrInvalidWorkflow is returned by Start when the workflow does not parse or validate;
	// the error text lists the diagnostics.
	ErrInvalidWorkflow = errors.New("invalid workflow")
	// ErrInvalidInputs is returned by Start when the inputs do not match the workflow's
	// inputs schema (missing required input, wrong type, value not in the enum).
	ErrInvalidInputs = errors.New("invalid inputs")
	// ErrWorkflowDisabled is returned by Start for a disabled stored workflow (test runs
	// excepted).
	ErrWorkflowDisabled = errors.New("workflow is disabled. Enable it to run it")
	// ErrNotWaitingForInput is returned by Resume when the execution is not waiting for input.
	ErrNotWaitingForInput = errors.New("execution is not waiting for input")
	// ErrNoWorkflow is returned by Start when neither a stored workflow nor YAML is given.
	ErrNoWorkflow = errors.New("no workflow given")

	// errCancelled is the cancellation cause of an execution whose cancel was requested.
	errCancelled = errors.New("execution cancelled")
	// errWorkflowTimedOut is the cancellation cause when settings.timeout is exceeded.
	errWorkflowTimedOut = errors.New("workflow timed out")
	// errSiblingFailed is the cancellation cause of parallel branches after a fail-fast failure.
	errSiblingFailed = errors.New("a sibling branch failed")
)

// errConditionType is returned when a condition renders to neither a boolean nor a string.
var errConditionType = errors.New("a condition must be a boolean or a KQL string")
