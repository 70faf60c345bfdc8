// Package builtin holds Errand's built-in atomic step executors that need no connector:
// `console` and the `data.*` steps of Kibana Workflows (set, map, filter, find, aggregate,
// concat, dedupe, parseJson, stringifyJson, regexExtract, regexReplace). Register adds them
// to the engine's executor map.
//
// Steps take their source (`items`, `source`, `arrays`, `strategy`, ...) at the step's top
// level, as Kibana documents, or inside `with`, as some examples write it; the top level
// wins. For data.map, data.filter and data.find the engine hands `with` over unrendered so
// that `fields` and `condition` can be rendered once per element with `item` and `index`.
package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
)

// checkEvery is how many elements a loop handles between cancellation checks.
const checkEvery = 1000

// Register adds every executor of this package to reg, keyed by step type.
func Register(reg map[string]engine.StepExecutor) {
	reg["console"] = engine.StepExecutorFunc(runConsole)
	reg["data.set"] = engine.StepExecutorFunc(runDataSet)
	reg["data.map"] = engine.StepExecutorFunc(runDataMap)
	reg["data.filter"] = engine.StepExecutorFunc(runDataFilter)
	reg["data.find"] = engine.StepExecutorFunc(runDataFind)
	reg["data.aggregate"] = engine.StepExecutorFunc(runDataAggregate)
	reg["data.concat"] = engine.StepExecutorFunc(runDataConcat)
	reg["data.dedupe"] = engine.StepExecutorFunc(runDataDedupe)
	reg["data.parseJson"] = engine.StepExecutorFunc(runDataParseJSON)
	reg["data.stringifyJson"] = engine.StepExecutorFunc(runDataStringifyJSON)
	reg["data.regexExtract"] = engine.StepExecutorFunc(runDataRegexExtract)
	reg["data.regexReplace"] = engine.StepExecutorFunc(runDataRegexReplace)
}

// stepName is the step's name, or "" when the input carries no step.
func stepName(in engine.StepInput) string {
	if in.Step == nil {
		return ""
	}
	return in.Step.Name
}

// rawWith is the step's `with` as written (unrendered); without a step it is in.With.
func rawWith(in engine.StepInput) map[string]any {
	if in.Step != nil && in.Step.With != nil {
		return in.Step.With
	}
	return in.With
}

// param returns key from the step's top level (in.Extra) or else from the rendered `with`.
func param(in engine.StepInput, key string) (any, bool) {
	if v, ok := in.Extra[key]; ok {
		return v, true
	}
	v, ok := in.With[key]
	return v, ok
}

// renderedParam returns key from the top level or from the unrendered `with`, rendering
// the latter against the step's context (for steps whose `with` arrives raw).
func renderedParam(in engine.StepInput, key string) (any, bool, error) {
	if v, ok := in.Extra[key]; ok {
		return v, true, nil
	}
	raw, ok := rawWith(in)[key]
	if !ok {
		return nil, false, nil
	}
	if in.Eval == nil {
		return raw, true, nil
	}
	v, err := in.Eval.RenderValue(raw, in.Context)
	if err != nil {
		return nil, true, fmt.Errorf("rendering %q: %w", key, err)
	}
	return v, true, nil
}

// withItem returns a copy of the step's context with extra bindings (item, index ...).
func withItem(base map[string]any, bindings map[string]any) map[string]any {
	ctx := make(map[string]any, len(base)+len(bindings))
	maps.Copy(ctx, base)
	maps.Copy(ctx, bindings)
	return ctx
}

// checkCancel returns the context's error every checkEvery iterations.
func checkCancel(ctx context.Context, i int) error {
	if i%checkEvery != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopping at element %d: %w", i, err)
	}
	return nil
}

// asList returns v as []any when it is a list.
func asList(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(t))
		for i, m := range t {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// toInt reads a whole number from an int, a float, json.Number or a numeric string.
func toInt(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int64:
		return int(t), true
	case float64:
		if t != math.Trunc(t) || math.Abs(t) > 1<<53 {
			return 0, false
		}
		return int(t), true
	case json.Number:
		n, err := t.Int64()
		return int(n), err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	return 0, false
}

// toBool reads a boolean from a bool or "true"/"false".
func toBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(t))
		return b, err == nil
	case nil:
		return false, true
	}
	return false, false
}

// optBool reads an optional boolean parameter; absent or null is false.
func optBool(stepType, key string, v any, present bool) (bool, error) {
	if !present {
		return false, nil
	}
	b, ok := toBool(v)
	if !ok {
		return false, paramErrorf(stepType, "%s must be true or false, got %s", key, describe(v))
	}
	return b, nil
}

// describe names a value's JSON type for error messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		if len(t) > 40 {
			t = t[:40] + "..."
		}
		return fmt.Sprintf("the string %q", t)
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	}
	if _, ok := asList(v); ok {
		return "an array"
	}
	if _, ok := toNumber(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// toNumber converts JSON-ish numbers to float64.
func toNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, !math.IsNaN(t)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case float32:
		return float64(t), true
	case int32:
		return float64(t), true
	case uint64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	}
	return 0, false
}
