package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// Retention deletes executions (with their steps and logs) that finished longer ago than
// MaxAge, in batches, and the schedule ticks claimed before then (each trigger's latest tick
// stays), so a busy database stays bounded. A zero MaxAge keeps everything.
type Retention struct {
	st     store.Store
	maxAge time.Duration
	every  time.Duration
	batch  int
	log    *slog.Logger
	now    func() time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

// NewRetention returns a retention service checking every `every` (default 1h).
func NewRetention(st store.Store, maxAge, every time.Duration, log *slog.Logger) *Retention {
	if every <= 0 {
		every = time.Hour
	}
	return &Retention{st: st, maxAge: maxAge, every: every, batch: 500, log: log, now: time.Now,
		stop: make(chan struct{})}
}

// Start runs a sweep now and then every interval until Stop.
func (r *Retention) Start(ctx context.Context) error {
	if r.maxAge <= 0 {
		return nil
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.every)
		defer t.Stop()
		for {
			r.Sweep(context.WithoutCancel(ctx))
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop ends the service and waits for a running sweep.
func (r *Retention) Stop() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.wg.Wait()
}

// Sweep deletes every execution finished before now-MaxAge, batch by batch; it returns how
// many it deleted.
func (r *Retention) Sweep(ctx context.Context) int {
	before := r.now().Add(-r.maxAge)
	total := 0
	for {
		n, err := r.st.ExecutionDeleteBefore(ctx, before, r.batch)
		total += n
		if err != nil {
			r.log.Error("deleting old executions", "before", before, "error", err)
			return total
		}
		if n < r.batch {
			break
		}
		select {
		case <-r.stop:
			return total
		default:
		}
	}
	if total > 0 {
		r.log.Info("deleted old executions", "count", total, "before", before)
	}
	if n, err := r.st.TickPrune(ctx, before); err != nil {
		r.log.Error("pruning old schedule ticks", "before", before, "error", err)
	} else if n > 0 {
		r.log.Info("pruned old schedule ticks", "count", n, "before", before)
	}
	return total
}
