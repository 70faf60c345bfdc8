package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/errand-dev/errand/internal/store"
)

// jobKind is the River kind of every execution job.
const jobKind = "execution"

// executionArgs are the arguments of an execution job. Generation is set only on recovery
// jobs: it names the dead lease (owner and expiry) so that two nodes recovering the same
// orphan insert one job.
type executionArgs struct {
	ExecutionID string `json:"execution_id"`
	Generation  string `json:"generation,omitempty"`
}

// Kind returns the River job kind.
func (executionArgs) Kind() string { return jobKind }

// executionWorker is the River worker that runs one execution under its lease.
type executionWorker struct {
	river.WorkerDefaults[executionArgs]
	q *Queue
}

// Work runs the job's execution unless it is terminal, gone, or running elsewhere. A wait
// becomes a snooze (not an attempt), a handler error a River retry, and a run cut short by
// Stop a snooze of zero so that another node continues it at once.
func (w *executionWorker) Work(ctx context.Context, job *river.Job[executionArgs]) error {
	q, id := w.q, job.Args.ExecutionID
	exec, err := q.st.ExecutionGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		q.log.WarnContext(ctx, "dropping the job of a missing execution", slog.String("execution_id", id))
		return nil
	}
	if err != nil {
		return fmt.Errorf("loading execution %q: %w", id, err)
	}
	if store.IsTerminal(exec.Status) {
		return nil
	}
	runCtx, acquired, err := q.leases.acquire(ctx, id)
	if err != nil {
		return err
	}
	if !acquired {
		return nil // another worker (here or on another node) runs it and schedules what follows
	}
	resumeAt, err := q.runLeased(runCtx, id)
	switch {
	case errors.Is(context.Cause(runCtx), errLeaseLost):
		q.log.WarnContext(ctx, "execution taken over by another node", slog.String("execution_id", id))
		return nil
	case ctx.Err() != nil:
		return river.JobSnooze(0) // stopping: hand it over now, without spending an attempt
	case err != nil:
		q.log.ErrorContext(ctx, "executing execution", slog.String("execution_id", id),
			slog.Int("attempt", job.Attempt), slog.Int("max_attempts", job.MaxAttempts),
			slog.Bool("discarding", job.Attempt >= job.MaxAttempts), slog.Any("error", err))
		return fmt.Errorf("executing execution %q: %w", id, err)
	case !resumeAt.IsZero():
		return river.JobSnooze(max(time.Until(resumeAt), 0))
	}
	return nil
}

// runLeased calls the handler for an execution whose lease this node holds and releases the
// lease afterwards, even when the handler panics.
func (q *Queue) runLeased(ctx context.Context, id string) (time.Time, error) {
	defer q.leases.release(context.WithoutCancel(ctx), id)
	return q.h.Execute(ctx, id)
}
