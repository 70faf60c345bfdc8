// Package queue runs Errand's executions as River jobs on the store's own database: the
// embedded SQLite file through riversqlite, PostgreSQL through riverdatabasesql. Both drivers
// work over database/sql, so one *sql.Tx inserts an execution row and its job together.
//
// River guarantees a job is worked by one client at a time while it is running, but a job
// can be rescued or duplicated (a recovery job next to a retried one), so the execution's
// lease in the store is the real mutual exclusion: a worker takes it before running the
// execution, renews it while it runs and releases it when it stops. An execution whose lease
// expired while in status running lost its worker; the recoverer enqueues it again.
package queue

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/errand-dev/errand/internal/store"
)

// Handler runs executions. Execute runs one until it is terminal (zero resumeAt) or until it
// must wait (non-zero resumeAt: the queue calls it again then).
type Handler interface {
	Execute(ctx context.Context, executionID string) (resumeAt time.Time, err error)
}

// Options tune a Queue. Zero values take the documented defaults.
type Options struct {
	// NodeID identifies this node as lease owner and River client. Default:
	// hostname-pid-random, so a restarted process never mistakes an old lease for its own.
	NodeID string
	// Workers is how many executions run at once on this node. Default 100.
	Workers int
	// LeaseTTL is how long a lease lasts without renewal. Leases are renewed every
	// LeaseTTL/3 for all running executions in one UPDATE. Default 30s.
	LeaseTTL time.Duration
	// PollInterval is how often River polls for jobs (SQLite has no LISTEN/NOTIFY; River's
	// database/sql driver for PostgreSQL polls too). It bounds the pickup latency of jobs
	// inserted in a transaction or by another node. Default 50ms.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches. Default 2ms.
	FetchCooldown time.Duration
	// RecoverEvery is the orphan scan interval. Default LeaseTTL.
	RecoverEvery time.Duration
	// MaxAttempts is how many times a job whose handler fails runs (first attempt
	// included) before River discards it. Snoozes for a resume do not count. Default 5.
	MaxAttempts int
	// StopTimeout is how long Stop lets running executions finish before cancelling them.
	// Default 10s.
	StopTimeout time.Duration
	// RescueStuckJobsAfter is how long a River job may stay running before River's rescuer
	// retries it. Running executions are protected by their leases, not by this, so it only
	// cleans up the job rows of dead nodes; it must exceed the longest uninterrupted run,
	// because a rescued job's snooze (resume) would be lost. Default 1h.
	RescueStuckJobsAfter time.Duration
	// Logger receives the queue's and River's logs. Default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns o with defaults filled in, or ErrInvalidOptions.
func (o Options) withDefaults() (Options, error) {
	if o.Workers < 0 || o.LeaseTTL < 0 || o.PollInterval < 0 || o.FetchCooldown < 0 ||
		o.RecoverEvery < 0 || o.MaxAttempts < 0 || o.StopTimeout < 0 || o.RescueStuckJobsAfter < 0 {
		return o, fmt.Errorf("checking options: negative value: %w", ErrInvalidOptions)
	}
	o.NodeID = cmp.Or(o.NodeID, defaultNodeID())
	if len(o.NodeID) > 100 {
		return o, fmt.Errorf("checking node id %q: longer than 100 bytes: %w", o.NodeID, ErrInvalidOptions)
	}
	o.Workers = cmp.Or(o.Workers, 100)
	o.LeaseTTL = cmp.Or(o.LeaseTTL, 30*time.Second)
	o.PollInterval = max(cmp.Or(o.PollInterval, 50*time.Millisecond), time.Millisecond)
	o.FetchCooldown = min(max(cmp.Or(o.FetchCooldown, 2*time.Millisecond), time.Millisecond), o.PollInterval)
	o.RecoverEvery = cmp.Or(o.RecoverEvery, o.LeaseTTL)
	o.MaxAttempts = cmp.Or(o.MaxAttempts, 5)
	o.StopTimeout = cmp.Or(o.StopTimeout, 10*time.Second)
	o.RescueStuckJobsAfter = cmp.Or(o.RescueStuckJobsAfter, time.Hour)
	o.Logger = cmp.Or(o.Logger, slog.Default())
	return o, nil
}

// defaultNodeID returns hostname-pid-random.
func defaultNodeID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "errand"
	}
	if len(host) > 60 {
		host = host[:60]
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Queue schedules and runs executions. It is a service: Start it once, Stop it once.
type Queue struct {
	st     store.Store
	h      Handler
	opts   Options
	client *river.Client[*sql.Tx]
	leases *leaseKeeper
	log    *slog.Logger

	mu      sync.Mutex
	started bool
	stop    context.CancelFunc // stops the renewer and the recoverer
	done    sync.WaitGroup
}

// New builds a Queue on st's database, applying River's migrations for its dialect.
func New(st store.Store, h Handler, opts Options) (*Queue, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	driver, err := riverDriver(st)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := migrateRiver(ctx, driver, opts.Logger); err != nil {
		return nil, err
	}
	q := &Queue{st: st, h: h, opts: opts, log: opts.Logger.With(slog.String("node", opts.NodeID))}
	q.leases = newLeaseKeeper(st, opts.NodeID, opts.LeaseTTL, q.log)
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &executionWorker{q: q}); err != nil {
		return nil, fmt.Errorf("registering the execution worker: %w", err)
	}
	q.client, err = river.NewClient(driver, &river.Config{
		ID:                   opts.NodeID,
		Logger:               opts.Logger,
		Workers:              workers,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}},
		FetchPollInterval:    opts.PollInterval,
		FetchCooldown:        opts.FetchCooldown,
		MaxAttempts:          opts.MaxAttempts,
		JobTimeout:           -1, // executions run as long as they need; leases bound them
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		SoftStopTimeout:      opts.StopTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the river client: %w", err)
	}
	return q, nil
}

// riverDriver returns the River driver for st's dialect on st's database handle.
func riverDriver(st store.Store) (riverdriver.Driver[*sql.Tx], error) {
	switch st.Dialect() {
	case "sqlite":
		return riversqlite.New(st.DB()), nil
	case "postgres":
		return riverdatabasesql.New(st.DB()), nil
	}
	return nil, fmt.Errorf("choosing a river driver for dialect %q: %w", st.Dialect(), ErrUnsupportedDialect)
}

// migrateRiver applies River's schema migrations that are not applied yet.
func migrateRiver(ctx context.Context, driver riverdriver.Driver[*sql.Tx], log *slog.Logger) error {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("creating the river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating river tables: %w", err)
	}
	return nil
}

// Start starts working jobs, renewing leases and recovering orphaned executions (once now,
// then every RecoverEvery). The queue runs until Stop; cancelling ctx does not stop it.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return ErrAlreadyStarted
	}
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting the river client: %w", err)
	}
	q.started = true
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.stop = cancel
	if err := q.recoverOrphans(ctx); err != nil {
		q.log.ErrorContext(ctx, "recovering orphaned executions", slog.Any("error", err))
	}
	q.done.Add(2)
	go func() {
		defer q.done.Done()
		q.leases.renewLoop(loopCtx)
	}()
	go func() {
		defer q.done.Done()
		q.recoverLoop(loopCtx)
	}()
	return nil
}

// Stop stops fetching jobs, lets running executions finish for up to StopTimeout, then
// cancels them; a cancelled execution's lease is released and its job made available again
// at once, so another node continues it. Stop returns when every worker has returned (or
// LeaseTTL after the cancellation, for a handler that ignores its context: its lease then
// simply expires and recovery takes over).
func (q *Queue) Stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.started || q.stop == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), q.opts.StopTimeout+q.opts.LeaseTTL)
	defer cancel()
	if err := q.client.Stop(ctx); err != nil {
		q.log.ErrorContext(ctx, "stopping the river client", slog.Any("error", err),
			slog.Int("still_running", q.leases.count()))
	}
	q.stop()
	q.done.Wait()
	q.stop = nil
}

// EnqueueTx schedules executionID to run at runAt (now when zero) within tx: the job exists
// only if tx commits. On SQLite, tx must come from the store's DB. A job inserted in a
// transaction is picked up at the next poll (PollInterval). It uses River's insert without
// RETURNING: nothing reads the job row back, and on SQLite decoding it costs about as much
// as inserting it.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, executionID string, runAt time.Time) error {
	params := []river.InsertManyParams{{Args: executionArgs{ExecutionID: executionID}, InsertOpts: insertOpts(runAt)}}
	if _, err := q.client.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueueing execution %q: %w", executionID, err)
	}
	return nil
}

// Enqueue schedules executionID to run at runAt (now when zero) in its own transaction.
func (q *Queue) Enqueue(ctx context.Context, executionID string, runAt time.Time) error {
	if _, err := q.client.Insert(ctx, executionArgs{ExecutionID: executionID}, insertOpts(runAt)); err != nil {
		return fmt.Errorf("enqueueing execution %q: %w", executionID, err)
	}
	return nil
}

// insertOpts returns the insert options of a job due at runAt (nil: now). A runAt that is
// not in the future inserts an available job: River puts every job with a ScheduledAt in
// state scheduled, which only its scheduler (every 5 s) makes available.
func insertOpts(runAt time.Time) *river.InsertOpts {
	if runAt.IsZero() || !runAt.After(time.Now()) {
		return nil
	}
	return &river.InsertOpts{ScheduledAt: runAt}
}
