package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/errand-dev/errand/internal/store"
)

// isPure reports whether a step type has no effect outside the run (console and the data.*
// transforms). Such a step may run again on replay without anyone noticing, so its finished
// record need not be durable before the next step starts: it is written together with the
// next durable write (the next side-effecting step's record, or the end of the call). This
// saves a commit per pure step; steps that reach the outside world are never deferred.
func isPure(stepType string) bool {
	return stepType == "console" || strings.HasPrefix(stepType, "data.")
}

// deferRecord keeps rec for the next durable write instead of writing it now.
func (r *run) deferRecord(rec *store.StepExecution) {
	r.reserve(rec)
	r.mu.Lock()
	r.pending = append(r.pending, rec)
	r.mu.Unlock()
}

// writeWithPending writes rec and every deferred record in one transaction.
func (r *run) writeWithPending(ctx context.Context, rec *store.StepExecution) error {
	r.mu.Lock()
	recs := r.pending
	r.pending = nil
	r.mu.Unlock()
	if rec != nil {
		recs = append(recs, rec)
	}
	return r.upsertAll(ctx, recs)
}

// flushPending writes the deferred records and the buffered log lines together.
func (r *run) flushPending(ctx context.Context) error {
	var wg sync.WaitGroup
	var logErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		logErr = r.flushLogs(ctx)
	}()
	recErr := r.writeWithPending(ctx, nil)
	wg.Wait()
	return errors.Join(recErr, logErr)
}

// upsertAll writes recs in one transaction.
func (r *run) upsertAll(ctx context.Context, recs []*store.StepExecution) error {
	switch len(recs) {
	case 0:
		return nil
	case 1:
		return r.upsert(ctx, recs[0])
	}
	if err := r.e.st.StepExecutionUpsertMany(context.WithoutCancel(ctx), recs); err != nil {
		return fmt.Errorf("saving %d step records of execution %q: %w", len(recs), r.ex.ID, err)
	}
	return nil
}

func (r *run) upsert(ctx context.Context, rec *store.StepExecution) error {
	if err := r.e.st.StepExecutionUpsert(context.WithoutCancel(ctx), rec); err != nil {
		return fmt.Errorf("saving record %q of step %q: %w", rec.Path, rec.StepName, err)
	}
	return nil
}
