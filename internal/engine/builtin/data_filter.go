package builtin

import (
	"context"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
)

// runDataFilter is `data.filter`: the elements of `items` for which with.condition (KQL,
// with `item` and `index` bound) holds, at most with.limit of them. With `detailed: true`
// the output is {items, metadata: {inputCount, matchedCount}}.
func runDataFilter(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.filter"
	items, cond, err := listAndCondition(t, in)
	if err != nil {
		return nil, err
	}
	limit, err := optLimit(t, in)
	if err != nil {
		return nil, err
	}
	matched := []any{}
	for i, item := range items {
		if limit > 0 && len(matched) >= limit {
			break
		}
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		ok, err := matchItem(in, cond, item, i)
		if err != nil {
			return nil, renderError(t, i, err)
		}
		if ok {
			matched = append(matched, item)
		}
	}
	detailed, err := detailedFlag(t, in)
	if err != nil || !detailed {
		return matched, err
	}
	return map[string]any{
		"items":    matched,
		"metadata": map[string]any{"inputCount": len(items), "matchedCount": len(matched)},
	}, nil
}

// runDataFind is `data.find`: {item, index} of the first element for which with.condition
// holds, or null (an error of type NotFound with errorIfEmpty: true).
func runDataFind(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.find"
	items, cond, err := listAndCondition(t, in)
	if err != nil {
		return nil, err
	}
	v, present, err := renderedParam(in, "errorIfEmpty")
	if err != nil {
		return nil, paramErrorf(t, "%v", err)
	}
	errorIfEmpty, err := optBool(t, "errorIfEmpty", v, present)
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		ok, err := matchItem(in, cond, item, i)
		if err != nil {
			return nil, renderError(t, i, err)
		}
		if ok {
			return map[string]any{"item": item, "index": i}, nil
		}
	}
	if errorIfEmpty {
		return nil, notFoundErrorf(t, "no element of items matches the condition (set errorIfEmpty: false to get null instead)")
	}
	return nil, nil
}

// listAndCondition reads `items` (an array) and the raw with.condition ("" or missing:
// every element matches).
func listAndCondition(t string, in engine.StepInput) ([]any, any, error) {
	items, present, err := renderedParam(in, "items")
	if err != nil {
		return nil, nil, paramErrorf(t, "%v", err)
	}
	if !present {
		return nil, nil, paramErrorf(t, "items is required: set `items:` to an array")
	}
	list, ok := asList(items)
	if !ok {
		return nil, nil, paramErrorf(t, "items must be an array, got %s", describe(items))
	}
	cond := rawWith(in)["condition"]
	if s, isString := cond.(string); isString && strings.TrimSpace(s) == "" {
		cond = nil
	}
	if cond != nil && in.Eval == nil {
		return nil, nil, paramErrorf(t, "no condition evaluator is configured")
	}
	return list, cond, nil
}

// matchItem evaluates cond against the step context with item and index bound.
func matchItem(in engine.StepInput, cond, item any, index int) (bool, error) {
	if cond == nil {
		return true, nil
	}
	return in.Eval.Condition(cond, withItem(in.Context, map[string]any{"item": item, "index": index}))
}

// optLimit reads with.limit: absent, null or 0 mean no limit.
func optLimit(t string, in engine.StepInput) (int, error) {
	v, present, err := renderedParam(in, "limit")
	if err != nil {
		return 0, paramErrorf(t, "%v", err)
	}
	if !present || v == nil {
		return 0, nil
	}
	n, ok := toInt(v)
	if !ok || n < 0 {
		return 0, paramErrorf(t, "limit must be a whole number >= 0, got %s", describe(v))
	}
	return n, nil
}

// detailedFlag reads the optional top-level `detailed`.
func detailedFlag(t string, in engine.StepInput) (bool, error) {
	v, present, err := renderedParam(in, "detailed")
	if err != nil {
		return false, paramErrorf(t, "%v", err)
	}
	return optBool(t, "detailed", v, present)
}
