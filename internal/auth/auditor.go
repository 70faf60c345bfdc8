package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// AuditorOptions tune an Auditor. Zero values take the defaults.
type AuditorOptions struct {
	// QueueSize is how many entries wait for the store at most (default 1024).
	QueueSize int
	// EnqueueWait is how long Record waits for room in a full queue before it drops the
	// entry and logs it (default 100ms).
	EnqueueWait time.Duration
	// WriteTimeout bounds one AuditAppend (default 5s).
	WriteTimeout time.Duration
	// Now stamps entries without a time (default time.Now).
	Now func() time.Time
	// Logger receives failed and dropped entries (default slog.Default()).
	Logger *slog.Logger
}

// Auditor writes the audit log of mutating API calls through a bounded queue, so a slow
// store delays a request by EnqueueWait at most. It is a service: Start runs the writer,
// Stop drains the queue and ends it.
type Auditor struct {
	st    store.AuditStore
	opts  AuditorOptions
	queue chan *store.AuditEntry
	done  chan struct{}

	mu      sync.RWMutex
	started bool
	stopped bool
}

// NewAuditor returns an auditor writing to st; call Start.
func NewAuditor(st store.AuditStore, opts AuditorOptions) *Auditor {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.EnqueueWait <= 0 {
		opts.EnqueueWait = 100 * time.Millisecond
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Auditor{st: st, opts: opts, queue: make(chan *store.AuditEntry, opts.QueueSize), done: make(chan struct{})}
}

// Start runs the writer until Stop (or until ctx ends, after writing what is queued).
func (a *Auditor) Start(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started || a.stopped {
		return fmt.Errorf("starting auditor: already started or stopped")
	}
	a.started = true
	go a.run(ctx)
	return nil
}

// Stop refuses new entries, writes the queued ones and returns when done. Entries recorded
// by an auditor never started are written here.
func (a *Auditor) Stop() {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return
	}
	a.stopped = true
	close(a.queue)
	started := a.started
	a.mu.Unlock()
	if !started {
		a.drain(context.Background())
		return
	}
	<-a.done
}

// Record queues e (stamped now when e.Time is zero). When the queue stays full for
// EnqueueWait, when ctx ends first or after Stop, the entry is dropped and logged.
func (a *Auditor) Record(ctx context.Context, e *store.AuditEntry) {
	if e.Time.IsZero() {
		e.Time = a.opts.Now().UTC()
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.stopped {
		a.logEntry(ctx, "dropping audit entry: auditor stopped", e, nil)
		return
	}
	select {
	case a.queue <- e:
		return
	default:
	}
	t := time.NewTimer(a.opts.EnqueueWait)
	defer t.Stop()
	select {
	case a.queue <- e:
	case <-t.C:
		a.logEntry(ctx, "dropping audit entry: queue full", e, nil)
	case <-ctx.Done():
		a.logEntry(ctx, "dropping audit entry: request ended", e, ctx.Err())
	}
}

// run writes entries until the queue is closed, or ctx ends and what is queued is written.
func (a *Auditor) run(ctx context.Context) {
	defer close(a.done)
	wctx := context.WithoutCancel(ctx) // entries queued before shutdown are still written
	for {
		select {
		case e, ok := <-a.queue:
			if !ok {
				return
			}
			a.write(wctx, e)
		case <-ctx.Done():
			a.drain(wctx)
			return
		}
	}
}

// drain writes what is queued now without waiting for more.
func (a *Auditor) drain(ctx context.Context) {
	for {
		select {
		case e, ok := <-a.queue:
			if !ok {
				return
			}
			a.write(ctx, e)
		default:
			return
		}
	}
}

// write appends one entry, logging a failure.
func (a *Auditor) write(ctx context.Context, e *store.AuditEntry) {
	ctx, cancel := context.WithTimeout(ctx, a.opts.WriteTimeout)
	defer cancel()
	if err := a.st.AuditAppend(ctx, e); err != nil {
		a.logEntry(ctx, "writing audit entry", e, err)
	}
}

// logEntry logs e's who and what (never a credential: entries hold none).
func (a *Auditor) logEntry(ctx context.Context, msg string, e *store.AuditEntry, err error) {
	a.opts.Logger.ErrorContext(ctx, msg, "actor", e.Actor, "method", e.Method, "path", e.Path,
		"resource", e.Resource, "status", e.Status, "time", e.Time, "error", err)
}
