package server

import (
	"context"
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
	rt, err := Open(ctx, Config{DataDir: b.TempDir(), Workers: 100, Observer: obs})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	if err := rt.Queue.Start(ctx); err != nil {
		b.Fatal(err)
	}
	inputs := map[string]any{"url": fake.URL}
	b.ResetTimer()
	start := time.Now()
	inFlight, finished := 0, 0
	for started := 0; started < b.N || finished < b.N; {
		if started < b.N && inFlight < 100 {
			if _, err := rt.Engine.Start(ctx, engine.StartParams{YAML: threeStep, Inputs: inputs, TriggeredBy: "api"}); err != nil {
				b.Fatal(err)
			}
			started++
			inFlight++
			continue
		}
		<-obs.done
		inFlight--
		finished++
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
