package workflow

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse (or Validate on its result) panic, and that a
// nil Workflow always comes with a yamlSyntaxError.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "*.yaml"))
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("name: a\nsteps: [{name: x, type: if, condition: 'a: b', steps: [{name: y, type: console}]}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("steps:\n  - <<: {name: m}\n    type: wait\n    with: {duration: 1s}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		wf, diags := Parse(src)
		if wf == nil {
			if len(diags) != 1 || diags[0].Rule != RuleYAMLSyntaxError {
				t.Fatalf("nil workflow without a single yamlSyntaxError: %+v", diags)
			}
			return
		}
		Validate(wf, ValidateOptions{})
	})
}
