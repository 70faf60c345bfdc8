package queue

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
)

// recoverBatch is the most orphans enqueued per scan; the rest wait for the next scan.
const recoverBatch = 1000

// recoverLoop scans for orphaned executions every RecoverEvery until ctx is done.
func (q *Queue) recoverLoop(ctx context.Context) {
	ticker := time.NewTicker(q.opts.RecoverEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := q.recoverOrphans(ctx); err != nil && ctx.Err() == nil {
				q.log.ErrorContext(ctx, "recovering orphaned executions", slog.Any("error", err))
			}
		}
	}
}

// recoverOrphans enqueues, to run now, every execution in status running whose lease expired
// (its worker died). Each job is unique per execution and dead lease, so nodes scanning at
// the same time insert it once; the lease would make a second run a no-op anyway.
func (q *Queue) recoverOrphans(ctx context.Context) error {
	orphans, err := q.st.ExecutionListOrphaned(ctx, time.Now(), recoverBatch)
	if err != nil {
		return fmt.Errorf("listing orphaned executions: %w", err)
	}
	if len(orphans) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, len(orphans))
	for _, e := range orphans {
		generation := e.LeaseOwner
		if e.LeaseUntil != nil {
			generation += "@" + strconv.FormatInt(e.LeaseUntil.UnixNano(), 10)
		}
		params = append(params, river.InsertManyParams{
			Args:       executionArgs{ExecutionID: e.ID, Generation: generation},
			InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}},
		})
	}
	results, err := q.client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("enqueueing %d orphaned executions: %w", len(orphans), err)
	}
	for i, r := range results {
		if !r.UniqueSkippedAsDuplicate {
			q.log.InfoContext(ctx, "recovering orphaned execution", slog.String("execution_id", orphans[i].ID),
				slog.String("dead_owner", orphans[i].LeaseOwner))
		}
	}
	return nil
}
