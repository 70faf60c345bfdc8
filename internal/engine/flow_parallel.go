package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// branch is one unit of a parallel step: a named branch or one item of a fan-out.
type branch struct {
	index int
	key   string
	steps []*workflow.Step
	fe    map[string]any // foreach context of a fan-out item
}

// branchResult is the outcome of one branch.
type branchResult struct {
	branch
	status     string
	output     any
	err        *StepError
	signal     error // park or terminate to pass on
	started    time.Time
	finishedAt time.Time
}

// parallelAttempt runs one attempt of a parallel step.
func (r *run) parallelAttempt(ctx context.Context, sc *scope, st *workflow.Step, attempt int) error {
	decide := decideNothing
	if st.Foreach != nil {
		decide = r.decideItems(st, st.Foreach)
	}
	return r.flowAttempt(ctx, sc, st, attempt, st.Timeout, decide, r.parallelBody(sc, st, attempt))
}

// parallelBody runs the branches concurrently (at most `concurrency` at a time). In
// fail-fast mode the first failure cancels the others; in settled mode all run to the end.
func (r *run) parallelBody(sc *scope, st *workflow.Step, attempt int) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, state map[string]any, replay bool) (any, error) {
		branches := parallelBranches(st, state)
		conc := st.MaxConcurrency
		if conc <= 0 {
			conc = defaultParallel
		}
		failFast := st.Mode != "settled"
		fctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		sem := make(chan struct{}, conc)
		results := make([]branchResult, len(branches))
		var wg sync.WaitGroup
		for i, b := range branches {
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case sem <- struct{}{}:
				case <-fctx.Done():
					results[i] = branchResult{branch: b, status: store.StatusSkipped}
					return
				}
				defer func() { <-sem }()
				results[i] = r.runBranch(fctx, sc, st, attempt, b, replay)
				if failFast && (results[i].err != nil || isTerminate(results[i].signal)) {
					cancel(errSiblingFailed)
				}
			}()
		}
		wg.Wait()
		return r.parallelOutcome(ctx, st, results, failFast)
	}
}

// parallelBranches lists the branches of st: its named branches or one per item.
func parallelBranches(st *workflow.Step, state map[string]any) []branch {
	if len(st.Branches) > 0 {
		out := make([]branch, len(st.Branches))
		for i, b := range st.Branches {
			out[i] = branch{index: i, key: b.Name, steps: b.Steps}
		}
		return out
	}
	items, _ := state["items"].([]any)
	out := make([]branch, len(items))
	for i, item := range items {
		fe := map[string]any{"item": item, "index": i, "total": len(items), "items": items}
		out[i] = branch{index: i, key: strconv.Itoa(i), steps: st.Steps, fe: fe}
	}
	return out
}

// runBranch runs (or replays) one branch under the branch timeout and records it.
func (r *run) runBranch(ctx context.Context, sc *scope, st *workflow.Step, attempt int, b branch, replay bool) branchResult {
	path := sc.prefix + st.Name + attemptSuffix(attempt) + "[" + b.key + "]"
	bsc := sc.iteration(path, b.fe, nil)
	rec := r.record(path)
	if rec != nil && store.IsTerminal(rec.Status) {
		_ = r.runSteps(ctx, bsc, b.steps) // rebuilds the context from the branch's records
		out, _ := decodeAny(rec.Output)
		res := branchResult{branch: b, status: rec.Status, output: out, err: decodeStepError(rec), started: rec.StartedAt}
		if rec.FinishedAt != nil {
			res.finishedAt = *rec.FinishedAt
		}
		return res
	}
	if rec == nil {
		if replay {
			return branchResult{branch: b, status: store.StatusSkipped}
		}
		rec = r.newRecord(path, st, attempt)
		rec.StepType = st.Type + ".branch"
		if err := r.save(ctx, rec); err != nil {
			return branchResult{branch: b, status: store.StatusFailed, signal: err}
		}
	}
	bctx, cancel, mine := withScopeTimeout(ctx, st.BranchTimeout)
	defer cancel()
	err := r.runSteps(bctx, bsc, b.steps)
	res := branchResult{branch: b, status: store.StatusCompleted, started: rec.StartedAt}
	if len(b.steps) > 0 {
		res.output = r.latestOutput(b.steps[len(b.steps)-1].Name)
	}
	return r.endBranch(ctx, rec, res, err, ownTimeout(ctx, err, mine), st.BranchTimeout)
}

// endBranch classifies a branch's outcome and records it (a parked branch stays running).
func (r *run) endBranch(ctx context.Context, rec *store.StepExecution, res branchResult, err error, timedOut bool, d time.Duration) branchResult {
	var park *parkSignal
	var abort *abortSignal
	var term *terminateSignal
	switch f := asFailure(err); {
	case timedOut:
		res.status, res.err, res.output = store.StatusTimedOut, timeoutError(d), nil
	case errors.As(err, &park):
		res.signal = err
		return res
	case errors.As(err, &abort):
		res.status, res.output = store.StatusSkipped, nil
	case errors.As(err, &term):
		res.signal = err
	case f != nil:
		res.status, res.err, res.output = store.StatusFailed, f.err, nil
	case err != nil:
		res.status, res.err, res.output = store.StatusFailed, toStepError(err), nil
		var loop *loopSignal
		if !errors.As(err, &loop) {
			res.signal = err
		}
	}
	raw, _ := encodeJSON(res.output)
	if ferr := r.finish(ctx, rec, res.status, raw, res.err); ferr != nil && res.signal == nil {
		res.signal = ferr
	}
	res.finishedAt = *rec.FinishedAt
	return res
}

// isTerminate reports whether err is a terminate signal.
func isTerminate(err error) bool {
	var t *terminateSignal
	return errors.As(err, &t)
}

// parallelOutcome builds the parallel step's output (§5.1) and its result: a signal from a
// branch, the first failure in fail-fast mode, a park, or success.
func (r *run) parallelOutcome(ctx context.Context, st *workflow.Step, results []branchResult, failFast bool) (any, error) {
	if ctx.Err() != nil {
		return nil, newAbort(ctx)
	}
	list := make([]any, len(results))
	named := map[string]any{}
	succeeded, failed := 0, 0
	var firstErr *StepError
	var park *parkSignal
	for i, res := range results {
		var p *parkSignal
		switch {
		case isTerminate(res.signal):
			return nil, res.signal
		case errors.As(res.signal, &p):
			if park == nil || p.until.Before(park.until) {
				park = p
			}
		case res.signal != nil && !isSignal(res.signal) && asFailure(res.signal) == nil:
			return nil, res.signal // store error
		}
		switch res.status {
		case store.StatusCompleted:
			succeeded++
		case store.StatusFailed, store.StatusTimedOut:
			failed++
			if firstErr == nil {
				firstErr = res.err
			}
		}
		list[i] = branchEntry(res)
		if len(st.Branches) > 0 {
			named[res.key] = map[string]any{"status": res.status, "output": res.output, "error": errMap(res.err)}
		}
	}
	status := store.StatusCompleted
	if failed > 0 {
		status = store.StatusFailed
	}
	out := map[string]any{"results": list, "total": len(results), "succeeded": succeeded, "failed": failed, "status": status}
	if len(st.Branches) > 0 {
		out["branches"] = named
	}
	switch {
	case failFast && firstErr != nil:
		return out, &stepFailure{step: st.Name, err: firstErr}
	case park != nil:
		return out, park
	}
	return out, nil
}

// branchEntry is one element of the parallel output's results.
func branchEntry(res branchResult) map[string]any {
	e := map[string]any{"index": res.index, "key": res.key, "status": res.status}
	if res.output != nil {
		e["output"] = res.output
	}
	if res.err != nil {
		e["error"] = res.err.asMap()
	}
	if !res.started.IsZero() {
		e["startedAt"] = res.started.Format(time.RFC3339Nano)
	}
	if !res.finishedAt.IsZero() {
		e["finishedAt"] = res.finishedAt.Format(time.RFC3339Nano)
		e["durationMs"] = res.finishedAt.Sub(res.started).Milliseconds()
	}
	return e
}

// errMap is err as templates see it, nil for none.
func errMap(err *StepError) any {
	if err == nil {
		return nil
	}
	return err.asMap()
}
