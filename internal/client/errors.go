package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. An *APIError matches the one of its status with errors.Is.
var (
	ErrBadServerURL    = errors.New("server URL must be http:// or https:// with a host")
	ErrBadRequest      = errors.New("bad request")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrStreamEnded     = errors.New("event stream ended before the execution finished")
)

// Diagnostic is one problem the server found in a workflow (a problem+json errors[] entry or
// a validation error). Line and Col are 1-based; 0 when the server gave no position.
type Diagnostic struct {
	Rule     string `json:"ruleId,omitempty"`
	Severity string `json:"severity,omitempty"`
	Message  string `json:"message"`
	Path     string `json:"path,omitempty"`
	Location string `json:"location,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
}

// UnmarshalJSON accepts an object or a bare message string (Kibana's validationErrors).
func (d *Diagnostic) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*d = diagnosticFromString(s)
		return nil
	}
	type plain Diagnostic
	var p struct {
		plain
		Column int `json:"column"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("decoding diagnostic: %w", err)
	}
	*d = Diagnostic(p.plain)
	if d.Col == 0 {
		d.Col = p.Column
	}
	return nil
}

// diagnosticFromString reads a validation error string, taking a leading "line:col " as
// the position ("6:11 Unknown step type").
func diagnosticFromString(s string) Diagnostic {
	d := Diagnostic{Message: s}
	pos, msg, ok := strings.Cut(s, " ")
	if !ok {
		return d
	}
	l, c, ok := strings.Cut(pos, ":")
	line, lerr := strconv.Atoi(l)
	col, cerr := strconv.Atoi(c)
	if ok && lerr == nil && cerr == nil && line > 0 {
		d.Line, d.Col, d.Message = line, col, msg
	}
	return d
}

// String formats the diagnostic as "line:col severity message (rule)".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Line > 0 {
		fmt.Fprintf(&b, "%d:%d ", d.Line, d.Col)
	} else if where := firstNonEmpty(d.Path, d.Location); where != "" {
		fmt.Fprintf(&b, "%s: ", where)
	}
	if d.Severity != "" {
		b.WriteString(d.Severity + " ")
	}
	b.WriteString(d.Message)
	if d.Rule != "" {
		fmt.Fprintf(&b, " (%s)", d.Rule)
	}
	return b.String()
}

// APIError is a non-2xx answer, decoded from problem+json ({title, status, detail,
// errors[]}) when the server sent it.
type APIError struct {
	Method      string       `json:"-"`
	Path        string       `json:"-"`
	Status      int          `json:"status"`
	Title       string       `json:"title"`
	Detail      string       `json:"detail"`
	Errors      []Diagnostic `json:"errors"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	// Message is Kibana's error field ({statusCode, error, message}).
	Message string `json:"message"`
	// ErrorID names the failure in the server's log.
	ErrorID string `json:"errorId"`
}

// AllDiagnostics returns the errors[] and diagnostics[] of the answer.
func (e *APIError) AllDiagnostics() []Diagnostic {
	return append(append([]Diagnostic(nil), e.Errors...), e.Diagnostics...)
}

// Error gives the call, the status, the detail and one line per diagnostic.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.Status, firstNonEmpty(e.Title, http.StatusText(e.Status)))
	if msg := firstNonEmpty(e.Detail, e.Message); msg != "" && msg != e.Title {
		b.WriteString(": " + msg)
	}
	if e.ErrorID != "" {
		fmt.Fprintf(&b, " (error id %s)", e.ErrorID)
	}
	for _, d := range e.AllDiagnostics() {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// Is matches the sentinel of the status.
func (e *APIError) Is(target error) bool {
	switch e.Status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return target == ErrBadRequest
	case http.StatusUnauthorized:
		return target == ErrUnauthenticated
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusConflict:
		return target == ErrConflict
	}
	return false
}

// decodeError reads a non-2xx answer into an *APIError, keeping a plain-text body as the
// detail.
func decodeError(method, path string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := &APIError{}
	if json.Unmarshal(body, e) != nil {
		e = &APIError{Detail: strings.TrimSpace(string(body))}
	}
	e.Method, e.Path, e.Status = method, path, resp.StatusCode
	return e
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
