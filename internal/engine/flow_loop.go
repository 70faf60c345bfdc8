package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// loopLimit is a loop's max-iterations and whether reaching it fails the loop.
func loopLimit(st *workflow.Step) (int, bool) {
	if st.MaxIterations == nil || st.MaxIterations.Limit <= 0 {
		return defaultMaxIter, false
	}
	return st.MaxIterations.Limit, st.MaxIterations.OnLimit == "fail"
}

// decideItems resolves the items of a foreach (or of a step-level foreach, or a parallel
// fan-out) once; they are the loop's state, so a replay iterates the same items.
func (r *run) decideItems(st *workflow.Step, expr any) flowDecide {
	return func(_ context.Context, data map[string]any) (any, map[string]any, error) {
		input := map[string]any{"foreach": expr}
		items, err := r.resolveItems(expr, data)
		if err != nil {
			return input, nil, err
		}
		limit, fail := loopLimit(st)
		if len(items) > limit {
			if fail {
				return input, nil, &StepError{Type: "MaxIterationsError", Message: fmt.Sprintf("Foreach step %s has %d items, more than its max-iterations of %d.", st.Name, len(items), limit)}
			}
			items = items[:limit]
		}
		return input, map[string]any{"items": items, "total": len(items)}, nil
	}
}

// resolveItems evaluates a foreach expression as Kibana does: a whole "{{ … }}" or "${{ … }}"
// is evaluated keeping its type; anything else is rendered; a string result is parsed as
// JSON; the result must be an array.
func (r *run) resolveItems(expr any, data map[string]any) ([]any, error) {
	var v any
	var err error
	src, isString := expr.(string)
	s := strings.TrimSpace(src)
	switch {
	case isString && wholeExpression(s, "${{"):
		v, err = r.e.ev.Eval(s[3:len(s)-2], data)
	case isString && wholeExpression(s, "{{"):
		v, err = r.e.ev.Eval(s[2:len(s)-2], data)
	default:
		v, err = r.e.ev.RenderValue(expr, data)
	}
	if err != nil {
		return nil, &StepError{Type: "TemplateError", Message: fmt.Sprintf("evaluating foreach expression %q: %s", src, err.Error())}
	}
	if str, ok := v.(string); ok {
		var parsed any
		if jerr := json.Unmarshal([]byte(str), &parsed); jerr != nil {
			return nil, &StepError{Type: "ForeachError", Message: "Unable to parse rendered value: " + str}
		}
		v = parsed
	}
	items, ok := asSlice(v)
	if !ok {
		got, _ := json.Marshal(v)
		if v == nil {
			got = []byte("undefined")
		}
		return nil, &StepError{Type: "ForeachError", Message: fmt.Sprintf("Foreach expression must evaluate to an array. Expression %q resolved to %s", fmt.Sprint(expr), got)}
	}
	return items, nil
}

// wholeExpression reports whether s is one expression opened by open and closed by "}}".
func wholeExpression(s, open string) bool {
	if !strings.HasPrefix(s, open) || !strings.HasSuffix(s, "}}") || len(s) < len(open)+2 {
		return false
	}
	inner := s[len(open) : len(s)-2]
	return !strings.Contains(inner, "}}") && !strings.Contains(inner, "{{")
}

// asSlice converts any slice (executors may return typed slices) to []any.
func asSlice(v any) ([]any, bool) {
	if s, ok := v.([]any); ok {
		return s, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// foreachBody runs the iterations of a foreach over the items in its state, sequentially.
func (r *run) foreachBody(sc *scope, st *workflow.Step, attempt int) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, state map[string]any, _ bool) (any, error) {
		items, _ := state["items"].([]any)
		for i, item := range items {
			fe := map[string]any{"item": item, "index": i, "total": len(items), "items": items}
			r.rememberState(st.Name, fe)
			err := r.iterate(ctx, sc, st, attempt, i, fe, nil)
			var l *loopSignal
			if errors.As(err, &l) {
				if l.brk {
					break
				}
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

// whileBody runs a do-while loop: the body once, then again while the condition holds, up
// to max-iterations (on-limit continue ends quietly, fail fails the loop).
func (r *run) whileBody(sc *scope, st *workflow.Step, attempt int) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, _ map[string]any, _ bool) (any, error) {
		limit, fail := loopLimit(st)
		for i := 0; ; i++ {
			wh := map[string]any{"iteration": i}
			r.rememberState(st.Name, wh)
			err := r.iterate(ctx, sc, st, attempt, i, nil, wh)
			var l *loopSignal
			if errors.As(err, &l) && l.brk {
				return map[string]any{"iterations": i + 1}, nil
			}
			if err != nil && !errors.As(err, &l) {
				return nil, err
			}
			csc := *sc
			csc.while = wh
			ok, cerr := r.e.ev.Condition(st.Condition, r.context(&csc))
			if cerr != nil {
				return nil, &stepFailure{step: st.Name, err: &StepError{Type: "ConditionError", Message: fmt.Sprintf("Syntax error in condition %q for step %s: %s", st.Condition, st.Name, cerr.Error())}}
			}
			if !ok {
				return map[string]any{"iterations": i + 1}, nil
			}
			if i+1 >= limit {
				if fail {
					return nil, &stepFailure{step: st.Name, err: &StepError{Type: "MaxIterationsError", Message: fmt.Sprintf("While step %s reached its max-iterations of %d.", st.Name, limit)}}
				}
				r.logf(st, sc.path(st.Name, attempt), "info", "While step %s stopped at its max-iterations of %d", st.Name, limit)
				return map[string]any{"iterations": i + 1}, nil
			}
		}
	}
}

// iterate runs iteration i of loop st with its iteration-timeout and iteration-on-failure.
// Iterations get their own record only when iteration-on-failure needs one (retry timing).
func (r *run) iterate(ctx context.Context, sc *scope, st *workflow.Step, attempt, i int, fe, wh map[string]any) error {
	of := st.IterationOnFailure
	if of == nil {
		isc := sc.iteration(sc.iterationPrefix(st, attempt, i, 1), fe, wh)
		ictx, cancel, mine := withScopeTimeout(ctx, st.IterationTimeout)
		defer cancel()
		err := r.runSteps(ictx, isc, st.Steps)
		if ownTimeout(ctx, err, mine) {
			return &stepFailure{step: st.Name, err: timeoutError(st.IterationTimeout)}
		}
		return err
	}
	pathOf := func(b int) string { return sc.iterationPrefix(st, attempt, i, b) }
	fsc := sc.iteration(pathOf(1), fe, wh)
	return r.onFailure(ctx, fsc, st, of, pathOf, func(ctx context.Context, b int) error {
		return r.iterationAttempt(ctx, sc.iteration(pathOf(b), fe, wh), st, pathOf(b), b)
	})
}

// iterationAttempt runs one recorded attempt of a loop iteration.
func (r *run) iterationAttempt(ctx context.Context, isc *scope, st *workflow.Step, path string, b int) error {
	rec := r.record(path)
	if rec != nil && store.IsTerminal(rec.Status) {
		if err := r.runSteps(ctx, isc, st.Steps); isSignal(err) {
			return err
		}
		return recordedOutcome(st, rec)
	}
	if rec == nil {
		rec = r.newRecord(path, st, b)
		rec.StepType = st.Type + ".iteration"
		if err := r.save(ctx, rec); err != nil {
			return err
		}
	}
	ictx, cancel, mine := withScopeTimeout(ctx, st.IterationTimeout)
	defer cancel()
	err := r.runSteps(ictx, isc, st.Steps)
	if ownTimeout(ctx, err, mine) {
		err = &stepFailure{step: st.Name, err: timeoutError(st.IterationTimeout)}
	}
	var park *parkSignal
	var abort *abortSignal
	switch f := asFailure(err); {
	case errors.As(err, &park):
		return err
	case errors.As(err, &abort):
		if ferr := r.finish(ctx, rec, abortStatus(abort.cause), nil, nil); ferr != nil {
			return ferr
		}
	case f != nil:
		if ferr := r.finish(ctx, rec, store.StatusFailed, nil, f.err); ferr != nil {
			return ferr
		}
	case err == nil || isSignal(err):
		if ferr := r.finish(ctx, rec, store.StatusCompleted, nil, nil); ferr != nil {
			return ferr
		}
	}
	return err
}

// stepForeach runs an atomic step once per item of its step-level foreach; each item has the
// step's on-failure; the step's output is the array of the items' outputs.
func (r *run) stepForeach(ctx context.Context, sc *scope, st *workflow.Step, of *workflow.OnFailure) error {
	body := func(ctx context.Context, _ *store.StepExecution, state map[string]any, _ bool) (any, error) {
		items, _ := state["items"].([]any)
		outputs := make([]any, 0, len(items))
		for i, item := range items {
			fe := map[string]any{"item": item, "index": i, "total": len(items), "items": items}
			isc := sc.iteration(sc.iterationPrefix(st, 1, i, 1), fe, nil)
			pathOf := func(a int) string { return isc.path(st.Name, a) }
			err := r.onFailure(ctx, isc, st, of, pathOf, func(ctx context.Context, a int) error {
				return r.atomicAttempt(ctx, isc, st, a)
			})
			if err != nil {
				return nil, err
			}
			outputs = append(outputs, r.latestOutput(st.Name))
		}
		return outputs, nil
	}
	return r.flowAttempt(ctx, sc, st, 1, 0, r.decideItems(st, st.Foreach), body)
}

// latestOutput is steps.<name>.output as the context holds it now.
func (r *run) latestOutput(name string) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	entry, _ := r.steps[name].(map[string]any)
	if entry["status"] != store.StatusCompleted {
		return nil
	}
	return entry["output"]
}
