package postgres

import (
	"testing"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/storetest"
)

// BenchmarkStepExecutionUpsert measures writing step records (see storetest).
func BenchmarkStepExecutionUpsert(b *testing.B) {
	storetest.BenchmarkStepExecutionUpsert(b, func(b *testing.B) store.Store { return openTest(b) })
}

// BenchmarkTickClaim measures claiming schedule ticks (see storetest.BenchmarkTickClaim).
func BenchmarkTickClaim(b *testing.B) {
	storetest.BenchmarkTickClaim(b, func(b *testing.B) store.Store { return openTest(b) })
}
