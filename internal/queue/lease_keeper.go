package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// leaseKeeper holds the leases of the executions running on this node: it takes and
// releases them around each run, renews all of them in one statement every TTL/3, and
// cancels a run whose lease another node took over (this node failed to renew in time).
type leaseKeeper struct {
	st    store.Store
	owner string
	ttl   time.Duration
	log   *slog.Logger

	// mu guards running. A lease is taken after its entry is added and released after its
	// entry is removed, so every lease this node holds has an entry while renewals run.
	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
}

// newLeaseKeeper returns a keeper of owner's leases.
func newLeaseKeeper(st store.Store, owner string, ttl time.Duration, log *slog.Logger) *leaseKeeper {
	return &leaseKeeper{st: st, owner: owner, ttl: ttl, log: log, running: map[string]context.CancelCauseFunc{}}
}

// acquire takes the lease of execution id. It reports false when the execution runs already,
// on this node or on another, or no longer exists. The returned context is cancelled with errLeaseLost when the
// lease is lost while the execution runs.
func (k *leaseKeeper) acquire(ctx context.Context, id string) (context.Context, bool, error) {
	runCtx, cancel := context.WithCancelCause(ctx)
	k.mu.Lock()
	if _, ok := k.running[id]; ok {
		k.mu.Unlock()
		cancel(nil)
		return nil, false, nil
	}
	k.running[id] = cancel
	k.mu.Unlock()
	err := k.st.ExecutionLease(ctx, id, k.owner, time.Now().Add(k.ttl))
	if err == nil {
		return runCtx, true, nil
	}
	k.forget(id)
	if errors.Is(err, store.ErrLeased) || errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	return nil, false, fmt.Errorf("leasing execution %q: %w", id, err)
}

// release drops the lease of execution id after its run.
func (k *leaseKeeper) release(ctx context.Context, id string) {
	k.forget(id)
	if err := k.st.ExecutionRelease(ctx, id, k.owner); err != nil {
		// The lease expires after ttl and recovery continues the execution if needed.
		k.log.ErrorContext(ctx, "releasing execution lease", slog.String("execution_id", id), slog.Any("error", err))
	}
}

// forget removes id from the running set and cancels its context.
func (k *leaseKeeper) forget(id string) {
	k.mu.Lock()
	cancel := k.running[id]
	delete(k.running, id)
	k.mu.Unlock()
	if cancel != nil {
		cancel(nil)
	}
}

// count returns how many executions run on this node.
func (k *leaseKeeper) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.running)
}

// renewLoop renews the leases every ttl/3 until ctx is done.
func (k *leaseKeeper) renewLoop(ctx context.Context) {
	ticker := time.NewTicker(k.ttl / 3)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := k.renew(ctx); err != nil && ctx.Err() == nil {
				k.log.ErrorContext(ctx, "renewing execution leases", slog.Any("error", err))
			}
		}
	}
}

// renew extends every lease of this node in one statement. When fewer leases were renewed
// than executions run here, some lease was lost: each running execution's lease is then
// taken again one by one, and the runs whose lease another node holds are cancelled.
func (k *leaseKeeper) renew(ctx context.Context) error {
	expected := k.count()
	n, err := k.st.ExecutionRenewLeases(ctx, k.owner, time.Now().Add(k.ttl))
	if err != nil {
		return fmt.Errorf("renewing leases of %q: %w", k.owner, err)
	}
	if n >= expected {
		return nil
	}
	return k.fence(ctx)
}

// fence re-takes the lease of every execution running here and cancels those that another
// node holds now. It holds mu so that no run releases its lease meanwhile (re-taking a
// released lease would keep it until it expires).
func (k *leaseKeeper) fence(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	var errs []error
	for id, cancel := range k.running {
		err := k.st.ExecutionLease(ctx, id, k.owner, time.Now().Add(k.ttl))
		switch {
		case errors.Is(err, store.ErrLeased):
			k.log.WarnContext(ctx, "lease lost; cancelling the run", slog.String("execution_id", id))
			cancel(errLeaseLost)
			delete(k.running, id)
		case err != nil:
			errs = append(errs, fmt.Errorf("re-leasing execution %q: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
