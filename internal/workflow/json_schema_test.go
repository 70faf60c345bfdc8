package workflow

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
)

// compileSchema compiles JSONSchema(stepTypes) with the draft 2020-12 validator.
func compileSchema(t *testing.T, stepTypes []string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema(stepTypes)))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("workflow.json", doc))
	sch, err := c.Compile("workflow.json")
	require.NoError(t, err)
	return sch
}

// instance decodes YAML the way Parse reads values and round-trips it through JSON, the
// form the validator expects.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &root))
	p := &parser{source: newSourceMap()}
	raw, err := json.Marshal(p.value(&root, "", 0))
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	return v
}

// unavailableTypes lists the step types of wf that are neither built in nor shipped.
func unavailableTypes(wf *Workflow) []string {
	var out []string
	v := &validator{wf: wf}
	v.eachStep(wf.Steps, nil, func(s *Step, _ []*Step) {
		if !isBuiltinStepType(s.Type) && !contains(shippedStepTypes, s.Type) {
			out = append(out, s.Type)
		}
	})
	return out
}

func TestJSONSchemaAcceptsConformanceFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 10, "the ten Kibana example workflows must be in %s", conformanceDir)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			wf, _ := Parse(src)
			unavailable := unavailableTypes(wf)
			inst := instance(t, src)
			// With the unavailable types registered the document is valid ...
			require.NoError(t, compileSchema(t, append(shippedStepTypes, unavailable...)).Validate(inst))
			// ... and without them it is invalid exactly when it uses one.
			err = compileSchema(t, shippedStepTypes).Validate(inst)
			if len(unavailable) == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestJSONSchemaRejects(t *testing.T) {
	sch := compileSchema(t, []string{"slack"})
	ok := "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: slack, with: {message: hi}}]\n"
	require.NoError(t, sch.Validate(instance(t, []byte(ok))))
	bad := map[string]string{
		"version number":   "version: 1\n" + ok,
		"missing name":     "triggers: [{type: manual}]\nsteps: [{name: s, type: console}]\n",
		"unknown type":     "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: nope}]\n",
		"unknown step key": "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: console, onFailure: {}}]\n",
		"short interval":   "name: a\ntriggers: [{type: scheduled, with: {every: 30s}}]\nsteps: [{name: s, type: console}]\n",
		"bad duration":     "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: console, timeout: 1.5s}]\n",
		"if without steps": "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: if, condition: 'a: 1'}]\n",
		"unknown trigger":  "name: a\ntriggers: [{type: cron}]\nsteps: [{name: s, type: console}]\n",
		"retry no max":     "name: a\ntriggers: [{type: manual}]\nsteps: [{name: s, type: console, on-failure: {retry: {delay: 1s}}}]\n",
	}
	for name, src := range bad {
		t.Run(name, func(t *testing.T) {
			require.Error(t, sch.Validate(instance(t, []byte(src))))
		})
	}
}
