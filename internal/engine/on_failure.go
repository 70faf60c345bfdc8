package engine

import (
	"context"
	"hash/fnv"
	"math"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// attemptFunc runs one attempt (1-based) of a step or iteration; a failed attempt leaves a
// terminal record at the attempt's path.
type attemptFunc func(ctx context.Context, attempt int) error

// onFailure runs fn with the on-failure policy of, composed as Kibana does:
// Continue(Fallback(Retry(step))). Fallback steps run in sc with `error` set. With no
// policy a failure propagates unchanged.
func (r *run) onFailure(ctx context.Context, sc *scope, st *workflow.Step, of *workflow.OnFailure, pathOf func(int) string, fn attemptFunc) error {
	err := r.retry(ctx, sc, st, of, pathOf, fn)
	f := asFailure(err)
	if f == nil || of == nil {
		return err
	}
	if len(of.Fallback) > 0 {
		r.logf(st, pathOf(1), "info", "Running fallback of step %s after error: %s", st.Name, f.err.Message)
		if ferr := r.runSteps(ctx, sc.withError(f.err), of.Fallback); ferr != nil {
			return ferr
		}
	}
	if of.Continue {
		r.logf(st, pathOf(1), "info", "Step %s failed; continuing: %s", st.Name, f.err.Message)
		return nil
	}
	return err
}

// retry runs attempts until one succeeds, the attempts are used up, the error is permanent
// or the retry condition is false. Delays run from the failed attempt's finish time, so a
// replay waits only what is left.
func (r *run) retry(ctx context.Context, sc *scope, st *workflow.Step, of *workflow.OnFailure, pathOf func(int) string, fn attemptFunc) error {
	for attempt := 1; ; attempt++ {
		err := fn(ctx, attempt)
		f := asFailure(err)
		if f == nil || of == nil || of.Retry == nil || attempt >= of.Retry.MaxAttempts || f.err.Permanent {
			return err
		}
		rec := r.record(pathOf(attempt))
		if rec == nil || rec.FinishedAt == nil {
			return err
		}
		if of.Retry.Condition != "" {
			ok, cerr := r.e.ev.Condition(of.Retry.Condition, r.context(sc.withError(f.err)))
			if cerr != nil || !ok {
				return err
			}
		}
		delay := max(retryDelay(of.Retry, attempt, r.ex.ID+"/"+rec.Path), f.err.RetryAfter)
		r.logf(st, rec.Path, "info", "Retrying step %s (attempt %d of %d) after %s: %s", st.Name, attempt+1, of.Retry.MaxAttempts, formatDuration(delay), f.err.Message)
		if werr := r.waitUntil(ctx, rec.FinishedAt.Add(delay), store.StatusWaiting); werr != nil {
			if ferr := r.flushLogs(ctx); ferr != nil {
				return ferr
			}
			return werr
		}
	}
}

// retryDelay is the delay after attempt (1-based): fixed, or exponential with a multiplier
// (default 2) capped by max-delay. Jitter is derived from seed (the attempt's identity), not
// from a random source, so a replay computes the same deadline.
func retryDelay(rt *workflow.Retry, attempt int, seed string) time.Duration {
	d := rt.Delay
	if rt.Strategy == "exponential" {
		m := rt.Multiplier
		if m < 1 {
			m = 2
		}
		d = time.Duration(math.Min(float64(d)*math.Pow(m, float64(attempt-1)), math.MaxInt64/2))
	}
	if rt.MaxDelay > 0 && d > rt.MaxDelay {
		d = rt.MaxDelay
	}
	if rt.Jitter && d > 1 {
		h := fnv.New64a()
		_, _ = h.Write([]byte(seed))
		half := d / 2
		d = half + time.Duration(h.Sum64()%uint64(half+1))
	}
	return d
}

// waitUntil waits for deadline: at once when it has passed, sleeping (abortable) when it is
// within ShortWait, otherwise by parking the execution with status.
func (r *run) waitUntil(ctx context.Context, deadline time.Time, status string) error {
	rem := deadline.Sub(r.e.now())
	if rem <= 0 {
		return nil
	}
	if rem > r.e.opts.ShortWait {
		return &parkSignal{until: deadline, status: status}
	}
	t := time.NewTimer(rem)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return newAbort(ctx)
	}
}
