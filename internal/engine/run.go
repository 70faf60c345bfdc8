package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// run is the state of one Execute call walking one execution's plan: the step records
// loaded at the start (replay), the template context built so far and the pending logs.
// Parallel branches share it, so the mutable parts are guarded by mu.
type run struct {
	e       *Engine
	ex      *store.Execution
	plan    *Plan
	base    map[string]any // context entries fixed for the whole run
	maxStep int64

	mu    sync.Mutex
	recs  map[string]*store.StepExecution // by Path
	steps map[string]any                  // steps.<name>: the latest record of each step
	vars  map[string]any                  // variables: merged data.set outputs
	seq   int
	logs  []*store.LogEntry
	// pending are finished records of pure steps not written yet (see isPure).
	pending []*store.StepExecution
	// flushed is when the logs were last written (wall clock: batching, not semantics).
	flushed time.Time
}

// newRun prepares the walk of ex, indexing its existing step records for replay.
func newRun(e *Engine, ex *store.Execution, plan *Plan, recs []*store.StepExecution, depth int) (*run, error) {
	r := &run{
		e: e, ex: ex, plan: plan,
		recs:    make(map[string]*store.StepExecution, len(recs)),
		steps:   map[string]any{},
		vars:    map[string]any{},
		flushed: time.Now(),
	}
	for _, rec := range recs {
		r.recs[rec.Path] = rec
		r.seq = max(r.seq, rec.Seq)
	}
	r.maxStep = e.opts.MaxStepSize
	if plan.Workflow.Settings.MaxStepSize > 0 {
		r.maxStep = plan.Workflow.Settings.MaxStepSize
	}
	base, err := r.baseContext(depth)
	if err != nil {
		return nil, err
	}
	r.base = base
	return r, nil
}

// baseContext builds the context entries that do not change during the run (§6.4).
func (r *run) baseContext(depth int) (map[string]any, error) {
	ex, wf := r.ex, r.plan.Workflow
	inputs, err := decodeMap(ex.Inputs)
	if err != nil {
		return nil, fmt.Errorf("decoding inputs of execution %q: %w", ex.ID, err)
	}
	event, err := decodeMap(ex.Event)
	if err != nil {
		return nil, fmt.Errorf("decoding event of execution %q: %w", ex.ID, err)
	}
	meta, err := decodeMap(ex.Metadata)
	if err != nil {
		return nil, fmt.Errorf("decoding metadata of execution %q: %w", ex.ID, err)
	}
	var startedAt any
	if ex.StartedAt != nil {
		startedAt = ex.StartedAt.UTC()
	}
	executedBy := ex.ExecutedBy
	if executedBy == "" {
		executedBy = "unknown"
	}
	consts := wf.Consts
	if consts == nil {
		consts = map[string]any{}
	}
	base := map[string]any{
		"inputs": inputs, "consts": consts, "event": event, "metadata": meta,
		"execution": map[string]any{
			"id": ex.ID, "isTestRun": ex.IsTestRun, "startedAt": startedAt,
			"executedBy": executedBy, "triggeredBy": ex.TriggeredBy,
		},
		"workflow": map[string]any{
			"id": ex.WorkflowID, "name": wf.Name, "enabled": wf.Enabled, "spaceId": "default",
		},
	}
	if ex.ParentExecutionID != "" {
		base["parent"] = map[string]any{"executionId": ex.ParentExecutionID, "depth": depth}
	}
	return base, nil
}

// context builds the template context of a step running in sc.
func (r *run) context(sc *scope) map[string]any {
	c := make(map[string]any, len(r.base)+6)
	maps.Copy(c, r.base)
	r.mu.Lock()
	c["steps"] = maps.Clone(r.steps)
	c["variables"] = r.vars
	r.mu.Unlock()
	c["now"] = r.e.now()
	if sc.foreach != nil {
		c["foreach"] = sc.foreach
	}
	if sc.while != nil {
		c["while"] = sc.while
	}
	if sc.err != nil {
		c["error"] = sc.err.asMap()
	}
	return c
}

// record returns the loaded or saved record at path, or nil.
func (r *run) record(path string) *store.StepExecution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recs[path]
}

// newRecord starts the record of an attempt at path, reusing the id and order of a record
// left unfinished by an earlier run.
func (r *run) newRecord(path string, st *workflow.Step, attempt int) *store.StepExecution {
	rec := &store.StepExecution{
		ExecutionID: r.ex.ID, Path: path, StepName: st.Name, StepType: st.Type,
		Attempt: attempt, Status: store.StatusRunning, StartedAt: r.e.now(),
	}
	if old := r.record(path); old != nil {
		rec.ID, rec.Seq = old.ID, old.Seq
	}
	return rec
}

// reserve gives rec its id and its place in the run's order and indexes it.
func (r *run) reserve(rec *store.StepExecution) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Seq == 0 {
		r.seq++
		rec.Seq = r.seq
	}
	if rec.ID == "" {
		rec.ID = newID()
	}
	r.recs[rec.Path] = rec
}

// save upserts rec durably (even when ctx is cancelled: a cancelled step is still recorded),
// together with the deferred records of pure steps that finished before it.
func (r *run) save(ctx context.Context, rec *store.StepExecution) error {
	r.reserve(rec)
	return r.writeWithPending(ctx, rec)
}

// finish marks rec terminal with status, output (encoded) and error, saves it, flushes the
// logs and emits step_finished.
func (r *run) finish(ctx context.Context, rec *store.StepExecution, status string, output json.RawMessage, serr *StepError) error {
	now := r.e.now()
	rec.Status, rec.FinishedAt = status, &now
	rec.DurationMs = now.Sub(rec.StartedAt).Milliseconds()
	rec.Output, rec.Error = output, nil
	if serr != nil {
		rec.Error = serr.encode()
		if rs := serr.retryState(); rs != nil {
			st := decodeState(rec)
			maps.Copy(st, rs)
			rec.State, _ = encodeJSON(st)
		}
	}
	if isPure(rec.StepType) && status == store.StatusCompleted {
		r.deferRecord(rec)
	} else if err := r.save(ctx, rec); err != nil {
		return err
	}
	r.e.emit(Event{Kind: EventStepFinished, ExecutionID: r.ex.ID, StepPath: rec.Path, StepName: rec.StepName,
		StepType: rec.StepType, Status: status, Error: serr, Duration: now.Sub(rec.StartedAt), Time: now})
	return r.maybeFlushLogs(ctx)
}

// remember makes rec the latest execution of its step in the context (steps.<name>), merging
// extra state (loop progress) and, for data.set, its output into variables.
func (r *run) remember(st *workflow.Step, status string, input, output any, serr *StepError, extra map[string]any) {
	entry := make(map[string]any, 4+len(extra))
	r.mu.Lock()
	if old, ok := r.steps[st.Name].(map[string]any); ok {
		maps.Copy(entry, old) // keeps loop state (items, index ...) of flow-control steps
	}
	r.mu.Unlock()
	maps.Copy(entry, extra)
	entry["status"] = status
	entry["input"] = input
	entry["output"] = output
	if serr != nil {
		entry["error"] = serr.asMap()
	} else {
		entry["error"] = nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps[st.Name] = entry
	if out, ok := output.(map[string]any); ok && st.Type == typeDataSet && status == store.StatusCompleted {
		vars := maps.Clone(r.vars)
		maps.Copy(vars, out)
		r.vars = vars
	}
}

// rememberState updates the loop state of a flow-control step in steps.<name>, keeping the
// rest of its entry.
func (r *run) rememberState(name string, state map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	entry := map[string]any{}
	if old, ok := r.steps[name].(map[string]any); ok {
		maps.Copy(entry, old)
	}
	maps.Copy(entry, state)
	r.steps[name] = entry
}

// rememberRecord replays a terminal record into the context.
func (r *run) rememberRecord(st *workflow.Step, rec *store.StepExecution, extra map[string]any) {
	input, _ := decodeAny(rec.Input)
	output, _ := decodeAny(rec.Output)
	r.remember(st, rec.Status, input, output, decodeStepError(rec), extra)
}

// decodeAny decodes raw JSON (nil when absent).
func decodeAny(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	return v, nil
}

// decodeMap decodes a raw JSON object (an empty map when absent or null).
func decodeMap(raw json.RawMessage) (map[string]any, error) {
	v, err := decodeAny(raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// decodeState decodes a record's engine state.
func decodeState(rec *store.StepExecution) map[string]any {
	m, _ := decodeMap(rec.State)
	return m
}

// encodeJSON encodes v, nil for nil.
func encodeJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return b, nil
}
