package builtin

import (
	"context"
	"testing"

	"github.com/errand-dev/errand/internal/engine"
)

func BenchmarkDataFilter(b *testing.B) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = map[string]any{"n": i, "team": []string{"red", "blue"}[i%2]}
	}
	in := input("data.filter", map[string]any{"condition": "item.team: red and item.n >= 500"}, map[string]any{"items": items})
	reg := map[string]engine.StepExecutor{}
	Register(reg)
	for b.Loop() {
		if _, err := reg["data.filter"].Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDataRegexReplace(b *testing.B) {
	in := input("data.regexReplace", map[string]any{"pattern": `(\d+)-(\d+)`, "replacement": "$2-$1", "flags": "g"},
		map[string]any{"source": "order 123-456, order 789-012, order 345-678"})
	reg := map[string]engine.StepExecutor{}
	Register(reg)
	for b.Loop() {
		if _, err := reg["data.regexReplace"].Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
