package template

import (
	"strings"
	"time"
)

// state is everything one render needs: scopes, counters, limits.
type state struct {
	src       string
	data      map[string]any
	scopes    []map[string]any
	env       map[string]any
	cycles    map[string]int
	continues map[string]int
	limits    Limits
	deadline  time.Time
	used      int64
	steps     int
	interrupt int
	out       *strings.Builder
	// jsOutput prints arrays and objects the LiquidJS way (conformance checks).
	jsOutput bool
}

const (
	interruptBreak = 1 + iota
	interruptContinue
)

func newState(src string, data map[string]any, l Limits) *state {
	return &state{
		src:      src,
		data:     data,
		scopes:   []map[string]any{nil},
		limits:   l,
		deadline: time.Now().Add(l.RenderLimit),
	}
}

// lookup finds a variable: loop and assign scopes first, then counters,
// then the render data.
func (st *state) lookup(name string) any {
	for i := len(st.scopes) - 1; i >= 0; i-- {
		if v, ok := st.scopes[i][name]; ok {
			return v
		}
	}
	if v, ok := st.env[name]; ok {
		return v
	}
	if v, ok := st.data[name]; ok {
		return v
	}
	return undefined
}

// assign sets a variable in the bottom (template-global) scope.
func (st *state) assign(name string, v any) {
	if st.scopes[0] == nil {
		st.scopes[0] = map[string]any{}
	}
	st.scopes[0][name] = v
}

// charge counts n bytes against the memory limit.
func (st *state) charge(n int64) error {
	st.used += n
	if st.used > st.limits.MemoryLimit {
		return limitErr("memory limit exceeded: more than %d bytes used (memoryLimit %d)", st.limits.MemoryLimit, st.limits.MemoryLimit)
	}
	return nil
}

// tick counts one unit of work and checks the time limit now and then.
func (st *state) tick() error {
	st.steps++
	if st.steps&255 == 0 && time.Now().After(st.deadline) {
		return limitErr("render limit exceeded: template took longer than %s (renderLimit %d ms)", st.limits.RenderLimit, st.limits.RenderLimit.Milliseconds())
	}
	return nil
}

// write appends rendered text, enforcing the output and memory limits.
func (st *state) write(w *strings.Builder, s string) error {
	if len(s) == 0 {
		return nil
	}
	if err := st.charge(int64(len(s))); err != nil {
		return err
	}
	if st.limits.OutputLimit > 0 && w == st.out && int64(w.Len()+len(s)) > st.limits.OutputLimit {
		return limitErr("output limit exceeded: more than %d bytes (outputLimit %d)", st.limits.OutputLimit, st.limits.OutputLimit)
	}
	w.WriteString(s)
	return nil
}

// output stringifies a value for `{{ }}`.
func (st *state) output(v any) string {
	if st.jsOutput {
		return stringify(v)
	}
	return outputString(v)
}
