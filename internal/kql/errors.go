package kql

import (
	"errors"
	"fmt"
)

// ErrTooDeep is wrapped by a SyntaxError when a query nests parentheses deeper than
// maxDepth; the limit keeps hostile conditions from exhausting the stack.
var ErrTooDeep = errors.New("query nests too deeply")

// SyntaxError reports where a KQL source stops making sense and what the parser expected
// there. Offset is the 0-based byte offset; Line and Col are 1-based (Col counts runes).
type SyntaxError struct {
	Offset  int
	Line    int
	Col     int
	Message string
	err     error
}

// Error says what was expected at which line and column.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("kql syntax error at line %d, column %d: %s", e.Line, e.Col, e.Message)
}

// Unwrap returns the sentinel behind the error, if any (ErrTooDeep).
func (e *SyntaxError) Unwrap() error { return e.err }
