package engine

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/workflow"
)

// prepareInputs applies the inputs schema's defaults to given and validates the result
// (required inputs, types, enums, array sizes). Errors wrap ErrInvalidInputs and list every
// problem.
func (e *Engine) prepareInputs(wf *workflow.Workflow, given map[string]any) (map[string]any, error) {
	out := maps.Clone(given)
	if out == nil {
		out = map[string]any{}
	}
	schema := wf.Inputs
	if schema == nil {
		return out, nil
	}
	iv := &inputValidator{e: e, defs: schema.Definitions, consts: wf.Consts}
	iv.object(out, schema.Properties, schema.Required, "")
	if len(iv.problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidInputs, strings.Join(iv.problems, "; "))
	}
	return out, nil
}

// inputValidator walks an inputs schema, filling defaults and collecting problems.
type inputValidator struct {
	e        *Engine
	defs     map[string]any
	consts   map[string]any
	problems []string
}

// object fills defaults into obj for props and validates each property.
func (iv *inputValidator) object(obj map[string]any, props map[string]any, required []string, prefix string) {
	names := slices.Sorted(maps.Keys(props))
	for _, name := range names {
		prop := iv.resolve(props[name])
		path := prefix + name
		v, present := obj[name]
		if !present || v == nil {
			if def, ok := iv.defaultOf(prop, path); ok {
				obj[name], present, v = def, true, def
			}
		}
		if !present || v == nil {
			if slices.Contains(required, name) {
				iv.problems = append(iv.problems, fmt.Sprintf("input %q is required", path))
			}
			continue
		}
		obj[name] = iv.value(v, prop, path)
	}
}

// defaultOf is the default of a property: its `default` (a Liquid default rendered), [] for
// arrays, and an object built from nested defaults.
func (iv *inputValidator) defaultOf(prop map[string]any, path string) (any, bool) {
	if def, ok := prop["default"]; ok {
		if s, isStr := def.(string); isStr && (strings.Contains(s, "{{") || strings.Contains(s, "{%")) && iv.e.ev != nil {
			v, err := iv.e.ev.RenderValue(s, map[string]any{"consts": iv.consts, "now": iv.e.now()})
			if err != nil {
				iv.problems = append(iv.problems, fmt.Sprintf("rendering default of input %q: %s", path, err.Error()))
				return nil, false
			}
			return v, true
		}
		return cloneValue(def), true
	}
	switch prop["type"] {
	case "array":
		return []any{}, true
	case "object":
		if nested, ok := prop["properties"].(map[string]any); ok {
			obj := map[string]any{}
			iv.object(obj, nested, nil, path+".")
			if len(obj) > 0 {
				return obj, true
			}
		}
	}
	return nil, false
}

// value checks v against prop (coercing numeric and boolean strings) and returns it.
func (iv *inputValidator) value(v any, prop map[string]any, path string) any {
	typ, _ := prop["type"].(string)
	v, ok := coerce(v, typ)
	if !ok {
		iv.problems = append(iv.problems, fmt.Sprintf("input %q must be of type %s, got %s", path, typ, typeName(v)))
		return v
	}
	if enum, ok := prop["enum"].([]any); ok && !slices.ContainsFunc(enum, func(x any) bool { return matchString(x) == matchString(v) }) {
		iv.problems = append(iv.problems, fmt.Sprintf("input %q must be one of %s, got %s", path, joinValues(enum), matchString(v)))
	}
	switch x := v.(type) {
	case []any:
		if n, ok := number(prop["minItems"]); ok && float64(len(x)) < n {
			iv.problems = append(iv.problems, fmt.Sprintf("input %q needs at least %v items", path, n))
		}
		if n, ok := number(prop["maxItems"]); ok && float64(len(x)) > n {
			iv.problems = append(iv.problems, fmt.Sprintf("input %q takes at most %v items", path, n))
		}
	case map[string]any:
		if nested, ok := prop["properties"].(map[string]any); ok {
			req, _ := prop["required"].([]any)
			iv.object(x, nested, toStrings(req), path+".")
		}
	}
	return v
}

// resolve follows a local "$ref": "#/definitions/X".
func (iv *inputValidator) resolve(p any) map[string]any {
	prop, _ := p.(map[string]any)
	for i := 0; i < 8 && prop != nil; i++ {
		ref, ok := prop["$ref"].(string)
		if !ok {
			break
		}
		target, _ := iv.defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
		if target == nil {
			iv.problems = append(iv.problems, fmt.Sprintf("unresolved reference %q", ref))
			return map[string]any{}
		}
		prop = target
	}
	if prop == nil {
		prop = map[string]any{}
	}
	return prop
}

// coerce checks v against a JSON-Schema type, converting strings holding numbers or
// booleans (command-line inputs). An empty type accepts anything.
func coerce(v any, typ string) (any, bool) {
	switch typ {
	case "string":
		_, ok := v.(string)
		return v, ok
	case "number", "integer":
		n, ok := number(v)
		if s, isStr := v.(string); isStr && !ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			n, ok = f, err == nil
		}
		if !ok || typ == "integer" && n != math.Trunc(n) {
			return v, false
		}
		return n, true
	case "boolean":
		if s, isStr := v.(string); isStr {
			b, err := strconv.ParseBool(s)
			return b, err == nil
		}
		_, ok := v.(bool)
		return v, ok
	case "array":
		s, ok := asSlice(v)
		return s, ok
	case "object":
		_, ok := v.(map[string]any)
		return v, ok
	}
	return v, true
}

// number reads any Go number as float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// typeName is the JSON type name of v, for messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// joinValues lists enum values for a message.
func joinValues(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = matchString(v)
	}
	sort.Strings(s)
	return "[" + strings.Join(s, ", ") + "]"
}

// toStrings keeps the strings of a list.
func toStrings(vs []any) []string {
	var out []string
	for _, v := range vs {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// cloneValue deep-copies maps and slices so defaults are never shared between runs.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = cloneValue(val)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, val := range x {
			s[i] = cloneValue(val)
		}
		return s
	}
	return v
}
