package workflow

import (
	"fmt"

	"go.yaml.in/yaml/v4"
)

// legacyInputKeys are the keys of one entry of the legacy (list) inputs form.
var legacyInputKeys = []string{"name", "type", "description", "required", "default", "options", "minItems", "maxItems"}

// inputSchema decodes `inputs` or `outputs` in either form, normalizing the legacy list
// into JSON Schema (Kibana's field_conversion): choice → string enum, array → items anyOf
// string/number/boolean, additionalProperties false. Outputs ignore `default`.
func (p *parser) inputSchema(n *yaml.Node, path string, isInput bool) *InputSchema {
	r := resolve(n)
	switch {
	case isNull(r):
		return nil
	case r.Kind == yaml.SequenceNode:
		return p.legacyInputs(r, path, isInput)
	case r.Kind == yaml.MappingNode:
		return p.jsonSchemaInputs(r, path)
	}
	p.errorf(r, path, "`%s` must be a list of fields or a JSON Schema object, not %s", lastSegment(path), kindName(r))
	return nil
}

// legacyInputs normalizes the list form.
func (p *parser) legacyInputs(n *yaml.Node, path string, isInput bool) *InputSchema {
	s := &InputSchema{Properties: map[string]any{}}
	for i, item := range n.Content {
		ipath := indexPath(path, i)
		p.source.add(ipath, nil, resolve(item))
		name, prop, required := p.legacyInput(item, ipath, isInput)
		if name == "" {
			continue
		}
		if _, dup := s.Properties[name]; dup {
			p.errorf(resolve(item), ipath, "field `%s` is declared twice in `%s`", name, lastSegment(path))
			continue
		}
		s.Properties[name] = prop
		s.Order = append(s.Order, name)
		if required {
			s.Required = append(s.Required, name)
		}
	}
	return s
}

// legacyInput decodes one legacy field into a JSON Schema property.
func (p *parser) legacyInput(n *yaml.Node, path string, isInput bool) (string, map[string]any, bool) {
	fields := map[string]pair{}
	for _, pr := range p.pairs(n, path, "an input field") {
		p.source.add(joinPath(path, pr.key), pr.keyN, resolve(pr.value))
		fields[pr.key] = pr
		if !contains(legacyInputKeys, pr.key) {
			p.unknownKey(pr, path, "an input field", legacyInputKeys)
		}
	}
	name, _ := p.str(fields["name"].value, joinPath(path, "name"), "name")
	if name == "" {
		p.errorf(resolve(n), path, "an input field needs a `name`")
		return "", nil, false
	}
	typ, ok := p.enum(fields["type"].value, joinPath(path, "type"), "type", "string", "number", "boolean", "choice", "array")
	if !ok {
		if fields["type"].value == nil {
			p.errorf(resolve(n), path, "input field `%s` needs a `type` (string, number, boolean, choice or array)", name)
		}
		typ = "string"
	}
	prop := p.legacyProperty(typ, fields, path, name)
	if d, ok := p.str(fields["description"].value, joinPath(path, "description"), "description"); ok {
		prop["description"] = d
	}
	if dn := fields["default"].value; isInput && !isNull(dn) {
		def := p.value(dn, joinPath(path, "default"), 0)
		p.checkLegacyDefault(dn, joinPath(path, "default"), name, typ, prop, def)
		prop["default"] = def
	}
	required, _ := p.boolean(fields["required"].value, joinPath(path, "required"), "required", false)
	return name, prop, required
}

// legacyProperty builds the JSON Schema of a legacy field of type typ.
func (p *parser) legacyProperty(typ string, fields map[string]pair, path, name string) map[string]any {
	switch typ {
	case "choice":
		opts := p.value(fields["options"].value, joinPath(path, "options"), 0)
		list, _ := opts.([]any)
		if len(list) == 0 {
			p.errorf(p.nodeOr(fields["options"].value, path), path, "choice field `%s` needs a non-empty `options` list", name)
		}
		return map[string]any{"type": "string", "enum": list}
	case "array":
		prop := map[string]any{"type": "array", "items": map[string]any{"anyOf": []any{
			map[string]any{"type": "string"}, map[string]any{"type": "number"}, map[string]any{"type": "boolean"},
		}}}
		for _, k := range []string{"minItems", "maxItems"} {
			if v, ok := p.integer(fields[k].value, joinPath(path, k), k); ok {
				prop[k] = v
			}
		}
		return prop
	}
	return map[string]any{"type": typ}
}

// checkLegacyDefault reports a default that does not match the field's type.
func (p *parser) checkLegacyDefault(n *yaml.Node, path, name, typ string, prop map[string]any, def any) {
	ok := true
	switch typ {
	case "string":
		_, ok = def.(string)
	case "number":
		switch def.(type) {
		case int, float64:
		default:
			ok = false
		}
	case "boolean":
		_, ok = def.(bool)
	case "choice":
		ok = containsAny(prop["enum"], def)
	case "array":
		ok = isScalarList(def)
	}
	if !ok {
		p.report(resolve(n), path, RuleInvalidDefaultValue, SeverityError,
			fmt.Sprintf("the default of input `%s` must be a %s value, not %s", name, typ, kindName(n)))
	}
}

// jsonSchemaInputs decodes the JSON-Schema form.
func (p *parser) jsonSchemaInputs(n *yaml.Node, path string) *InputSchema {
	s := &InputSchema{Properties: map[string]any{}, AdditionalProperties: true}
	for _, pr := range p.pairs(n, path, "`"+lastSegment(path)+"`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "properties":
			for _, prop := range p.pairs(pr.value, sub, "`properties`") {
				s.Properties[prop.key] = p.value(prop.value, joinPath(sub, prop.key), 0)
				s.Order = append(s.Order, prop.key)
			}
		case "required":
			s.Required = p.stringList(pr.value, sub, "required")
		case "additionalProperties":
			if b, ok := p.boolean(pr.value, sub, "additionalProperties", false); ok {
				s.AdditionalProperties = b
			}
		case "definitions", "$defs":
			s.Definitions = p.mapValue(pr.value, sub, pr.key)
		case "type":
			p.enum(pr.value, sub, "type", "object")
		case "title", "description", "$schema", "$id":
		default:
			p.unknownKey(pr, path, "`"+lastSegment(path)+"`", []string{"properties", "required", "additionalProperties", "definitions", "type"})
		}
	}
	for i, req := range s.Required {
		if _, ok := s.Properties[req]; !ok {
			rpath := indexPath(joinPath(path, "required"), i)
			p.errorf(p.source.node(rpath), rpath, "required field `%s` is not declared in `properties`", req)
		}
	}
	return s
}

// nodeOr returns n resolved, or the node recorded at path when n is absent.
func (p *parser) nodeOr(n *yaml.Node, path string) *yaml.Node {
	if r := resolve(n); r != nil {
		return r
	}
	return p.source.node(path)
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// containsAny reports whether list (a []any) holds v.
func containsAny(list any, v any) bool {
	switch v.(type) {
	case string, int, float64, bool:
	default:
		return false
	}
	items, _ := list.([]any)
	for _, x := range items {
		if x == v {
			return true
		}
	}
	return false
}

// isScalarList reports whether v is a list of strings, numbers or booleans.
func isScalarList(v any) bool {
	items, ok := v.([]any)
	if !ok {
		return false
	}
	for _, x := range items {
		switch x.(type) {
		case string, int, float64, bool:
		default:
			return false
		}
	}
	return true
}
