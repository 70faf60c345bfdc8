package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// gatedAudit is a real audit store whose first append waits for the gate, so a test can
// hold the writer while it fills the queue.
type gatedAudit struct {
	store.AuditStore
	entered chan struct{} // closed when the first append starts
	gate    chan struct{} // closed by the test to let it finish
	once    sync.Once
}

func newGatedAudit(st store.AuditStore) *gatedAudit {
	return &gatedAudit{AuditStore: st, entered: make(chan struct{}), gate: make(chan struct{})}
}

func (g *gatedAudit) AuditAppend(ctx context.Context, e *store.AuditEntry) error {
	g.once.Do(func() {
		close(g.entered)
		<-g.gate
	})
	return g.AuditStore.AuditAppend(ctx, e)
}

// syncBuffer is a log sink safe for the writer goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// entry is the audit entry of the i-th call.
func entry(i int) *store.AuditEntry {
	return &store.AuditEntry{Actor: "k1 (ci)", Method: "POST", Path: fmt.Sprintf("/api/workflows/w%d/run", i),
		Resource: fmt.Sprintf("w%d", i), Status: 200, RemoteAddr: "192.0.2.1"}
}

func TestAuditorDrainsOnStop(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			ctx := t.Context()
			gated := newGatedAudit(s.st)
			clk := newClock()
			a := NewAuditor(gated, AuditorOptions{QueueSize: 32, Now: clk.Now})
			require.NoError(t, a.Start(ctx))
			a.Record(ctx, entry(0))
			<-gated.entered // the writer holds entry 0
			for i := 1; i < 20; i++ {
				a.Record(ctx, entry(i))
			}
			stopped := make(chan struct{})
			go func() { a.Stop(); close(stopped) }()
			for !isStopped(a) {
				runtime.Gosched()
			}
			close(gated.gate)
			<-stopped

			list, total, err := s.st.AuditList(ctx, 100, 0)
			require.NoError(t, err)
			require.Equal(t, 20, total, "every queued entry is written before Stop returns")
			require.Equal(t, "/api/workflows/w19/run", list[0].Path)
			require.True(t, clk.Now().Equal(list[0].Time), "entries without a time are stamped by the clock")

			a.Record(ctx, entry(20))
			_, total, err = s.st.AuditList(ctx, 100, 0)
			require.NoError(t, err)
			require.Equal(t, 20, total, "after Stop entries are dropped")
		})
	}
}

func TestAuditorDropsWhenFull(t *testing.T) {
	ctx := t.Context()
	st := stores(t)[0].st
	gated := newGatedAudit(st)
	logs := &syncBuffer{}
	a := NewAuditor(gated, AuditorOptions{QueueSize: 1, EnqueueWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	require.NoError(t, a.Start(ctx))
	a.Record(ctx, entry(0))
	<-gated.entered
	a.Record(ctx, entry(1)) // fills the queue
	a.Record(ctx, entry(2)) // no room while the writer is held: dropped, not blocked forever
	require.Contains(t, logs.String(), "dropping audit entry: queue full")
	require.Contains(t, logs.String(), "path=/api/workflows/w2/run")
	close(gated.gate)
	a.Stop()
	_, total, err := st.AuditList(ctx, 100, 0)
	require.NoError(t, err)
	require.Equal(t, 2, total)
}

func TestAuditorNeverStartedWritesOnStop(t *testing.T) {
	ctx := t.Context()
	st := stores(t)[0].st
	a := NewAuditor(st, AuditorOptions{})
	a.Record(ctx, entry(0))
	a.Stop()
	_, total, err := st.AuditList(ctx, 100, 0)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Error(t, a.Start(ctx), "a stopped auditor does not start again")
}

// isStopped reports whether Stop has closed the queue.
func isStopped(a *Auditor) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.stopped
}
