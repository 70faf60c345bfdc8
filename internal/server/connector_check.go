package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/workflow"
)

// Rule ids of the connector diagnostics CheckConnectors reports. Each is an error: the
// step would fail at run time with the same message.
const (
	// RuleConnectorNotFound: no stored or preconfigured connector has the step's
	// connector-id as its id or name.
	RuleConnectorNotFound = "connectorNotFound"
	// RuleAmbiguousConnector: several connectors share the name; the message lists their ids.
	RuleAmbiguousConnector = "ambiguousConnector"
	// RuleConnectorTypeMismatch: the connector's type does not serve the step's type.
	RuleConnectorTypeMismatch = "connectorTypeMismatch"
	// RuleConnectorUnusable: the connector exists but cannot be read (its secrets do not
	// decrypt with the key ring, or the store failed); reported as a warning, since the
	// workflow itself is not wrong.
	RuleConnectorUnusable = "connectorUnusable"
)

// CheckConnectors resolves the connector-id of every step of wf (nested bodies, else,
// switch cases and default, parallel branches, fallbacks and the workflow's own fallback
// included) against the stored and preconfigured connectors of svc, the way the step will
// resolve it at run time, and reports what would fail there: an unknown connector, an
// ambiguous name, or a connector whose type does not serve the step type. Templated
// references ({{ }}) are only known at run time and are skipped. Each diagnostic carries
// the step's line and column and the path of its connector-id.
func CheckConnectors(ctx context.Context, svc *connector.Service, wf *workflow.Workflow) []workflow.Diagnostic {
	if svc == nil || wf == nil {
		return nil
	}
	c := &connectorChecker{svc: svc, seen: map[[2]string]error{}}
	c.walk(ctx, wf.Steps)
	if wf.Settings.OnFailure != nil {
		c.walk(ctx, wf.Settings.OnFailure.Fallback)
	}
	workflow.SortDiagnostics(c.diags)
	return c.diags
}

// connectorChecker collects CheckConnectors' diagnostics, resolving each (reference, step
// type) pair once.
type connectorChecker struct {
	svc   *connector.Service
	seen  map[[2]string]error
	diags []workflow.Diagnostic
}

// walk checks steps and every step list nested in them.
func (c *connectorChecker) walk(ctx context.Context, steps []*workflow.Step) {
	for _, s := range steps {
		c.check(ctx, s)
		c.walk(ctx, s.Steps)
		c.walk(ctx, s.Else)
		for _, sc := range s.Cases {
			c.walk(ctx, sc.Steps)
		}
		c.walk(ctx, s.Default)
		for _, b := range s.Branches {
			c.walk(ctx, b.Steps)
		}
		if s.OnFailure != nil {
			c.walk(ctx, s.OnFailure.Fallback)
		}
		if s.IterationOnFailure != nil {
			c.walk(ctx, s.IterationOnFailure.Fallback)
		}
	}
}

// check resolves one step's connector-id and records a diagnostic when it fails.
func (c *connectorChecker) check(ctx context.Context, s *workflow.Step) {
	ref := strings.TrimSpace(s.ConnectorID)
	if ref == "" || strings.Contains(ref, "{{") || strings.Contains(ref, "${{") || s.Type == "" {
		return
	}
	key := [2]string{ref, s.Type}
	err, done := c.seen[key]
	if !done {
		_, err = c.svc.Resolve(ctx, ref, s.Type)
		c.seen[key] = err
	}
	if err == nil {
		return
	}
	d := workflow.Diagnostic{Rule: RuleConnectorUnusable, Severity: workflow.SeverityWarning,
		Message: fmt.Sprintf("step %q: %s", s.Name, err.Error()), Path: joinStepPath(s.Path, "connector-id"),
		Line: s.Pos.Line, Col: s.Pos.Col}
	switch {
	case errors.Is(err, connector.ErrConnectorNotFound):
		d.Rule, d.Severity = RuleConnectorNotFound, workflow.SeverityError
	case errors.Is(err, connector.ErrAmbiguousConnector):
		d.Rule, d.Severity = RuleAmbiguousConnector, workflow.SeverityError
	case errors.Is(err, connector.ErrWrongConnectorType):
		d.Rule, d.Severity = RuleConnectorTypeMismatch, workflow.SeverityError
	}
	c.diags = append(c.diags, d)
}

// joinStepPath appends a field to a step's document path ("steps.2" + "connector-id").
func joinStepPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}
