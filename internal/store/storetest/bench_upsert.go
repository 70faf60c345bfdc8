package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// benchStep returns a step record shaped like a typical HTTP step's.
func benchStep(executionID string, i int) *store.StepExecution {
	fin := time.Now()
	return &store.StepExecution{
		ExecutionID: executionID, Path: fmt.Sprintf("fetch#%d", i), StepName: "fetch",
		StepType: "http", Attempt: 1, Seq: i, Status: store.StatusCompleted,
		Input:     []byte(`{"url":"https://api.example.test/v1/items","method":"GET"}`),
		Output:    []byte(`{"status":200,"headers":{"content-type":"application/json"},"data":{"id":42,"name":"item"}}`),
		StartedAt: fin.Add(-40 * time.Millisecond), FinishedAt: &fin, DurationMs: 40,
	}
}

// BenchmarkStepExecutionUpsert measures one step record written, sequentially and from
// parallel goroutines (each its own execution, as concurrent runs are); each driver runs it
// from its own benchmark of the same name.
func BenchmarkStepExecutionUpsert(b *testing.B, openTest func(b *testing.B) store.Store) {
	b.Run("sequential", func(b *testing.B) {
		s := openTest(b)
		require.NoError(b, s.ExecutionCreate(b.Context(), store.ExecutionCreateParams{
			Execution: &store.Execution{ID: "ex", WorkflowID: "wf", Status: store.StatusRunning}}))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := s.StepExecutionUpsert(b.Context(), benchStep("ex", i)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/upsert")
	})
	b.Run("parallel", func(b *testing.B) {
		s := openTest(b)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			id := fmt.Sprintf("ex-%d", next.Add(1))
			err := s.ExecutionCreate(b.Context(), store.ExecutionCreateParams{
				Execution: &store.Execution{ID: id, WorkflowID: "wf", Status: store.StatusRunning}})
			if err != nil {
				b.Error(err)
				return
			}
			for i := 0; pb.Next(); i++ {
				if err := s.StepExecutionUpsert(b.Context(), benchStep(id, i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/upsert")
	})
}
