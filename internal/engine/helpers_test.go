package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
)

// probe is a test executor that counts its calls per step name and answers with fn.
type probe struct {
	mu    sync.Mutex
	calls map[string]int
	fn    func(ctx context.Context, in engine.StepInput, call int) (any, error)
}

func newProbe(fn func(ctx context.Context, in engine.StepInput, call int) (any, error)) *probe {
	return &probe{calls: map[string]int{}, fn: fn}
}

func (p *probe) Run(ctx context.Context, in engine.StepInput) (any, error) {
	p.mu.Lock()
	p.calls[in.Step.Name]++
	n := p.calls[in.Step.Name]
	p.mu.Unlock()
	if p.fn == nil {
		return in.With, nil
	}
	return p.fn(ctx, in, n)
}

func (p *probe) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[name]
}

func (p *probe) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		n += c
	}
	return n
}

// decode decodes raw JSON for assertions.
func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// sprintf is fmt.Sprintf for YAML templates.
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
