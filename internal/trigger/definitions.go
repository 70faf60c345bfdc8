package trigger

import (
	"sync"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// definitions caches parsed workflows by id, so that scanning every stored workflow on each
// rescan or event parses only the ones whose YAML changed. It is safe for concurrent use.
type definitions struct {
	mu   sync.Mutex
	byID map[string]definition
}

// definition is one cached parse: wf is nil when the YAML has errors.
type definition struct {
	yaml string
	wf   *workflow.Workflow
}

// newDefinitions returns an empty cache.
func newDefinitions() *definitions {
	return &definitions{byID: map[string]definition{}}
}

// parse returns the parsed workflow of w, or nil when w is marked invalid or its YAML does
// not parse without errors (such a workflow is never started by a trigger).
func (d *definitions) parse(w *store.Workflow) *workflow.Workflow {
	if !w.Valid {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.byID[w.ID]; ok && c.yaml == w.YAML {
		return c.wf
	}
	wf, diags := workflow.Parse([]byte(w.YAML))
	if workflow.HasErrors(diags) {
		wf = nil
	}
	d.byID[w.ID] = definition{yaml: w.YAML, wf: wf}
	return wf
}

// forget drops the entries whose id is not in keep.
func (d *definitions) forget(keep map[string]bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id := range d.byID {
		if !keep[id] {
			delete(d.byID, id)
		}
	}
}
