package connector

import (
	"fmt"
	"sort"
	"strings"
)

// Registry holds the connector types of this build. Build it once at startup; it is
// read-only afterwards and safe for concurrent reads.
type Registry struct {
	types map[string]*Type
	steps map[string]stepTarget
}

type stepTarget struct {
	typ    *Type
	action string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{types: map[string]*Type{}, steps: map[string]stepTarget{}}
}

// Register adds t and the step types its actions serve. Duplicate type ids or step types
// are an error.
func (r *Registry) Register(t *Type) error {
	if !strings.HasPrefix(t.ID, ".") || len(t.ID) < 2 {
		return fmt.Errorf("registering connector type %q: the id must start with a dot", t.ID)
	}
	if _, dup := r.types[t.ID]; dup {
		return fmt.Errorf("registering connector type %q: already registered", t.ID)
	}
	for name := range t.Actions {
		st := t.StepType(name)
		if prev, dup := r.steps[st]; dup {
			return fmt.Errorf("registering connector type %q: step type %q is already served by %q", t.ID, st, prev.typ.ID)
		}
		r.steps[st] = stepTarget{typ: t, action: name}
	}
	r.types[t.ID] = t
	return nil
}

// MustRegister is Register for the static list of shipped types; it panics on a
// programming error at startup only.
func (r *Registry) MustRegister(t *Type) {
	if err := r.Register(t); err != nil {
		panic(err)
	}
}

// Type returns the type with the dotted id.
func (r *Registry) Type(id string) (*Type, bool) {
	t, ok := r.types[id]
	return t, ok
}

// ForStep returns the type and action serving a step type ("jira.pushToService").
func (r *Registry) ForStep(stepType string) (*Type, *Action, bool) {
	tg, ok := r.steps[stepType]
	if !ok {
		return nil, nil, false
	}
	return tg.typ, tg.typ.Actions[tg.action], true
}

// Types lists the registered types by id.
func (r *Registry) Types() []*Type {
	out := make([]*Type, 0, len(r.types))
	for _, t := range r.types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// StepTypes lists every step type served by a registered connector type, sorted.
func (r *Registry) StepTypes() []string {
	out := make([]string, 0, len(r.steps))
	for st := range r.steps {
		out = append(out, st)
	}
	sort.Strings(out)
	return out
}
