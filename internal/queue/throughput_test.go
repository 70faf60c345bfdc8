package queue

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// benchHandler stands in for the engine running a workflow of steps steps: it marks the
// execution running, upserts one step execution per step, and marks it completed. With
// steps == 0 it does one trivial write (completed). It signals done after n executions.
type benchHandler struct {
	st    store.Store
	steps int
	n     int64
	count atomic.Int64
	done  chan struct{}
}

// Execute implements Handler.
func (h *benchHandler) Execute(ctx context.Context, id string) (time.Time, error) {
	if h.steps > 0 {
		running := store.StatusRunning
		if err := h.st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, Status: &running}); err != nil {
			return time.Time{}, err
		}
		for i := range h.steps {
			now := time.Now()
			err := h.st.StepExecutionUpsert(ctx, &store.StepExecution{
				ID: uuid.NewString(), ExecutionID: id, Path: fmt.Sprintf("step%d#1", i), StepName: fmt.Sprintf("step%d", i),
				StepType: "console", Attempt: 1, Seq: i, Status: store.StatusCompleted, StartedAt: now, FinishedAt: &now,
			})
			if err != nil {
				return time.Time{}, err
			}
		}
	}
	completed := store.StatusCompleted
	if err := h.st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, Status: &completed}); err != nil {
		return time.Time{}, err
	}
	if h.count.Add(1) == h.n {
		close(h.done)
	}
	return time.Time{}, nil
}

// BenchmarkThroughput measures executions per second through the queue at 100 concurrent
// workers. "drain" works b.N executions inserted beforehand; "live" inserts them (execution
// row and job in one transaction, 4 inserters) while the queue works them.
func BenchmarkThroughput(b *testing.B) {
	for _, be := range backends() {
		for _, steps := range []int{0, 3} {
			for _, mode := range []string{"drain", "live"} {
				b.Run(fmt.Sprintf("%s/steps=%d/%s", be.name, steps, mode), func(b *testing.B) {
					benchThroughput(b, be.open(b), steps, mode == "live")
				})
			}
		}
	}
}

func benchThroughput(b *testing.B, st store.Store, steps int, live bool) {
	h := &benchHandler{st: st, steps: steps, n: int64(b.N), done: make(chan struct{})}
	opts := Options{NodeID: "bench", Workers: 100, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	q := newQueue(b, st, h, opts)
	ctx := context.Background()
	if !live {
		insertExecutions(b, st, q, b.N)
	}
	b.ResetTimer()
	start := time.Now()
	require.NoError(b, q.Start(ctx))
	if live {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() { insertExecutions(b, st, q, b.N/4+boolInt(w < b.N%4)) })
		}
		wg.Wait()
	}
	select {
	case <-h.done:
	case <-time.After(10 * time.Minute):
		b.Fatalf("only %d of %d executions ran", h.count.Load(), b.N)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	q.Stop()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "executions/s")
}

// insertExecutions creates n pending executions, each with its job in the same transaction.
func insertExecutions(b *testing.B, st store.Store, q *Queue, n int) {
	ctx := context.Background()
	for range n {
		e := &store.Execution{ID: uuid.NewString(), WorkflowID: "wf", Status: store.StatusPending}
		err := st.ExecutionCreate(ctx, store.ExecutionCreateParams{Execution: e,
			InTx: func(ctx context.Context, tx *sql.Tx) error { return q.EnqueueTx(ctx, tx, e.ID, time.Time{}) }})
		if err != nil {
			b.Error(err)
			return
		}
	}
}

// boolInt returns 1 for true.
func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}
