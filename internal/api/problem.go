package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/trigger"
	"github.com/errand-dev/errand/internal/workflow"
)

// Problem is an RFC 9457 problem+json body. ErrorID is also written to the log with the
// underlying error, so that an operator can find what a client reports.
type Problem struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail,omitempty"`
	Instance string          `json:"instance,omitempty"`
	ErrorID  string          `json:"errorId"`
	Errors   []ProblemDetail `json:"errors,omitempty"`
	// retryAfter, when set, is sent as the Retry-After header (429).
	retryAfter time.Duration
}

// ProblemDetail is one item of Problem.Errors: a workflow diagnostic (rule, line, col) or
// a request validation error (location).
type ProblemDetail struct {
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
	RuleID   string `json:"ruleId,omitempty"`
	Severity string `json:"severity,omitempty"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
}

// Error returns the detail.
func (p *Problem) Error() string { return p.Detail }

// GetStatus is the HTTP status (huma.StatusError).
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma answer application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// Sentinels of the API itself.
var (
	// errNotFound is a missing resource named in the path.
	errNotFound = errors.New("not found")
	// errBadRequest is a request the handler rejects (the message says why).
	errBadRequest = errors.New("bad request")
	// errUnavailable is a feature this server was started without.
	errUnavailable = errors.New("not available")
	// errLinkInvalid is an external resume link whose token is forged, malformed or for
	// another step.
	errLinkInvalid = errors.New("invalid resume link")
	// errLinkGone is an external resume link that expired or was used.
	errLinkGone = errors.New("resume link no longer valid")
)

// invalidYAMLError carries the diagnostics of YAML that was refused.
type invalidYAMLError struct {
	msg   string
	diags []workflow.Diagnostic
}

func (e *invalidYAMLError) Error() string { return e.msg }

// retryAfterError is implemented by rate-limit errors that know when to try again.
type retryAfterError interface{ RetryAfter() time.Duration }

// statusOf is the one mapping of errors to HTTP statuses (and the public detail).
func statusOf(err error) (int, string) {
	var iy *invalidYAMLError
	switch {
	case errors.As(err, &iy):
		return http.StatusBadRequest, iy.msg
	case errors.Is(err, auth.ErrUnauthenticated), errors.Is(err, trigger.ErrWebhookUnauthorized),
		errors.Is(err, errLinkInvalid):
		return http.StatusUnauthorized, err.Error()
	case errors.Is(err, errLinkGone): // before the conflicts it may wrap
		return http.StatusGone, err.Error()
	case errors.Is(err, auth.ErrForbidden):
		return http.StatusForbidden, err.Error()
	case errors.Is(err, auth.ErrRateLimited):
		return http.StatusTooManyRequests, err.Error()
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound),
		errors.Is(err, connector.ErrConnectorNotFound), errors.Is(err, trigger.ErrNoWebhookTrigger):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, store.ErrConflict), errors.Is(err, connector.ErrConnectorExists),
		errors.Is(err, engine.ErrNotWaitingForInput), errors.Is(err, trigger.ErrIdempotencyInProgress):
		return http.StatusConflict, err.Error()
	case errors.Is(err, engine.ErrWorkflowDisabled), errors.Is(err, trigger.ErrWorkflowDisabled):
		return http.StatusBadRequest, msgDisabled
	case errors.Is(err, engine.ErrInvalidWorkflow), errors.Is(err, trigger.ErrWorkflowInvalid):
		return http.StatusBadRequest, msgInvalid
	case errors.Is(err, errBadRequest), errors.Is(err, engine.ErrInvalidInputs), errors.Is(err, engine.ErrNoWorkflow),
		errors.Is(err, connector.ErrInvalid), errors.Is(err, connector.ErrUnknownType),
		errors.Is(err, connector.ErrWrongConnectorType), errors.Is(err, connector.ErrAmbiguousConnector),
		errors.Is(err, connector.ErrReadOnly), errors.Is(err, store.ErrAmbiguous):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, errUnavailable):
		return http.StatusNotImplemented, err.Error()
	case errors.Is(err, context.Canceled):
		return 499, "the client closed the request"
	}
	return http.StatusInternalServerError, "internal server error; the errorId is in the server log"
}

// Kibana's messages for runs of invalid or disabled workflows.
const (
	msgInvalid  = "Workflow is not valid."
	msgDisabled = "Workflow is disabled. Enable it to run it."
)

// problem maps err to a Problem and logs it with the problem's error id.
func problem(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	status, detail := statusOf(err)
	p = newProblem(ctx, status, detail)
	var iy *invalidYAMLError
	if errors.As(err, &iy) {
		p.Errors = diagnosticDetails(iy.diags)
	}
	var ra retryAfterError
	if errors.As(err, &ra) {
		p.retryAfter = ra.RetryAfter()
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	loggerFrom(ctx).Log(ctx, level, "api error", "errorId", p.ErrorID, "status", status,
		"instance", p.Instance, "error", err.Error())
	return p
}

// newProblem builds a Problem with a fresh error id for the request in ctx.
func newProblem(ctx context.Context, status int, detail string) *Problem {
	title := http.StatusText(status)
	if title == "" {
		title = "Client Closed Request"
	}
	return &Problem{Type: "about:blank", Title: title, Status: status, Detail: detail,
		Instance: requestFrom(ctx).path, ErrorID: newErrorID()}
}

// diagnosticDetails turns workflow diagnostics into problem details.
func diagnosticDetails(diags []workflow.Diagnostic) []ProblemDetail {
	out := make([]ProblemDetail, 0, len(diags))
	for _, d := range diags {
		out = append(out, ProblemDetail{Message: d.Message, RuleID: d.Rule, Severity: d.Severity,
			Path: d.Path, Line: d.Line, Col: d.Col})
	}
	return out
}

// writeProblem answers a plain (non-huma) handler's error.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problem(r.Context(), err)
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((p.retryAfter+time.Second-1)/time.Second)))
	} else if p.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// newErrorID returns a random 16-hex-digit id.
func newErrorID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var installOnce sync.Once

// installErrorModel makes huma's own errors (bad parameters, bodies that do not match
// their schema) Problems with an error id. Kibana answers those with 400, so 422 becomes 400.
func installErrorModel() {
	installOnce.Do(func() {
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			ctx := context.Background()
			if hctx != nil {
				ctx = hctx.Context()
			}
			if status == http.StatusInternalServerError && msg == "unexpected error occurred" && len(errs) == 1 {
				return problem(ctx, errs[0]) // a handler's own error: the one mapping
			}
			if status == http.StatusUnprocessableEntity {
				status = http.StatusBadRequest
			}
			p := newProblem(ctx, status, msg)
			for _, e := range errs {
				if e == nil {
					continue
				}
				p.Errors = append(p.Errors, detailOf(e))
			}
			loggerFrom(ctx).Info("api error", "errorId", p.ErrorID, "status", status, "instance", p.Instance, "error", msg)
			return p
		}
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			return huma.NewErrorWithContext(nil, status, msg, errs...)
		}
	})
}

// detailOf converts one huma validation error.
func detailOf(e error) ProblemDetail {
	var hd huma.ErrorDetailer
	if errors.As(e, &hd) {
		d := hd.ErrorDetail()
		return ProblemDetail{Message: d.Message, Location: d.Location}
	}
	return ProblemDetail{Message: e.Error()}
}
