package template

import (
	"errors"
	"fmt"
)

// Sentinel errors of the package; every *Error wraps one of them so callers
// can tell a syntax problem from a limit or a render failure with errors.Is.
var (
	// ErrSyntax marks a template or expression that does not parse.
	ErrSyntax = errors.New("template syntax error")
	// ErrRender marks a failure while rendering (unknown filter, bad argument).
	ErrRender = errors.New("template render error")
	// ErrLimit marks a render stopped by one of the Limits.
	ErrLimit = errors.New("template limit exceeded")
	// ErrInvalidExpression marks a `${{ }}` value mixed with other text.
	ErrInvalidExpression = errors.New("invalid expression")
)

// Error is a template error with the 1-based position of the offending token
// where it is known (Line and Col are 0 otherwise).
type Error struct {
	Line, Col int
	Message   string
	kind      error
}

// Error returns the message followed by ", line:N, col:M" when the position
// is known, the way LiquidJS formats its errors.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s, line:%d, col:%d", e.Message, e.Line, e.Col)
	}
	return e.Message
}

// Unwrap returns the sentinel the error belongs to.
func (e *Error) Unwrap() error {
	if e.kind == nil {
		return ErrRender
	}
	return e.kind
}

func syntaxErr(src string, pos int, format string, args ...any) *Error {
	l, c := lineCol(src, pos)
	return &Error{Line: l, Col: c, Message: fmt.Sprintf(format, args...), kind: ErrSyntax}
}

func renderErr(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), kind: ErrRender}
}

func limitErr(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), kind: ErrLimit}
}

// lineCol converts a byte offset of src into a 1-based line and column.
func lineCol(src string, pos int) (int, int) {
	if pos < 0 {
		return 0, 0
	}
	if pos > len(src) {
		pos = len(src)
	}
	line, col := 1, 1
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
