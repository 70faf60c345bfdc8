package engine

import (
	"fmt"
	"strings"

	"github.com/errand-dev/errand/internal/kql"
	"github.com/errand-dev/errand/internal/template"
)

// templateEvaluator is the Evaluator built on the template (Liquid) and kql packages.
type templateEvaluator struct {
	t *template.Engine
}

// NewEvaluator adapts a template engine (and KQL for conditions) to the Evaluator seam.
func NewEvaluator(t *template.Engine) Evaluator {
	return &templateEvaluator{t: t}
}

// RenderValue renders every string inside v.
func (ev *templateEvaluator) RenderValue(v any, data map[string]any) (any, error) {
	out, err := ev.t.RenderValue(v, data)
	if err != nil {
		return nil, fmt.Errorf("rendering value: %w", err)
	}
	return out, nil
}

// Eval evaluates a bare Liquid expression to its native value.
func (ev *templateEvaluator) Eval(expr string, data map[string]any) (any, error) {
	out, err := ev.t.Eval(expr, data)
	if err != nil {
		return nil, fmt.Errorf("evaluating %q: %w", expr, err)
	}
	return out, nil
}

// Condition follows §6.6: render with Liquid first; a boolean is the result; nil, undefined
// and "" are false; "true"/"false" are booleans; any other string is KQL against data.
func (ev *templateEvaluator) Condition(cond any, data map[string]any) (bool, error) {
	v, err := ev.t.RenderValue(cond, data)
	if err != nil {
		return false, fmt.Errorf("rendering condition: %w", err)
	}
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		s := strings.TrimSpace(x)
		switch s {
		case "":
			return false, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		ok, err := kql.Eval(s, data)
		if err != nil {
			return false, fmt.Errorf("evaluating KQL condition %q: %w", s, err)
		}
		return ok, nil
	}
	return false, fmt.Errorf("evaluating condition: %w (got %T)", errConditionType, v)
}
