package builtin

import (
	"context"
	"fmt"

	"github.com/errand-dev/errand/internal/engine"
)

const (
	// maxConcatArrays caps the entries of `arrays`.
	maxConcatArrays = 50
	// maxConcatItems caps the elements data.concat produces.
	maxConcatItems = 100_000
	// maxFlattenDepth caps with.flatten.
	maxFlattenDepth = 10
)

// runDataConcat is `data.concat`: the arrays of `arrays` joined in order (a null entry
// counts as empty), flattened by with.flatten levels (true: 1) and deduplicated by value
// with with.dedupe.
func runDataConcat(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.concat"
	raw, _ := param(in, "arrays")
	arrays, ok := asList(raw)
	if !ok || len(arrays) == 0 {
		return nil, paramErrorf(t, "arrays must be a non-empty list of arrays, got %s", describe(raw))
	}
	if len(arrays) > maxConcatArrays {
		return nil, paramErrorf(t, "arrays has %d entries; the limit is %d", len(arrays), maxConcatArrays)
	}
	depth, err := flattenDepth(t, in)
	if err != nil {
		return nil, err
	}
	dv, present := param(in, "dedupe")
	dedupe, err := optBool(t, "dedupe", dv, present)
	if err != nil {
		return nil, err
	}
	c := &concatenation{ctx: ctx, seen: map[string]bool{}, dedupe: dedupe, out: []any{}}
	for i, a := range arrays {
		if a == nil {
			continue
		}
		list, ok := asList(a)
		if !ok {
			return nil, paramErrorf(t, "arrays[%d] must be an array, got %s", i, describe(a))
		}
		if err := c.add(list, depth); err != nil {
			return nil, err
		}
	}
	return c.out, nil
}

// flattenDepth reads with.flatten: false or absent 0, true 1, or a depth 1..10.
func flattenDepth(t string, in engine.StepInput) (int, error) {
	v, present := param(in, "flatten")
	if !present || v == nil {
		return 0, nil
	}
	if b, ok := v.(bool); ok {
		if b {
			return 1, nil
		}
		return 0, nil
	}
	n, ok := toInt(v)
	if !ok || n < 0 || n > maxFlattenDepth {
		return 0, paramErrorf(t, "flatten must be true, false or a depth from 1 to %d, got %s", maxFlattenDepth, describe(v))
	}
	return n, nil
}

// concatenation accumulates data.concat's output.
type concatenation struct {
	ctx    context.Context
	seen   map[string]bool
	dedupe bool
	out    []any
	count  int
}

// add appends list, flattening nested arrays depth levels deep.
func (c *concatenation) add(list []any, depth int) error {
	for _, item := range list {
		if nested, ok := asList(item); ok && depth > 0 {
			if err := c.add(nested, depth-1); err != nil {
				return err
			}
			continue
		}
		if err := checkCancel(c.ctx, c.count); err != nil {
			return err
		}
		c.count++
		if c.count > maxConcatItems {
			return paramErrorf("data.concat", "the result exceeds %d elements", maxConcatItems)
		}
		if c.dedupe {
			k := jsonKey(item)
			if c.seen[k] {
				continue
			}
			c.seen[k] = true
		}
		c.out = append(c.out, item)
	}
	return nil
}

// jsonKey is a stable identity of a value: its JSON with object keys sorted.
func jsonKey(v any) string {
	s, err := marshalJSON(v, false)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return s
}

// runDataDedupe is `data.dedupe`: `items` without the elements whose with.keys fields equal
// an earlier one's (strategy keep_first, the default) or a later one's (keep_last). Without
// keys, whole elements are compared. The output keeps first-seen order.
func runDataDedupe(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.dedupe"
	items, _ := param(in, "items")
	list, ok := asList(items)
	if !ok {
		return nil, paramErrorf(t, "items must be an array, got %s", describe(items))
	}
	strategy := "keep_first"
	if v, present := param(in, "strategy"); present && v != nil {
		s, _ := v.(string)
		if s != "keep_first" && s != "keep_last" {
			return nil, paramErrorf(t, "strategy must be keep_first or keep_last, got %s", describe(v))
		}
		strategy = s
	}
	keys, err := stringList(t, "keys", in.With["keys"])
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	out := []any{}
	for i, item := range list {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		k := dedupeKey(item, keys)
		if at, seen := index[k]; seen {
			if strategy == "keep_last" {
				out[at] = item
			}
			continue
		}
		index[k] = len(out)
		out = append(out, item)
	}
	return out, nil
}

// dedupeKey is the identity of item under keys (dotted paths); non-objects and an empty key
// list use the whole value.
func dedupeKey(item any, keys []string) string {
	if _, isObject := item.(map[string]any); !isObject || len(keys) == 0 {
		return jsonKey(item)
	}
	values := make(map[string]any, len(keys))
	for _, k := range keys {
		values[k] = fieldValue(item, k)
	}
	return groupKey(values, keys)
}
