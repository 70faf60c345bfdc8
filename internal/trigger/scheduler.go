package trigger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// SchedulerOptions configures a Scheduler. Zero fields take the documented defaults.
type SchedulerOptions struct {
	// Clock is the time source (default the system clock); tests pass a manual one.
	Clock Clock
	// Interval is how often the stored workflows are scanned again, so that created, edited,
	// enabled and disabled workflows are picked up (default 10s). A failed claim is retried
	// after the same interval.
	Interval time.Duration
	// Logger receives scan and start failures (default slog.Default()).
	Logger *slog.Logger
}

// withDefaults fills the zero fields of o.
func (o SchedulerOptions) withDefaults() SchedulerOptions {
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Scheduler starts the workflows that have a `scheduled` trigger at each of their ticks. It
// is a service: Start launches its loop, Stop ends it.
//
// Exactly-once: at a due tick every node calls TickClaim(workflow, key, tick) and only the
// caller that wins starts the execution, then records it with TickSetExecution. Tick instants
// are computed from the stored workflow alone (see schedule), so nodes agree on them; a
// restarted node reads TickLast and does not start a claimed tick again. A node that dies
// between the claim and the start loses that one tick (at most once in that window).
//
// Catch-up: the ticks due in (lower, now] are collapsed into the latest one, which runs once;
// lower is the latest claimed tick of the trigger or the workflow's last update, whichever is
// later. So a tick missed while every node was down runs once at start, never a backlog, and
// ticks that fell before an edit (enabling included) are not replayed.
//
// Each scan also deletes the expired idempotency keys and webhook replay records.
type Scheduler struct {
	st   Store
	eng  Starter
	opts SchedulerOptions
	defs *definitions

	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	entries map[entryKey]*entry // owned by the loop goroutine
}

// entryKey identifies one scheduled trigger series.
type entryKey struct{ workflowID, key string }

// entry is the loop's state of one scheduled trigger of one workflow.
type entry struct {
	wf      *store.Workflow // as of the last scan
	sched   *schedule
	last    time.Time // the latest tick handled here or claimed by anyone
	retryAt time.Time // after a failed claim: not before this time
}

// NewScheduler returns a stopped Scheduler over st that starts executions with eng.
func NewScheduler(st Store, eng Starter, opts SchedulerOptions) *Scheduler {
	return &Scheduler{st: st, eng: eng, opts: opts.withDefaults(), defs: newDefinitions()}
}

// Start launches the loop: a first scan (which runs the missed ticks) and then one wake-up per
// due tick or rescan. It returns ErrSchedulerRunning when the scheduler already runs.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return ErrSchedulerRunning
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.done, s.entries = cancel, make(chan struct{}), map[entryKey]*entry{}
	go s.run(ctx, s.done)
	return nil
}

// Stop ends the loop and waits for it; a tick being started finishes first. Stop on a
// stopped scheduler does nothing.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// run is the loop: scan when due, start the due ticks, sleep until the next tick or scan.
func (s *Scheduler) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	var nextScan time.Time
	for {
		now := s.opts.Clock.Now()
		if !now.Before(nextScan) {
			s.scan(ctx)
			s.sweep(ctx, now)
			nextScan = now.Add(s.opts.Interval)
		}
		wake := s.fire(ctx, now)
		if wake.IsZero() || wake.After(nextScan) {
			wake = nextScan
		}
		select {
		case <-ctx.Done():
			return
		case <-s.opts.Clock.After(wake.Sub(now)):
		}
	}
}

// scan reloads the enabled workflows and rebuilds the entries, keeping the progress of the
// series that still exist and reading TickLast for new ones.
func (s *Scheduler) scan(ctx context.Context) {
	list, err := enabledWorkflows(ctx, s.st)
	if err != nil {
		s.opts.Logger.Error("scheduler: scanning workflows", "error", err)
		return
	}
	entries := map[entryKey]*entry{}
	seen := map[string]bool{}
	for _, w := range list {
		seen[w.ID] = true
		for _, sc := range s.schedules(w) {
			k := entryKey{w.ID, sc.key}
			e := s.entries[k]
			if e == nil {
				if e, err = s.newEntry(ctx, w, sc); err != nil {
					s.opts.Logger.Error("scheduler: reading the last tick", "workflow", w.ID, "trigger", sc.key, "error", err)
					continue
				}
			}
			e.wf, e.sched = w, sc
			entries[k] = e
		}
	}
	s.entries = entries
	s.defs.forget(seen)
}

// sweep deletes the idempotency and replay records that expired by now; they would be
// replaced anyway, this only keeps the table small.
func (s *Scheduler) sweep(ctx context.Context, now time.Time) {
	if _, err := s.st.IdempotencyDeleteExpired(ctx, now); err != nil {
		s.opts.Logger.Error("scheduler: deleting expired idempotency keys", "error", err)
	}
}

// newEntry starts tracking a series, from its latest claimed tick.
func (s *Scheduler) newEntry(ctx context.Context, w *store.Workflow, sc *schedule) (*entry, error) {
	last, err := s.st.TickLast(ctx, w.ID, sc.key)
	if err != nil {
		return nil, fmt.Errorf("reading the last tick of workflow %q trigger %q: %w", w.ID, sc.key, err)
	}
	return &entry{last: last}, nil
}

// schedules returns the schedules of w's scheduled triggers (none when w is invalid),
// without duplicate keys.
func (s *Scheduler) schedules(w *store.Workflow) []*schedule {
	wf := s.defs.parse(w)
	if wf == nil {
		return nil
	}
	var out []*schedule
	keys := map[string]bool{}
	for _, t := range wf.Triggers {
		if t.Type != "scheduled" {
			continue
		}
		sc, err := newSchedule(t, wf.Settings.Timezone, w.CreatedAt)
		if err != nil {
			s.opts.Logger.Warn("scheduler: skipping a trigger", "workflow", w.ID, "error", err)
			continue
		}
		if !keys[sc.key] {
			keys[sc.key] = true
			out = append(out, sc)
		}
	}
	return out
}

// fire starts the ticks due at now and returns the earliest next wake-up (zero: none).
func (s *Scheduler) fire(ctx context.Context, now time.Time) time.Time {
	var wake time.Time
	for k, e := range s.entries {
		if ctx.Err() != nil {
			return wake
		}
		lower := e.last
		if e.wf.UpdatedAt.After(lower) {
			lower = e.wf.UpdatedAt
		}
		due := e.sched.latest(now)
		if !due.IsZero() && due.After(lower) && !now.Before(e.retryAt) {
			s.tick(ctx, k, e, due, now)
		}
		next := e.sched.next(now)
		if e.retryAt.After(now) && (next.IsZero() || e.retryAt.Before(next)) {
			next = e.retryAt
		}
		if !next.IsZero() && (wake.IsZero() || next.Before(wake)) {
			wake = next
		}
	}
	return wake
}

// tick claims the tick at of e's series and, when this caller wins, starts the workflow as
// it is stored now (a workflow disabled or changed since the scan is not started).
func (s *Scheduler) tick(ctx context.Context, k entryKey, e *entry, at, now time.Time) {
	log := s.opts.Logger.With("workflow", k.workflowID, "trigger", k.key, "tick", at)
	w, err := s.current(ctx, k)
	if err != nil {
		log.Error("scheduler: reloading a workflow", "error", err)
		e.retryAt = now.Add(s.opts.Interval)
		return
	}
	if w == nil {
		e.last = at
		return
	}
	claimed, err := s.st.TickClaim(ctx, k.workflowID, k.key, at)
	if err != nil {
		log.Error("scheduler: claiming a tick", "error", err)
		e.retryAt = now.Add(s.opts.Interval)
		return
	}
	e.last, e.retryAt = at, time.Time{}
	if !claimed {
		return
	}
	ex, err := s.eng.Start(ctx, engine.StartParams{Workflow: w, TriggeredBy: "scheduled"})
	if err != nil {
		log.Error("scheduler: starting a scheduled run", "error", err)
		return
	}
	if err := s.st.TickSetExecution(ctx, k.workflowID, k.key, at, ex.ID); err != nil {
		log.Error("scheduler: recording the execution of a tick", "execution", ex.ID, "error", err)
	}
}

// current reloads the workflow of k; it returns nil when the workflow is gone, disabled,
// invalid or no longer has the series k.
func (s *Scheduler) current(ctx context.Context, k entryKey) (*store.Workflow, error) {
	w, err := s.st.WorkflowGet(ctx, k.workflowID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reloading workflow %q: %w", k.workflowID, err)
	}
	if !w.Enabled {
		return nil, nil
	}
	for _, sc := range s.schedules(w) {
		if sc.key == k.key {
			return w, nil
		}
	}
	return nil, nil
}
