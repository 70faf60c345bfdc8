package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"go.yaml.in/yaml/v4"
)

// generatedRun is the workflow a step test runs, with its inputs and event.
type generatedRun struct {
	yaml   string
	inputs map[string]any
	event  map[string]any
}

// stepTestWorkflow builds the workflow that tests one step in isolation. Kibana runs the
// step with contextOverride merged into its context; Errand gets the same context from a
// generated workflow that its engine runs like any other:
//
//   - every other step of the document becomes a `data.parseJson` step of the same name
//     whose output is the mocked `contextOverride.steps.<name>.output` (null when not
//     mocked), so that `steps.<name>.output` resolves and references validate;
//   - the tested step (with its nested steps) follows them, inside a one-item `foreach`
//     over contextOverride.foreach.item when contextOverride.foreach is given;
//   - contextOverride.consts are merged over the document's consts, contextOverride.inputs
//     become the run's inputs and contextOverride.event its event.
//
// The mocked values travel as consts (`__stepTestMock<N>`, JSON text) so that no template
// inside them is ever rendered.
func stepTestWorkflow(src, stepID string, override map[string]any) (*generatedRun, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: workflowYaml is not a YAML mapping", errBadRequest)
	}
	root := doc.Content[0]
	f := &stepFinder{target: stepID}
	f.walk(root, "")
	if f.found == nil {
		return nil, fmt.Errorf("%w: step %q not found in workflowYaml", errNotFound, stepID)
	}
	var step map[string]any
	if err := f.found.Decode(&step); err != nil {
		return nil, fmt.Errorf("decoding step %q: %w", stepID, err)
	}
	gen := map[string]any{"name": scalarOf(root, "name") + " (step test)", "enabled": true,
		"triggers": []any{map[string]any{"type": "manual"}}}
	if in := inputsOf(root); in != nil {
		gen["inputs"] = in
	}
	consts := map[string]any{}
	if n := valueOf(root, "consts"); n != nil {
		_ = n.Decode(&consts)
	}
	if oc, ok := override["consts"].(map[string]any); ok {
		maps.Copy(consts, oc)
	}
	steps, err := mockSteps(f.others, override, consts)
	if err != nil {
		return nil, err
	}
	if fe, ok := override["foreach"].(map[string]any); ok {
		items, _ := json.Marshal([]any{fe["item"]})
		consts["__stepTestForeach"] = string(items)
		step = map[string]any{"name": "__stepTestForeach", "type": "foreach",
			"foreach": "${{ consts.__stepTestForeach }}", "steps": []any{step}}
	}
	gen["consts"], gen["steps"] = consts, append(steps, step)
	out, err := yaml.Marshal(gen)
	if err != nil {
		return nil, fmt.Errorf("encoding the step test workflow: %w", err)
	}
	run := &generatedRun{yaml: string(out)}
	run.inputs, _ = override["inputs"].(map[string]any)
	run.event, _ = override["event"].(map[string]any)
	return run, nil
}

// mockSteps returns one data.parseJson step per name, its output taken from
// override.steps.<name>.output, and stores the JSON texts in consts.
func mockSteps(names []string, override map[string]any, consts map[string]any) ([]any, error) {
	mocked, _ := override["steps"].(map[string]any)
	steps := make([]any, 0, len(names))
	for i, name := range names {
		var out any
		if m, ok := mocked[name].(map[string]any); ok {
			out = m["output"]
		} else if v, ok := mocked[name]; ok {
			out = v
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("%w: contextOverride.steps.%s is not JSON: %w", errBadRequest, name, err)
		}
		key := fmt.Sprintf("__stepTestMock%d", i)
		consts[key] = string(b)
		steps = append(steps, map[string]any{"name": name, "type": "data.parseJson",
			"with": map[string]any{"source": "${{ consts." + key + " }}"}})
	}
	return steps, nil
}

// stepFinder walks a workflow document for the step named target and the names of every
// other step outside it.
type stepFinder struct {
	target string
	found  *yaml.Node
	others []string
}

// stepListKeys are the keys whose sequences hold steps.
var stepListKeys = []string{"steps", "else", "fallback", "default"}

// skipKeys are the keys under which no step lives.
var skipKeys = []string{"triggers", "inputs", "consts", "outputs", "with", "name"}

// walk visits n, reached under key.
func (f *stepFinder) walk(n *yaml.Node, key string) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode && slices.Contains(stepListKeys, key) && valueOf(c, "type") != nil {
				if name := scalarOf(c, "name"); name == f.target && f.found == nil {
					f.found = c
					continue // its nested steps go with it
				} else if name != "" {
					f.others = append(f.others, name)
				}
			}
			f.walk(c, key)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !slices.Contains(skipKeys, k) {
				f.walk(n.Content[i+1], k)
			}
		}
	}
}

// valueOf returns the value of key in mapping n, or nil.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalarOf returns the scalar value of key in mapping n, or "".
func scalarOf(n *yaml.Node, key string) string {
	if v := valueOf(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// inputsOf returns the document's inputs (top level, else the manual trigger's).
func inputsOf(root *yaml.Node) any {
	n := valueOf(root, "inputs")
	if n == nil {
		if trig := valueOf(root, "triggers"); trig != nil && trig.Kind == yaml.SequenceNode {
			for _, t := range trig.Content {
				if scalarOf(t, "type") == "manual" {
					n = valueOf(t, "inputs")
				}
			}
		}
	}
	if n == nil {
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil
	}
	return v
}
