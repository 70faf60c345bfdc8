package builtin

import (
	"fmt"

	"github.com/errand-dev/errand/internal/engine"
)

// Error types of the StepErrors this package returns.
const (
	// errTypeInvalidParams marks a parameter a retry cannot fix.
	errTypeInvalidParams = "InvalidParams"
	// errTypeNotFound is data.find's errorIfEmpty and data.regexExtract's errorIfNoMatch.
	errTypeNotFound = "NotFound"
	// errTypeRender is a template that failed to render per element.
	errTypeRender = "RenderError"
)

// paramErrorf returns a permanent StepError of type InvalidParams whose message starts with
// the step type; the message names the field and how to fix it.
func paramErrorf(stepType, format string, args ...any) *engine.StepError {
	return &engine.StepError{
		Type:      errTypeInvalidParams,
		Message:   stepType + ": " + fmt.Sprintf(format, args...),
		Permanent: true,
	}
}

// notFoundErrorf returns a permanent StepError of type NotFound.
func notFoundErrorf(stepType, format string, args ...any) *engine.StepError {
	return &engine.StepError{
		Type:      errTypeNotFound,
		Message:   stepType + ": " + fmt.Sprintf(format, args...),
		Permanent: true,
	}
}

// renderError wraps a per-element render or condition failure as a permanent StepError.
func renderError(stepType string, index int, err error) *engine.StepError {
	return &engine.StepError{
		Type:      errTypeRender,
		Message:   fmt.Sprintf("%s: evaluating element %d: %v", stepType, index, err),
		Details:   map[string]any{"index": index},
		Permanent: true,
	}
}
