package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// terminalCounter is an engine Observer that signals every execution reaching a final status.
type terminalCounter struct {
	done   chan string
	failed atomic.Int64
}

func (c *terminalCounter) OnEvent(ev engine.Event) {
	if ev.Kind != "execution_status" || !store.IsTerminal(ev.Status) {
		return
	}
	if ev.Status != store.StatusCompleted {
		c.failed.Add(1)
	}
	c.done <- ev.ExecutionID
}

const threeStep = `version: "1"
name: three-step
triggers:
  - type: manual
    inputs:
      - name: url
        type: string
steps:
  - name: fetch
    type: http
    with:
      url: "{{ inputs.url }}"
  - name: keep
    type: data.set
    with:
      status: "{{ steps.fetch.output.data.status }}"
  - name: say
    type: console
    with:
      message: "fetched {{ variables.status }}"
`

// BenchmarkThroughput3Step runs a 3-step workflow (http to a local fake, data.set, console)
// end to end through the queue on SQLite with 100 executions in flight, and reports
// executions per second.
func BenchmarkThroughput3Step(b *testing.B) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer fake.Close()
	obs := &terminalCounter{done: make(chan string, 1024)}
	ctx := context.Background()
	rt, err := Open(ctx, Config{DataDir: b.TempDir(), Workers: 100, Observer: obs, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	if err := rt.Queue.Start(ctx); err != nil {
		b.Fatal(err)
	}
	inputs := map[string]any{"url": fake.URL}
	// Triggers arrive concurrently (API requests, webhooks), as in a service: starters
	// goroutines start executions while at most 100 are in flight.
	const inFlight, starters = 100, 16
	slots := make(chan struct{}, inFlight)
	var next atomic.Int64
	var startErr atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range starters {
		go func() {
			for next.Add(1) <= int64(b.N) {
				slots <- struct{}{}
				if _, err := rt.Engine.Start(ctx, engine.StartParams{YAML: threeStep, Inputs: inputs, TriggeredBy: "api"}); err != nil {
					startErr.Store(err)
					return
				}
			}
		}()
	}
	for finished := 0; finished < b.N; finished++ {
		select {
		case <-obs.done:
			<-slots
		case <-time.After(30 * time.Second):
			b.Fatalf("no execution finished for 30s (start error: %v)", startErr.Load())
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n := obs.failed.Load(); n > 0 {
		b.Fatalf("%d executions did not complete", n)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "executions/s")
}

const parkedWait = `version: "1"
name: parked
triggers:
  - type: manual
steps:
  - name: hold
    type: wait
    with:
      duration: 1h
`

// BenchmarkParkedWaitHeap parks 10,000 executions in a long wait and reports the heap they
// hold per execution in this process (the wait itself lives in the database).
func BenchmarkParkedWaitHeap(b *testing.B) {
	const n = 10000
	for b.Loop() {
		ctx := context.Background()
		rt, err := Open(ctx, Config{DataDir: b.TempDir(), Workers: 100})
		if err != nil {
			b.Fatal(err)
		}
		before := heapInUse()
		for i := 0; i < n; i++ {
			if _, err := rt.Engine.Start(ctx, engine.StartParams{YAML: parkedWait, TriggeredBy: "api"}); err != nil {
				b.Fatal(err)
			}
		}
		if err := rt.Queue.Start(ctx); err != nil {
			b.Fatal(err)
		}
		waitAll(b, rt, store.StatusWaiting, n)
		b.ReportMetric(float64(heapInUse()-before)/n, "heap-bytes/execution")
		_ = rt.Close()
	}
}

func waitAll(b *testing.B, rt *Runtime, status string, n int) {
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		_, total, err := rt.Store.ExecutionList(ctx, store.ExecutionListParams{Statuses: []string{status}, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if total >= n {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("executions did not all reach %s", status)
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// quietLogger drops the runtime's warnings (the generated key file) from benchmark output.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
