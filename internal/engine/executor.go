// Package engine compiles a workflow into a plan and runs it durably: flow control,
// on-failure, timeouts, cancellation, concurrency and checkpoints. Atomic step types are
// StepExecutors registered by name; flow-control steps are plan nodes, not executors.
package engine

import (
	"context"
	"time"

	"github.com/errand-dev/errand/internal/workflow"
)

// Evaluator renders templates and evaluates conditions against a template context. The
// template package provides the implementation; the engine only depends on this seam.
type Evaluator interface {
	// RenderValue renders every string inside v recursively (map keys are not rendered). A
	// string that is a whole `${{ expr }}` evaluates to the expression's native value.
	RenderValue(v any, data map[string]any) (any, error)
	// Eval evaluates a bare Liquid expression ("steps.a.output | size") to its native value.
	Eval(expr string, data map[string]any) (any, error)
	// Condition renders cond with Liquid and, when the result is a string, evaluates it as
	// KQL against data; a boolean is used as it is; undefined or empty is false.
	Condition(cond any, data map[string]any) (bool, error)
}

// StepLogger writes lines to the execution's log.
type StepLogger interface {
	Log(level, message string, data map[string]any)
}

// StepInput is what an executor gets for one attempt of one step.
type StepInput struct {
	Step *workflow.Step
	// With is the step's `with`, rendered against Context.
	With map[string]any
	// Extra is the step's other top-level keys (data.* `items`, `source` ...), rendered.
	Extra map[string]any
	// Context is the template context of this step (inputs, consts, steps, foreach ...).
	Context map[string]any
	Eval    Evaluator
	Log     StepLogger
	// MaxOutputBytes caps the step's output (max-step-size).
	MaxOutputBytes int64
	// Timeout is the step's own timeout (0: none); ctx already carries it as a deadline.
	Timeout time.Duration
}

// StepExecutor runs one atomic step type. The returned output must be JSON-encodable plain
// values (map[string]any, []any, string, float64, int, bool, nil). Errors are *StepError or
// wrap one; any other error becomes a StepError of type "Error".
type StepExecutor interface {
	Run(ctx context.Context, in StepInput) (any, error)
}

// StepExecutorFunc adapts a function to StepExecutor.
type StepExecutorFunc func(ctx context.Context, in StepInput) (any, error)

// Run calls f.
func (f StepExecutorFunc) Run(ctx context.Context, in StepInput) (any, error) { return f(ctx, in) }

// StepError is a step failure as stored and as seen by templates (`steps.x.error`, `error`):
// {type, message, details?}. RetryAfter, when set, is the earliest time a retry may happen
// (a remote's Retry-After); Permanent marks errors a retry cannot fix.
type StepError struct {
	Type       string         `json:"type"`
	Message    string         `json:"message"`
	Details    map[string]any `json:"details,omitempty"`
	RetryAfter time.Duration  `json:"-"`
	Permanent  bool           `json:"-"`
}

// Error returns the message.
func (e *StepError) Error() string { return e.Message }
