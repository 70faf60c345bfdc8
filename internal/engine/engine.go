package engine

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// Options configures an Engine. Zero fields take the documented defaults.
type Options struct {
	// NodeID identifies this process in leases and logs (default "local").
	NodeID string
	// ShortWait is the longest wait or retry delay slept in process (default 5s); longer ones
	// park the execution and the queue calls Execute again when it is due.
	ShortWait time.Duration
	// DefaultTimeout is the workflow timeout when settings.timeout is absent (default 6h).
	DefaultTimeout time.Duration
	// MaxStepSize caps a step's output in bytes when max-step-size is absent (default 10 MB).
	MaxStepSize int64
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
	// PollInterval is how often a running execution checks for a cancel request made by
	// another process and renews its lease (default 1s).
	PollInterval time.Duration
	// LeaseDuration is how long a lease on a running execution lasts before another node may
	// take the execution over (default 30s); it is renewed every PollInterval.
	LeaseDuration time.Duration
	// LeasedByCaller says the caller of Execute (the queue) already holds and renews the
	// execution's lease under NodeID, so the engine does not take, renew or release it:
	// one lease, one set of writes.
	LeasedByCaller bool
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.NodeID == "" {
		o.NodeID = "local"
	}
	if o.ShortWait <= 0 {
		o.ShortWait = 5 * time.Second
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = 6 * time.Hour
	}
	if o.MaxStepSize <= 0 {
		o.MaxStepSize = 10 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.LeaseDuration <= 0 {
		o.LeaseDuration = 30 * time.Second
	}
	return o
}

// Scheduler is the queue: EnqueueTx inserts, inside tx, a job that calls Engine.Execute for
// executionID at runAt.
type Scheduler interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, executionID string, runAt time.Time) error
}

// Observer receives live events (CLI spinner, SSE). OnEvent must not block.
type Observer interface {
	OnEvent(ev Event)
}

// Event kinds sent to the Observer.
const (
	EventExecutionStatus = "execution_status"
	EventStepStarted     = "step_started"
	EventStepFinished    = "step_finished"
	EventLog             = "log"
)

// Event is one live event of an execution.
type Event struct {
	Kind        string
	ExecutionID string
	StepPath    string
	StepName    string
	StepType    string
	Status      string
	Level       string
	Message     string
	Error       *StepError
	Duration    time.Duration
	Time        time.Time
}

// Engine runs workflow executions durably on a Store. It is safe for concurrent use.
type Engine struct {
	st        store.Store
	ev        Evaluator
	executors map[string]StepExecutor
	sched     Scheduler
	obs       Observer
	opts      Options

	plans   planCache
	running sync.Map // execution id → context.CancelCauseFunc of an Execute in progress
}

// New builds an Engine. executors maps atomic step types to their implementation; sched and
// obs may be nil (no queue jobs, no live events).
func New(st store.Store, ev Evaluator, executors map[string]StepExecutor, sched Scheduler, obs Observer, opts Options) *Engine {
	ex := make(map[string]StepExecutor, len(executors))
	for k, v := range executors {
		ex[k] = v
	}
	return &Engine{st: st, ev: ev, executors: ex, sched: sched, obs: obs, opts: opts.withDefaults()}
}

// now reads the engine clock.
func (e *Engine) now() time.Time { return e.opts.Now().UTC() }

// emit sends ev to the observer, if any.
func (e *Engine) emit(ev Event) {
	if e.obs == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	e.obs.OnEvent(ev)
}
