package builtin

import (
	"context"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
)

const (
	// mapDirective marks a nested field spec that maps over a nested array:
	// `tags: {$map: {items: item.tags, item: tag, index: i}, name: "{{ tag.name }}"}`.
	mapDirective = "$map"
	// maxMapDepth bounds nested $map directives.
	maxMapDepth = 10
)

// runDataMap is `data.map`: every element of `items` becomes the object described by
// with.fields, each field rendered with `item` and `index` bound. An object `items` is
// mapped as one element and the output is an object.
func runDataMap(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.map"
	items, present, err := renderedParam(in, "items")
	if err != nil {
		return nil, paramErrorf(t, "%v", err)
	}
	if !present || items == nil {
		return nil, paramErrorf(t, "items is required and must not be null: set `items:` to an array or object to map")
	}
	fields, ok := rawWith(in)["fields"].(map[string]any)
	if !ok {
		return nil, paramErrorf(t, "with.fields must be an object of output field names to templates, e.g. `fields: {name: \"{{ item.name }}\"}`")
	}
	list, isList := asList(items)
	if !isList {
		if _, isMap := items.(map[string]any); !isMap {
			return nil, paramErrorf(t, "items must be an array or an object, got %s", describe(items))
		}
		list = []any{items}
	}
	if in.Eval == nil {
		return nil, paramErrorf(t, "no template evaluator is configured")
	}
	out := make([]any, 0, len(list))
	for i, item := range list {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		m := &fieldMapper{in: in, bindings: map[string]any{"item": item, "index": i}}
		v, err := m.process(fields, 0)
		if err != nil {
			return nil, renderError(t, i, err)
		}
		out = append(out, v)
	}
	if !isList {
		return out[0], nil
	}
	return out, nil
}

// fieldMapper renders a fields spec for one element.
type fieldMapper struct {
	in       engine.StepInput
	bindings map[string]any
}

// process renders every field of spec; nested objects recurse, and a nested object with a
// $map directive maps over the array it names.
func (m *fieldMapper) process(spec map[string]any, depth int) (map[string]any, error) {
	out := make(map[string]any, len(spec))
	for key, value := range spec {
		if key == mapDirective {
			continue
		}
		nested, isObject := value.(map[string]any)
		if !isObject {
			v, err := m.in.Eval.RenderValue(value, withItem(m.in.Context, m.bindings))
			if err != nil {
				return nil, err
			}
			out[key] = v
			continue
		}
		v, err := m.processNested(nested, depth)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// processNested handles a nested object field: literal nesting, or a $map directive.
func (m *fieldMapper) processNested(spec map[string]any, depth int) (any, error) {
	dir, ok := spec[mapDirective].(map[string]any)
	itemsPath, pathOK := dir["items"].(string)
	if !ok || !pathOK {
		return m.process(spec, depth)
	}
	nestedItems := lookupPath(m.bindings, itemsPath)
	if nestedItems == nil {
		return nil, nil
	}
	list, isList := asList(nestedItems)
	if !isList || depth+1 > maxMapDepth {
		return []any{}, nil
	}
	itemName, indexName := "item", "index"
	if s, ok := dir["item"].(string); ok && s != "" {
		itemName = s
	}
	if s, ok := dir["index"].(string); ok && s != "" {
		indexName = s
	}
	out := make([]any, 0, len(list))
	for i, el := range list {
		child := &fieldMapper{in: m.in, bindings: withItem(m.bindings, map[string]any{itemName: el, indexName: i})}
		v, err := child.process(spec, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// lookupPath resolves a dotted path ("item.tags") against the bindings.
func lookupPath(bindings map[string]any, path string) any {
	segs := strings.Split(strings.TrimSpace(path), ".")
	var cur any = bindings
	for _, seg := range segs {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[seg]
	}
	return cur
}
