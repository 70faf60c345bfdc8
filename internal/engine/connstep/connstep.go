// Package connstep runs connector steps (`type: slack`, `jira.pushToService`, and `http`
// with a connector-id): it resolves the step's connector by id or name through the connector
// Service, runs the action serving the step type, and turns the Result envelope into a step
// output or a StepError that carries the remote's Retry-After. It is the only place the
// engine and the connector framework meet.
package connstep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
)

// Executor serves every connector step type.
type Executor struct {
	svc *connector.Service
	reg *connector.Registry
}

// New returns an Executor over svc and the registry of its types.
func New(svc *connector.Service, reg *connector.Registry) *Executor {
	return &Executor{svc: svc, reg: reg}
}

// Register adds x under every step type the registry serves. The `http` step type is
// shared with the plain http step: with a connector-id it runs the .http connector, without
// one it runs plain.
func Register(execs map[string]engine.StepExecutor, x *Executor, plainHTTP engine.StepExecutor) {
	for _, st := range x.reg.StepTypes() {
		execs[st] = x
	}
	execs["http"] = engine.StepExecutorFunc(func(ctx context.Context, in engine.StepInput) (any, error) {
		if strings.TrimSpace(in.Step.ConnectorID) == "" {
			return plainHTTP.Run(ctx, in)
		}
		return x.Run(ctx, in)
	})
}

// Run resolves the connector and runs the step's action.
func (x *Executor) Run(ctx context.Context, in engine.StepInput) (any, error) {
	typ, action, ok := x.reg.ForStep(in.Step.Type)
	if !ok {
		return nil, &engine.StepError{Type: "ConnectorError", Permanent: true,
			Message: fmt.Sprintf("no connector type serves step type %q", in.Step.Type)}
	}
	ref, err := connectorRef(in)
	if err != nil {
		return nil, err
	}
	conn, err := x.svc.Resolve(ctx, ref, in.Step.Type)
	if err != nil {
		return nil, resolveError(err, typ)
	}
	ctx = connector.ContextWithLogger(ctx, slog.New(&stepLogHandler{log: in.Log}))
	res := x.svc.Execute(ctx, conn, action, in.With, in.Timeout)
	if res.Status == connector.StatusOK {
		return res.Data, nil
	}
	return nil, resultError(res, conn)
}

// connectorRef is the step's connector-id, rendered when it is a template.
func connectorRef(in engine.StepInput) (string, error) {
	ref := strings.TrimSpace(in.Step.ConnectorID)
	if ref == "" {
		return "", &engine.StepError{Type: "ConnectorError", Permanent: true,
			Message: fmt.Sprintf("Connector ID is required: add `connector-id:` to step %q with the name or id of a connector", in.Step.Name)}
	}
	if !strings.Contains(ref, "{{") || in.Eval == nil {
		return ref, nil
	}
	v, err := in.Eval.RenderValue(ref, in.Context)
	if err != nil {
		return "", &engine.StepError{Type: "ConnectorError", Permanent: true,
			Message: fmt.Sprintf("rendering connector-id of step %q: %v", in.Step.Name, err)}
	}
	return strings.TrimSpace(fmt.Sprint(v)), nil
}

// resolveError maps a resolution failure to a permanent step error.
func resolveError(err error, typ *connector.Type) error {
	kind := "ConnectorError"
	switch {
	case errors.Is(err, connector.ErrConnectorNotFound):
		kind = "ConnectorNotFoundError"
	case errors.Is(err, connector.ErrAmbiguousConnector):
		kind = "AmbiguousConnectorError"
	case errors.Is(err, connector.ErrWrongConnectorType):
		kind = "WrongConnectorTypeError"
	}
	return &engine.StepError{Type: kind, Message: err.Error(), Permanent: true,
		Details: map[string]any{"connectorType": typ.ID}}
}

// resultError is Kibana's ConnectorExecutionError: the service's message when there is one.
func resultError(res connector.Result, conn *connector.Connector) error {
	msg := res.Message
	if res.ServiceMessage != "" {
		if msg == "" {
			msg = res.ServiceMessage
		} else {
			msg += ": " + res.ServiceMessage
		}
	}
	if msg == "" {
		msg = "the connector call failed"
	}
	details := map[string]any{"connectorId": conn.ID, "connectorName": conn.Name,
		"connectorType": conn.TypeID, "retry": res.Retry, "errorSource": res.ErrorSource}
	if res.HTTPStatus != 0 {
		details["status"] = res.HTTPStatus
	}
	if res.RetryAfter > 0 {
		details["retryAfterMs"] = res.RetryAfter.Milliseconds()
	}
	return &engine.StepError{Type: "ConnectorExecutionError", Message: msg, Details: details,
		RetryAfter: res.RetryAfter, Permanent: !res.Retry}
}
