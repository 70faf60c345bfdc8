package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// Concurrency strategies of settings.concurrency.
const (
	strategyDrop             = "drop"
	strategyCancelInProgress = "cancel-in-progress"
	strategyQueue            = "queue"
	defaultQueueSize         = 100
	defaultQueueTTL          = 24 * time.Hour
	queuedRecheck            = time.Second
)

// admit applies settings.concurrency to a new execution: it sets its concurrency key and
// status (queued when it must wait for a slot) and cancels older runs for
// cancel-in-progress. A non-nil StepError means the run is dropped (stored as skipped).
func (e *Engine) admit(ctx context.Context, plan *Plan, ex *store.Execution) (*StepError, error) {
	c := plan.Workflow.Settings.Concurrency
	if c == nil || c.Strategy == "" {
		return nil, nil
	}
	key, err := e.concurrencyKey(c, plan, ex)
	if err != nil || key == "" {
		return nil, err
	}
	ex.ConcurrencyKey = key
	active, err := e.group(ctx, ex)
	if err != nil {
		return nil, err
	}
	limit := max(c.Max, 1)
	var running, queued []*store.Execution
	for _, a := range active {
		if a.Status == store.StatusQueued {
			queued = append(queued, a)
		} else {
			running = append(running, a)
		}
	}
	if len(running) < limit && len(queued) == 0 {
		return nil, nil
	}
	switch c.Strategy {
	case strategyDrop:
		return &StepError{Type: "ConcurrencyLimit", Message: fmt.Sprintf("Dropped due to concurrency limit (max: %d)", limit)}, nil
	case strategyCancelInProgress:
		for i := 0; i < len(running)-limit+1; i++ {
			oldest := running[len(running)-1-i] // the list is newest first
			if err := e.cancelWithReason(ctx, oldest.ID, "Cancelled due to concurrency limit"); err != nil {
				return nil, err
			}
		}
	case strategyQueue:
		size := c.QueueSize
		if size <= 0 {
			size = defaultQueueSize
		}
		if len(queued) >= size {
			return &StepError{Type: "ConcurrencyLimit", Message: fmt.Sprintf("Dropped: the concurrency queue is full (size: %d)", size)}, nil
		}
		ex.Status = store.StatusQueued
	}
	return nil, nil
}

// concurrencyKey evaluates the key: a literal without braces, otherwise rendered against the
// run's inputs, event and metadata; an empty result means no concurrency control.
func (e *Engine) concurrencyKey(c *workflow.Concurrency, plan *Plan, ex *store.Execution) (string, error) {
	key := strings.TrimSpace(c.Key)
	if key == "" || !strings.Contains(key, "{{") && !strings.Contains(key, "{%") {
		return key, nil
	}
	inputs, _ := decodeMap(ex.Inputs)
	event, _ := decodeMap(ex.Event)
	meta, _ := decodeMap(ex.Metadata)
	data := map[string]any{
		"inputs": inputs, "event": event, "metadata": meta, "consts": plan.Workflow.Consts,
		"workflow": map[string]any{"id": ex.WorkflowID, "name": plan.Workflow.Name},
	}
	v, err := e.ev.RenderValue(key, data)
	if err != nil {
		return "", fmt.Errorf("rendering concurrency key of workflow %q: %w", plan.Workflow.Name, err)
	}
	if v == nil {
		return key, nil
	}
	return strings.TrimSpace(matchString(v)), nil
}

// group lists the other active executions of ex's workflow with the same concurrency key,
// newest first.
func (e *Engine) group(ctx context.Context, ex *store.Execution) ([]*store.Execution, error) {
	list, _, err := e.st.ExecutionList(ctx, store.ExecutionListParams{WorkflowID: ex.WorkflowID, Statuses: activeStatuses, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("listing active executions of workflow %q: %w", ex.WorkflowName, err)
	}
	var out []*store.Execution
	for _, a := range list {
		if a.ID != ex.ID && a.WorkflowID == ex.WorkflowID && a.WorkflowName == ex.WorkflowName && a.ConcurrencyKey == ex.ConcurrencyKey {
			out = append(out, a)
		}
	}
	return out, nil
}

// admitQueued decides whether a queued execution may run now: it may when fewer than max
// runs of its group are active and no older run is queued before it. Otherwise it stays
// queued and Execute returns a time to check again; past queue-ttl it is skipped.
func (e *Engine) admitQueued(ctx context.Context, ex *store.Execution, plan *Plan) (time.Time, bool, error) {
	c := plan.Workflow.Settings.Concurrency
	if c == nil {
		return time.Time{}, false, nil
	}
	ttl := c.QueueTTL
	if ttl <= 0 {
		ttl = defaultQueueTTL
	}
	now := e.now()
	if now.Sub(ex.CreatedAt) > ttl {
		return time.Time{}, true, e.close(ctx, ex, store.StatusSkipped, nil, &StepError{Type: "ConcurrencyLimit", Message: "Dropped: queued longer than the concurrency queue-ttl of " + formatDuration(ttl)})
	}
	active, err := e.group(ctx, ex)
	if err != nil {
		return time.Time{}, true, err
	}
	ahead := 0
	for _, a := range active {
		if a.Status != store.StatusQueued || a.CreatedAt.Before(ex.CreatedAt) || a.CreatedAt.Equal(ex.CreatedAt) && a.ID < ex.ID {
			ahead++
		}
	}
	if ahead < max(c.Max, 1) {
		return time.Time{}, false, nil
	}
	at := now.Add(min(queuedRecheck, e.opts.ShortWait))
	return at, true, e.setStatus(ctx, ex, store.StatusQueued, &at)
}
