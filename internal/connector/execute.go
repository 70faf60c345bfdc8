package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
)

// Execute runs action of connector c (from Resolve) with the step's params: it validates
// params against the action's schema (a user error naming the field), gives the action an
// HTTP client and a logger that know c's secrets, bounds it by timeout (0: none), turns a
// panic into a framework error, and redacts c's secret values from the Result's Data,
// Message and ServiceMessage.
func (s *Service) Execute(ctx context.Context, c *Connector, action *Action, params map[string]any, timeout time.Duration) Result {
	call, red := s.newCall(ctx, c, timeout)
	norm, err := normalize(params)
	if err != nil {
		return redactResult(UserError("error validating action params: "+err.Error()), red)
	}
	if norm == nil {
		norm = map[string]any{}
	}
	key := c.TypeID + "/params/" + action.Name
	if err := s.schemas.validate(key, action.ParamsSchema, "params", norm); err != nil {
		return redactResult(UserError("error validating action params: "+err.Error()), red)
	}
	call.Params = norm
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	res := runAction(ctx, action, call)
	return redactResult(res, red)
}

// Redactor returns the Redactor of c's secret values (cached per connector version). The
// engine redacts a step's input, output, errors and log lines with it.
func (s *Service) Redactor(c *Connector) *secret.Redactor {
	return s.cache.get(c, s.buildHTTP(c)).redactor
}

// Test runs the connection test of connector id's type.
func (s *Service) Test(ctx context.Context, id string) Result {
	c, err := s.Resolve(ctx, id, "")
	if err != nil {
		return UserError(err.Error())
	}
	t, err := s.typeOf(c.TypeID)
	if err != nil {
		return UserError(err.Error())
	}
	if t.Test == nil {
		return UserError(fmt.Sprintf("connector type %s has no connection test", t.ID))
	}
	call, red := s.newCall(ctx, c, 0)
	if err := runTest(ctx, t, call); err != nil {
		var he *httpclient.Error
		if errors.As(err, &he) {
			return redactResult(FromHTTPError("connection test failed", err), red)
		}
		return redactResult(UserError("connection test failed: "+err.Error()), red)
	}
	return OK(map[string]any{"connector_id": c.ID})
}

// newCall prepares the Call of c: its cached HTTP client and a redacting logger.
func (s *Service) newCall(ctx context.Context, c *Connector, timeout time.Duration) (*Call, *secret.Redactor) {
	e := s.cache.get(c, s.buildHTTP(c))
	base := loggerFrom(ctx, s.opts.Logger)
	log := slog.New(&redactingHandler{next: base.Handler(), red: e.redactor}).With(
		slog.String("connector_id", c.ID), slog.String("connector_type_id", c.TypeID))
	return &Call{Connector: c, HTTP: e.http, Log: log, Timeout: timeout}, e.redactor
}

// buildHTTP returns the function that makes c's HTTP client around its redactor.
func (s *Service) buildHTTP(c *Connector) func(red *secret.Redactor) *httpclient.Client {
	return func(red *secret.Redactor) *httpclient.Client {
		if s.opts.HTTP != nil {
			return s.opts.HTTP(c, red.Redact)
		}
		return httpclient.New(httpclient.Options{Redact: red.Redact})
	}
}

// runAction runs action, turning a panic into a framework error and an empty status into ok
// (Kibana treats an executor returning nothing as success).
func runAction(ctx context.Context, action *Action, call *Call) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			call.Log.Error("connector action panicked", slog.Any("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			res = Result{Status: StatusError, Message: "an error occurred while running the action",
				ServiceMessage: fmt.Sprintf("panic: %v", p), ErrorSource: SourceFramework}
		}
	}()
	res = action.Run(ctx, call)
	if res.Status == "" {
		res.Status = StatusOK
	}
	return res
}

// runTest runs a type's connection test, turning a panic into an error.
func runTest(ctx context.Context, t *Type, call *Call) (err error) {
	defer func() {
		if p := recover(); p != nil {
			call.Log.Error("connection test panicked", slog.Any("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			err = fmt.Errorf("connection test of %s panicked: %v", t.ID, p)
		}
	}()
	return t.Test(ctx, call)
}

// redactResult removes secret values from everything a Result carries to the user.
func redactResult(r Result, red *secret.Redactor) Result {
	r.Data = red.RedactValue(r.Data)
	r.Message = red.Redact(r.Message)
	r.ServiceMessage = red.Redact(r.ServiceMessage)
	return r
}
