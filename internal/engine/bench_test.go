package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/builtin"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/sqlite"
	"github.com/errand-dev/errand/internal/template"
)

// sequential40 is a 40-step workflow alternating data.set and console steps.
func sequential40() string {
	var b strings.Builder
	b.WriteString("name: seq40\ntriggers: [{type: manual}]\nsteps:\n")
	for i := range 40 {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - {name: s%d, type: data.set, with: {k%d: \"v{{ execution.id | size }}\"}}\n", i, i)
		} else {
			fmt.Fprintf(&b, "  - {name: s%d, type: console, with: {message: \"step %d {{ variables.k%d }}\"}}\n", i, i, i-1)
		}
	}
	return b.String()
}

// effect40 is a 40-step workflow of `effect` steps: a stand-in for steps that reach the
// outside world, whose records are durable before the next step starts.
func effect40() string {
	var b strings.Builder
	b.WriteString("name: effect40\ntriggers: [{type: manual}]\nsteps:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "  - {name: s%d, type: effect, with: {n: %d, id: \"{{ execution.id }}\"}}\n", i, i)
	}
	return b.String()
}

// benchSequential runs a 40-step workflow durably b.N times and reports ns/step.
func benchSequential(b *testing.B, st store.Store, yaml string) {
	executors := map[string]engine.StepExecutor{}
	builtin.Register(executors)
	executors["effect"] = engine.StepExecutorFunc(func(_ context.Context, in engine.StepInput) (any, error) {
		return in.With, nil
	})
	e := engine.New(st, engine.NewEvaluator(template.New(template.Limits{})), executors, nil, nil, engine.Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ex, err := e.Start(ctx, engine.StartParams{YAML: yaml})
		require.NoError(b, err)
		at, err := e.Execute(ctx, ex.ID)
		require.NoError(b, err)
		require.True(b, at.IsZero())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*40), "ns/step")
}

// BenchmarkSequential40 measures the engine's overhead per step of a 40-step sequential
// workflow, durable: "effect" steps are each checkpointed before the next one starts (the
// case that matters for steps reaching external systems); "pure" steps (data.set, console)
// may share a commit with the next durable write.
func BenchmarkSequential40(b *testing.B) {
	for _, kind := range []struct{ name, yaml string }{{"effect", effect40()}, {"pure", sequential40()}} {
		b.Run("sqlite/"+kind.name, func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			require.NoError(b, err)
			defer st.Close()
			benchSequential(b, st, kind.yaml)
		})
		b.Run("postgres/"+kind.name, func(b *testing.B) {
			dsn := os.Getenv("ERRAND_TEST_POSTGRES_URL")
			if dsn == "" {
				b.Skip("ERRAND_TEST_POSTGRES_URL not set")
			}
			st, err := postgres.Open(context.Background(), dsn)
			require.NoError(b, err)
			defer st.Close()
			benchSequential(b, st, kind.yaml)
		})
	}
}
