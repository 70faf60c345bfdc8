package trigger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/kql"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// EventsOptions configures Events. Zero fields take the documented defaults.
type EventsOptions struct {
	// Clock stamps event.timestamp when an event-driven payload has none (default the system
	// clock).
	Clock Clock
	// Logger receives condition errors and failed starts (default slog.Default()).
	Logger *slog.Logger
}

// Events starts the workflows whose `alert` or event-driven trigger matches a payload
// (POST /api/workflows/events). It is safe for concurrent use.
//
// Recognizing the payload: a payload whose `type` is "alert", or that has no `type` but has
// an `alerts` array or a `rule` object (Kibana's AlertEventSchema), is an alert and matches
// `alert` triggers, started with triggeredBy "alert". Any other payload names its event type
// in `type` (e.g. "cases.caseCreated") and matches the triggers of that type, started with
// triggeredBy set to that type; such a payload gets `timestamp` (RFC 3339, UTC) when it has
// none, as Kibana injects it. The payload, as given, is the run's `event`.
//
// An alert trigger with the 9.3-era `with: {rule_id}` or `with: {rule_name}` only matches
// alerts of that rule (event.rule.id, event.rule.name).
//
// `on.condition` is KQL evaluated over {event: payload}; a trigger whose condition is false
// or fails to evaluate does not match. `on.workflowEvents` guards loops with the payload's
// `workflow.id` (the workflow an event such as workflows.failed came from): `avoid-loop`
// (the default) skips that very workflow, `ignore` skips every workflow when the event came
// from one, `allow-all` skips none. A workflow with several matching triggers starts once.
type Events struct {
	st   Store
	eng  Starter
	opts EventsOptions
	defs *definitions
}

// NewEvents returns a dispatcher over st that starts executions with eng.
func NewEvents(st Store, eng Starter, opts EventsOptions) *Events {
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Events{st: st, eng: eng, opts: opts, defs: newDefinitions()}
}

// Dispatch starts every enabled, valid workflow with a trigger matching event and returns
// the ids of the executions started (empty, not nil, when none matched). Failed starts do
// not stop the others; their errors are joined in the returned error.
func (d *Events) Dispatch(ctx context.Context, event map[string]any) ([]string, error) {
	triggerType := eventType(event)
	if triggerType != "alert" {
		if _, ok := event["timestamp"]; !ok {
			event = cloneWith(event, "timestamp", d.opts.Clock.Now().UTC().Format(time.RFC3339Nano))
		}
	}
	list, err := enabledWorkflows(ctx, d.st)
	if err != nil {
		return nil, fmt.Errorf("dispatching event %q: %w", triggerType, err)
	}
	ids := []string{}
	var errs []error
	for _, w := range list {
		wf := d.defs.parse(w)
		if wf == nil || !d.matches(wf, w, triggerType, event) {
			continue
		}
		ex, err := d.eng.Start(ctx, engine.StartParams{Workflow: w, Event: event, TriggeredBy: triggerType})
		if err != nil {
			errs = append(errs, fmt.Errorf("starting workflow %q for event %q: %w", w.ID, triggerType, err))
			continue
		}
		ids = append(ids, ex.ID)
	}
	return ids, errors.Join(errs...)
}

// eventType returns "alert" for an alert payload, else the payload's `type` ("" when none).
func eventType(event map[string]any) string {
	t, _ := event["type"].(string)
	if t != "" {
		return t
	}
	_, alerts := event["alerts"].([]any)
	_, rule := event["rule"].(map[string]any)
	if alerts || rule {
		return "alert"
	}
	return ""
}

// matches reports whether one of wf's triggers of triggerType accepts event.
func (d *Events) matches(wf *workflow.Workflow, w *store.Workflow, triggerType string, event map[string]any) bool {
	if triggerType == "" {
		return false
	}
	for _, t := range wf.Triggers {
		if t.Type != triggerType || loops(t, w.ID, event) || !ruleMatches(t, event) {
			continue
		}
		if t.Condition == "" {
			return true
		}
		ok, err := kql.Eval(t.Condition, map[string]any{"event": event})
		if err != nil {
			d.opts.Logger.Warn("events: evaluating a trigger condition", "workflow", w.ID, "trigger", t.Path, "error", err)
			continue
		}
		if ok {
			return true
		}
	}
	return false
}

// loops reports whether on.workflowEvents forbids starting workflow id for event.
func loops(t *workflow.Trigger, id string, event map[string]any) bool {
	source, _ := event["workflow"].(map[string]any)
	from, _ := source["id"].(string)
	switch t.WorkflowEvents {
	case "allow-all":
		return false
	case "ignore":
		return from != ""
	default:
		return from != "" && from == id
	}
}

// ruleMatches applies the 9.3-era `with: {rule_id}` or `with: {rule_name}` of an alert
// trigger to the payload's rule (true when the trigger names no rule).
func ruleMatches(t *workflow.Trigger, event map[string]any) bool {
	rule, _ := event["rule"].(map[string]any)
	for field, key := range map[string]string{"rule_id": "id", "rule_name": "name"} {
		want, _ := t.With[field].(string)
		if got, _ := rule[key].(string); want != "" && got != want {
			return false
		}
	}
	return true
}

// cloneWith returns a shallow copy of m with key set to v.
func cloneWith(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, val := range m {
		out[k] = val
	}
	out[key] = v
	return out
}
