package builtin

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"

	"github.com/errand-dev/errand/internal/engine"
)

// runConsole is the `console` step: its output is the rendered with.message, which is also
// written to the execution log at info level as "Log from step <name>: <message>".
func runConsole(_ context.Context, in engine.StepInput) (any, error) {
	msg, ok := in.With["message"]
	if !ok {
		return nil, paramErrorf("console", "with.message is required: add `with: {message: \"...\"}` to the step")
	}
	if in.Log != nil {
		in.Log.Log("info", "Log from step "+stepName(in)+": "+stringify(msg), nil)
	}
	return msg, nil
}

// stringify renders a string as it is and anything else as compact JSON.
func stringify(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := marshalJSON(v, false)
	if err != nil {
		return "<unprintable value>"
	}
	return b
}

// runDataSet is the `data.set` step: its output is the rendered `with`, which the engine
// merges into `variables`.
func runDataSet(_ context.Context, in engine.StepInput) (any, error) {
	out := make(map[string]any, len(in.With))
	maps.Copy(out, in.With)
	return out, nil
}

// marshalJSON encodes v like JavaScript's JSON.stringify: no HTML escaping, and with
// two-space indentation when pretty.
func marshalJSON(v any, pretty bool) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	s := b.String()
	return s[:len(s)-1], nil // Encode appends a newline
}
