// Package enginetest runs workflows end to end for tests: a real SQLite store in a temporary
// directory, the real template evaluator, the built-in and http executors, a synchronous
// scheduler and a fake clock. Run loads YAML, drives the execution to its end (advancing the
// clock to every resume time) and returns the execution with its step records and logs.
package enginetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/builtin"
	"github.com/errand-dev/errand/internal/engine/httpstep"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/sqlite"
	"github.com/errand-dev/errand/internal/template"
)

// Harness is an Engine on a real SQLite store with a fake clock and a recording scheduler.
type Harness struct {
	T         testing.TB
	Store     store.Store
	Engine    *engine.Engine
	Sched     *Scheduler
	Clock     *Clock
	Events    *Recorder
	Executors map[string]engine.StepExecutor
	Options   engine.Options
}

// config collects the options of New and Run.
type config struct {
	executors map[string]engine.StepExecutor
	opts      engine.Options
	start     engine.StartParams
	st        store.Store
}

// Option changes the harness or the run.
type Option func(*config)

// WithExecutor adds or replaces the executor of a step type.
func WithExecutor(stepType string, ex engine.StepExecutor) Option {
	return func(c *config) { c.executors[stepType] = ex }
}

// WithOptions edits the engine options (the clock is the harness's unless set here).
func WithOptions(f func(*engine.Options)) Option {
	return func(c *config) { f(&c.opts) }
}

// WithInputs sets the run's inputs.
func WithInputs(inputs map[string]any) Option {
	return func(c *config) { c.start.Inputs = inputs }
}

// WithStart edits the StartParams of Run (event, metadata, test run ...).
func WithStart(f func(*engine.StartParams)) Option {
	return func(c *config) { f(&c.start) }
}

// WithStore uses st instead of a fresh SQLite store (to share one between harnesses).
func WithStore(st store.Store) Option {
	return func(c *config) { c.st = st }
}

// New builds a harness. The store is closed when the test ends.
func New(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	c := &config{executors: map[string]engine.StepExecutor{}}
	builtin.Register(c.executors)
	c.executors["http"] = httpstep.New(httpclient.New(httpclient.Options{}))
	for _, o := range opts {
		o(c)
	}
	st := c.st
	if st == nil {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "errand.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		st = s
	}
	h := &Harness{T: t, Store: st, Sched: &Scheduler{}, Clock: NewClock(), Events: &Recorder{}, Executors: c.executors}
	if c.opts.Now == nil {
		c.opts.Now = h.Clock.Now
	}
	if c.opts.PollInterval == 0 {
		c.opts.PollInterval = 20 * time.Millisecond
	}
	h.Options = c.opts
	h.Engine = engine.New(st, engine.NewEvaluator(template.New(template.Limits{})), c.executors, h.Sched, h.Events, c.opts)
	return h
}

// Result is a finished (or parked) execution with its records, for assertions.
type Result struct {
	Execution *store.Execution
	Steps     []*store.StepExecution
	Logs      []*store.LogEntry
	// ResumeAt is the last time Execute asked to be called again (zero when it ended).
	ResumeAt time.Time
}

// Run builds a harness, starts yaml and drives it to its end.
func Run(t testing.TB, yaml string, opts ...Option) *Result {
	t.Helper()
	h := New(t, opts...)
	c := &config{executors: map[string]engine.StepExecutor{}}
	for _, o := range opts {
		o(c)
	}
	c.start.YAML = yaml
	ex, err := h.Engine.Start(context.Background(), c.start)
	require.NoError(t, err)
	return h.Drive(ex.ID)
}

// Start starts yaml with p (YAML filled in) and returns the new execution.
func (h *Harness) Start(yaml string, p engine.StartParams) *store.Execution {
	h.T.Helper()
	p.YAML = yaml
	ex, err := h.Engine.Start(context.Background(), p)
	require.NoError(h.T, err)
	return ex
}

// Drive calls Execute until the execution ends, moving the clock to each resume time.
func (h *Harness) Drive(id string) *Result {
	h.T.Helper()
	for i := 0; i < 10000; i++ {
		at, err := h.Engine.Execute(context.Background(), id)
		require.NoError(h.T, err)
		if at.IsZero() {
			break
		}
		h.Clock.Set(at)
	}
	return h.Result(id)
}

// Step runs Execute once and returns the result (parked or finished).
func (h *Harness) Step(id string) *Result {
	h.T.Helper()
	at, err := h.Engine.Execute(context.Background(), id)
	require.NoError(h.T, err)
	res := h.Result(id)
	res.ResumeAt = at
	return res
}

// Result loads the execution, its step records and logs.
func (h *Harness) Result(id string) *Result {
	h.T.Helper()
	ctx := context.Background()
	ex, err := h.Store.ExecutionGet(ctx, id)
	require.NoError(h.T, err)
	steps, err := h.Store.StepExecutionList(ctx, id)
	require.NoError(h.T, err)
	logs, _, err := h.Store.LogList(ctx, id, 10000, 0)
	require.NoError(h.T, err)
	return &Result{Execution: ex, Steps: steps, Logs: logs}
}

// Records returns the records of the named step in order.
func (r *Result) Records(name string) []*store.StepExecution {
	var out []*store.StepExecution
	for _, s := range r.Steps {
		if s.StepName == name {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Record returns the record at path, or nil.
func (r *Result) Record(path string) *store.StepExecution {
	for _, s := range r.Steps {
		if s.Path == path {
			return s
		}
	}
	return nil
}

// Clock is a settable fake clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)}
}

// Now returns the current fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (never backwards).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Job is one enqueued execution job.
type Job struct {
	ExecutionID string
	RunAt       time.Time
}

// Scheduler records the jobs the engine enqueues; the test runs them.
type Scheduler struct {
	mu   sync.Mutex
	jobs []Job
}

// EnqueueTx records the job (the transaction commits with the execution row).
func (s *Scheduler) EnqueueTx(_ context.Context, _ *sql.Tx, executionID string, runAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, Job{ExecutionID: executionID, RunAt: runAt})
	return nil
}

// Jobs returns the jobs enqueued so far.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Job(nil), s.jobs...)
}

// Recorder keeps every event the engine emits.
type Recorder struct {
	mu     sync.Mutex
	events []engine.Event
}

// OnEvent records ev.
func (r *Recorder) OnEvent(ev engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// Events returns the events recorded so far.
func (r *Recorder) Events() []engine.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.Event(nil), r.events...)
}
