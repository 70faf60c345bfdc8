package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// decideIf evaluates an if step's condition; the chosen branch is the step's state.
func (r *run) decideIf(st *workflow.Step) flowDecide {
	return func(_ context.Context, data map[string]any) (any, map[string]any, error) {
		input := map[string]any{"condition": st.Condition}
		ok, err := r.e.ev.Condition(st.Condition, data)
		if err != nil {
			return input, nil, &StepError{Type: "ConditionError", Message: fmt.Sprintf("Syntax error in condition %q for step %s: %s", st.Condition, st.Name, err.Error())}
		}
		branch := "else"
		if ok {
			branch = "then"
		}
		return input, map[string]any{"branch": branch}, nil
	}
}

// ifBody runs the branch chosen by decideIf. Its output is {}.
func (r *run) ifBody(sc *scope, st *workflow.Step, attempt int) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, state map[string]any, _ bool) (any, error) {
		steps := st.Steps
		if stateString(state, "branch") == "else" {
			steps = st.Else
		}
		return map[string]any{}, r.runSteps(ctx, sc.body(st, attempt), steps)
	}
}

// decideSwitch renders a switch step's expression and picks the first case whose match
// equals it as a string (-1: default).
func (r *run) decideSwitch(st *workflow.Step) flowDecide {
	return func(_ context.Context, data map[string]any) (any, map[string]any, error) {
		v, err := r.e.ev.RenderValue(st.Expression, data)
		if err != nil {
			return map[string]any{"expression": st.Expression}, nil, &StepError{Type: "TemplateError", Message: fmt.Sprintf("rendering expression of switch %s: %s", st.Name, err.Error())}
		}
		got := matchString(v)
		chosen := -1
		for i, cs := range st.Cases {
			if matchString(cs.Match) == got {
				chosen = i
				break
			}
		}
		return map[string]any{"expression": got}, map[string]any{"case": chosen}, nil
	}
}

// switchBody runs the case chosen by decideSwitch. Its output says which case matched.
func (r *run) switchBody(sc *scope, st *workflow.Step, attempt int) flowBody {
	return func(ctx context.Context, _ *store.StepExecution, state map[string]any, _ bool) (any, error) {
		chosen := stateInt(state, "case", -1)
		steps := st.Default
		out := map[string]any{"matched": false, "case": nil}
		if chosen >= 0 && chosen < len(st.Cases) {
			steps = st.Cases[chosen].Steps
			out = map[string]any{"matched": true, "case": st.Cases[chosen].Match}
		}
		return out, r.runSteps(ctx, sc.body(st, attempt), steps)
	}
}

// matchString is the string form a switch compares: numbers without a trailing ".0", JSON
// for structures, "" for nil.
func matchString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []any, map[string]any:
		b, err := encodeJSON(x)
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}
