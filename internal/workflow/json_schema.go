package workflow

import (
	"encoding/json"
	"slices"
)

// obj is a JSON Schema object under construction.
type obj = map[string]any

// JSON Schema fragments reused across the document.
var (
	schemaString  = obj{"type": "string"}
	schemaBool    = obj{"type": "boolean"}
	schemaObject  = obj{"type": "object"}
	durationRef   = obj{"$ref": "#/$defs/duration"}
	stepListRef   = obj{"$ref": "#/$defs/stepList"}
	onFailureRef  = obj{"$ref": "#/$defs/onFailure"}
	fieldsRef     = obj{"$ref": "#/$defs/fields"}
	durationRegex = `^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$`
)

// JSONSchema returns the workflow language as a JSON Schema (draft 2020-12) for editors:
// the built-in step types plus stepTypes (the engine's registry) are the accepted `type`
// values of a step. It describes the shape Parse accepts; rules that need the whole
// document (references, unique names) stay with Validate.
func JSONSchema(stepTypes []string) []byte {
	types := slices.Clone(BuiltinStepTypes)
	for _, t := range stepTypes {
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	doc := obj{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://errand.dev/schemas/workflow.json",
		"title":       "Errand workflow (Kibana Workflows YAML)",
		"type":        "object",
		"required":    []string{"name", "triggers", "steps"},
		"properties":  topLevelSchema(),
		"$defs":       definitions(types),
		"description": "A workflow: triggers start it, steps run in order. Unknown top-level keys (such as template-metadata) are ignored.",
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		// Only maps, slices and strings are marshalled: this cannot fail.
		return nil
	}
	return out
}

// topLevelSchema describes the workflow's top-level fields.
func topLevelSchema() obj {
	return obj{
		"version":     obj{"type": "string", "const": "1", "description": `Always the string "1" (quoted).`},
		"name":        obj{"type": "string", "minLength": 1},
		"description": schemaString,
		"enabled":     schemaBool,
		"tags":        obj{"type": "array", "items": schemaString},
		"triggers":    obj{"type": "array", "minItems": 1, "items": obj{"$ref": "#/$defs/trigger"}},
		"inputs":      fieldsRef,
		"consts":      schemaObject,
		"outputs":     fieldsRef,
		"settings":    obj{"$ref": "#/$defs/settings"},
		"steps":       obj{"$ref": "#/$defs/stepList", "minItems": 1},
	}
}

// definitions returns the $defs of the schema.
func definitions(types []string) obj {
	return obj{
		"duration":  obj{"type": "string", "minLength": 2, "pattern": durationRegex, "description": `Units w d h m s ms in descending order, like "30s" or "1h30m".`},
		"byteSize":  obj{"type": "string", "pattern": `^\d+(\.\d+)?\s*([bB]|[kKmMgG][bB])$`},
		"trigger":   triggerSchema(),
		"rrule":     rruleSchema(),
		"fields":    fieldsSchema(),
		"settings":  settingsSchema(),
		"onFailure": onFailureSchema(),
		"stepList":  obj{"type": "array", "items": obj{"$ref": "#/$defs/step"}},
		"step":      stepSchema(types),
	}
}

// closed returns an object schema with the given properties and no others.
func closed(props obj, required ...string) obj {
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// triggerSchema describes one trigger, discriminated by `type`.
func triggerSchema() obj {
	typeIs := func(t string) obj { return obj{"const": t} }
	event := obj{"type": "string", "pattern": `^[^.]+\..+$`}
	return obj{"oneOf": []any{
		closed(obj{"type": typeIs("manual"), "inputs": fieldsRef, "eventType": schemaString}, "type"),
		closed(obj{"type": typeIs("scheduled"), "with": obj{
			"type": "object", "additionalProperties": false,
			"properties": obj{"every": obj{"type": "string", "pattern": everyRe.String()}, "rrule": obj{"$ref": "#/$defs/rrule"}},
			"oneOf":      []any{obj{"required": []string{"every"}}, obj{"required": []string{"rrule"}}},
		}}, "type", "with"),
		closed(obj{"type": typeIs("alert"), "with": schemaObject}, "type"),
		closed(obj{"type": typeIs("webhook"), "inputs": fieldsRef, "auth": closed(obj{
			"type": obj{"enum": []string{"none", "apiKey", "basic", "hmac"}}, "id": schemaString,
			"username": schemaString, "password": schemaString, "secret": schemaString,
			"header": schemaString, "timestampHeader": schemaString, "tolerance": schemaString,
		}), "idempotency": closed(obj{"key": schemaString, "window": schemaString})}, "type"),
		closed(obj{"type": event, "on": closed(obj{
			"condition": schemaString, "workflowEvents": obj{"enum": []string{"ignore", "avoid-loop", "allow-all"}},
		})}, "type"),
	}}
}

// rruleSchema describes a scheduled trigger's recurrence rule.
func rruleSchema() obj {
	ints := func(lo, hi int) obj {
		return obj{"type": "array", "items": obj{"type": "integer", "minimum": lo, "maximum": hi}}
	}
	days := ints(1, 31)
	days["items"] = obj{"type": "integer", "anyOf": []any{obj{"minimum": 1, "maximum": 31}, obj{"const": -1}}}
	return closed(obj{
		"freq":       obj{"enum": []string{"DAILY", "WEEKLY", "MONTHLY"}},
		"interval":   obj{"type": "integer", "minimum": 1},
		"tzid":       schemaString,
		"dtstart":    schemaString,
		"byhour":     ints(0, 23),
		"byminute":   ints(0, 59),
		"byweekday":  obj{"type": "array", "items": obj{"enum": []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}}},
		"bymonthday": days,
	}, "freq", "interval")
}

// fieldsSchema describes inputs/outputs: the legacy list or a JSON Schema object.
func fieldsSchema() obj {
	legacy := closed(obj{
		"name": obj{"type": "string", "minLength": 1}, "description": schemaString,
		"type":     obj{"enum": []string{"string", "number", "boolean", "choice", "array"}},
		"required": schemaBool, "default": obj{}, "options": obj{"type": "array"},
		"minItems": obj{"type": "integer", "minimum": 0}, "maxItems": obj{"type": "integer", "minimum": 0},
	}, "name", "type")
	return obj{"oneOf": []any{
		obj{"type": "array", "items": legacy},
		obj{"type": "object", "properties": obj{
			"properties": schemaObject, "required": obj{"type": "array", "items": schemaString},
			"additionalProperties": schemaBool, "definitions": schemaObject, "$defs": schemaObject,
			"type": obj{"const": "object"},
		}},
	}}
}

// settingsSchema describes the `settings` block.
func settingsSchema() obj {
	limit := func(hi int) obj { return obj{"type": "integer", "minimum": 1, "maximum": hi} }
	return closed(obj{
		"timeout":       durationRef,
		"timezone":      schemaString,
		"max-step-size": obj{"$ref": "#/$defs/byteSize"},
		"on-failure":    onFailureRef,
		"concurrency": closed(obj{
			"key": schemaString, "strategy": obj{"enum": []string{"drop", "cancel-in-progress", "queue"}},
			"max": obj{"type": "integer", "minimum": 1}, "queue-size": obj{"type": "integer", "minimum": 0},
			"queue-ttl": durationRef,
		}),
		"liquid": closed(obj{
			"parseLimit": limit(maxLiquidParseLimit), "renderLimit": limit(maxLiquidRenderLimit),
			"memoryLimit": limit(maxLiquidMemoryLimit),
		}),
	})
}

// onFailureSchema describes an `on-failure` block.
func onFailureSchema() obj {
	return closed(obj{
		"retry": closed(obj{
			"max-attempts": obj{"type": "integer", "minimum": 1}, "delay": durationRef,
			"condition": schemaString, "strategy": obj{"enum": []string{"fixed", "exponential"}},
			"multiplier": obj{"type": "number", "minimum": 1}, "max-delay": durationRef, "jitter": schemaBool,
		}, "max-attempts"),
		"fallback": obj{"$ref": "#/$defs/stepList", "minItems": 1},
		"continue": obj{"anyOf": []any{schemaBool, obj{"enum": []string{"true", "false"}}}},
	})
}
