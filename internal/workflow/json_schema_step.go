package workflow

// stepSchema describes one step: every accepted key, the known step types, and the fields
// each flow-control type requires.
func stepSchema(types []string) obj {
	maxIter := obj{"anyOf": []any{
		obj{"type": "integer", "minimum": 1},
		closed(obj{"limit": obj{"type": "integer", "minimum": 1}, "on-limit": obj{"enum": []string{"continue", "fail"}}}, "limit"),
	}}
	props := obj{
		"name":                 obj{"type": "string", "minLength": 1},
		"type":                 obj{"enum": types},
		"with":                 schemaObject,
		"connector-id":         schemaString,
		"if":                   schemaString,
		"foreach":              obj{"type": []string{"string", "array"}},
		"timeout":              durationRef,
		"max-step-size":        obj{"$ref": "#/$defs/byteSize"},
		"on-failure":           onFailureRef,
		"max-iterations":       maxIter,
		"iteration-timeout":    durationRef,
		"iteration-on-failure": onFailureRef,
		"condition":            schemaString,
		"steps":                stepListRef,
		"else":                 stepListRef,
		"expression":           schemaString,
		"cases": obj{"type": "array", "minItems": 1, "items": closed(obj{
			"match": obj{"type": []string{"string", "number", "boolean"}}, "steps": stepListRef,
		}, "match", "steps")},
		"default": stepListRef,
		"branches": obj{"type": "array", "items": closed(obj{
			"name": schemaString, "steps": stepListRef,
		}, "name", "steps")},
		"mode": obj{"enum": []string{"fail-fast", "settled"}},
		"concurrency": obj{"anyOf": []any{
			obj{"type": "integer", "minimum": 1, "maximum": 20},
			closed(obj{"max": obj{"type": "integer", "minimum": 1, "maximum": 20}, "count-waiting": schemaBool}),
		}},
		"branch-timeout": durationRef,
		"status":         obj{"enum": []string{"completed", "cancelled", "failed"}},
		"sources":        obj{"type": "array", "items": schemaString},
	}
	for _, k := range extraStepKeys {
		props[k] = obj{}
	}
	s := closed(props, "name", "type")
	s["allOf"] = []any{
		requires("if", "condition", "steps"),
		requires("foreach", "foreach", "steps"),
		requires("while", "condition", "steps"),
		requires("switch", "expression", "cases"),
		requires("wait", "with"),
		requires("parallel"),
	}
	return s
}

// requires makes fields required when a step has the given type.
func requires(stepType string, fields ...string) obj {
	then := obj{}
	if len(fields) > 0 {
		then["required"] = fields
	}
	if stepType == "parallel" {
		then["anyOf"] = []any{obj{"required": []string{"branches"}}, obj{"required": []string{"foreach", "steps"}}}
	}
	return obj{
		"if":   obj{"properties": obj{"type": obj{"const": stepType}}, "required": []string{"type"}},
		"then": then,
	}
}
