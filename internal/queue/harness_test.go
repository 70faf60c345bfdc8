package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

// waitLimit bounds every wait in these tests so that a bug fails the test instead of hanging
// it. It is a guard, not a timing assertion: healthy runs finish far sooner.
const waitLimit = 60 * time.Second

// backend opens a fresh, empty store of one dialect.
type backend struct {
	name string
	open func(t testing.TB) store.Store
}

// backends returns SQLite always and PostgreSQL when ERRAND_TEST_POSTGRES_URL is set.
func backends() []backend {
	list := []backend{{name: "sqlite", open: openSQLite}}
	if pg := postgresBackend(); pg != nil {
		list = append(list, *pg)
	}
	return list
}

// forEachBackend runs fn as a subtest on every backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, st store.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { fn(t, b.open(t)) })
	}
}

// openSQLite opens a SQLite store in a temporary directory.
func openSQLite(t testing.TB) store.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// testOptions returns options for a test queue: quick leases and scans, quiet logs.
func testOptions(nodeID string) Options {
	return Options{
		NodeID:       nodeID,
		Workers:      20,
		LeaseTTL:     3 * time.Second,
		PollInterval: 20 * time.Millisecond,
		RecoverEvery: 100 * time.Millisecond,
		StopTimeout:  5 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// startQueue builds and starts a queue stopped at cleanup.
func startQueue(t testing.TB, st store.Store, h Handler, opts Options) *Queue {
	q := newQueue(t, st, h, opts)
	require.NoError(t, q.Start(context.Background()))
	t.Cleanup(q.Stop)
	return q
}

// newQueue builds a queue without starting it.
func newQueue(t testing.TB, st store.Store, h Handler, opts Options) *Queue {
	q, err := New(st, h, opts)
	require.NoError(t, err)
	return q
}

// createExecution inserts a pending execution and, when q is not nil, its job in the same
// transaction.
func createExecution(t testing.TB, st store.Store, q *Queue, mutate func(*store.Execution)) string {
	e := &store.Execution{ID: uuid.NewString(), WorkflowID: "wf", Status: store.StatusPending}
	if mutate != nil {
		mutate(e)
	}
	p := store.ExecutionCreateParams{Execution: e}
	if q != nil {
		p.InTx = func(ctx context.Context, tx *sql.Tx) error { return q.EnqueueTx(ctx, tx, e.ID, time.Time{}) }
	}
	require.NoError(t, st.ExecutionCreate(context.Background(), p))
	return e.ID
}

// jobsOf lists the River jobs of execution id.
func jobsOf(t testing.TB, q *Queue, id string) []*rivertype.JobRow {
	res, err := q.client.JobList(context.Background(), river.NewJobListParams().Kinds(jobKind).First(10000))
	require.NoError(t, err)
	var jobs []*rivertype.JobRow
	for _, j := range res.Jobs {
		var args executionArgs
		require.NoError(t, json.Unmarshal(j.EncodedArgs, &args))
		if args.ExecutionID == id {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// waitStatus waits until execution id has status.
func waitStatus(t testing.TB, st store.Store, id, status string) *store.Execution {
	var e *store.Execution
	require.Eventually(t, func() bool {
		var err error
		e, err = st.ExecutionGet(context.Background(), id)
		require.NoError(t, err)
		return e.Status == status
	}, waitLimit, 5*time.Millisecond, "execution %s never reached status %s", id, status)
	return e
}

// call is one recorded Handler.Execute call.
type call struct {
	id       string
	n        int // 1-based call number for this execution
	canceled bool
}

// stepFunc decides what one handler call does after the run was marked running.
type stepFunc func(ctx context.Context, c call) (resumeAt time.Time, err error)

// testHandler is a Handler that behaves like the engine on a real store: it marks the
// execution running, runs step, then marks it completed unless step asked to wait or failed.
// It counts calls and detects two runs of one execution at the same time.
type testHandler struct {
	st   store.Store
	step stepFunc

	mu      sync.Mutex
	calls   map[string]int
	active  map[string]int
	log     []call
	overlap atomic.Int32
	started chan call // receives every call as it starts (buffered)
}

// newTestHandler returns a handler running step (nil: complete at once).
func newTestHandler(st store.Store, step stepFunc) *testHandler {
	return &testHandler{st: st, step: step, calls: map[string]int{}, active: map[string]int{},
		started: make(chan call, 10000)}
}

// Execute implements Handler.
func (h *testHandler) Execute(ctx context.Context, id string) (time.Time, error) {
	h.mu.Lock()
	h.calls[id]++
	h.active[id]++
	if h.active[id] > 1 {
		h.overlap.Add(1)
	}
	c := call{id: id, n: h.calls[id]}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.active[id]--
		h.mu.Unlock()
	}()
	h.started <- c
	running := store.StatusRunning
	if err := h.st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, Status: &running}); err != nil {
		return time.Time{}, fmt.Errorf("marking running: %w", err)
	}
	var resumeAt time.Time
	if h.step != nil {
		var err error
		if resumeAt, err = h.step(ctx, c); err != nil {
			c.canceled = ctx.Err() != nil
			h.record(c)
			return time.Time{}, err
		}
	}
	h.record(c)
	status := store.StatusCompleted
	if !resumeAt.IsZero() {
		status = store.StatusWaiting
	}
	if err := h.st.ExecutionUpdate(ctx, store.ExecutionUpdateParams{ID: id, Status: &status}); err != nil {
		return time.Time{}, fmt.Errorf("marking %s: %w", status, err)
	}
	return resumeAt, nil
}

// record appends a finished call to the log.
func (h *testHandler) record(c call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, c)
}

// callsOf returns how many times id was executed.
func (h *testHandler) callsOf(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[id]
}

// nextCall waits for the next call to start.
func (h *testHandler) nextCall(t testing.TB) call {
	select {
	case c := <-h.started:
		return c
	case <-time.After(waitLimit):
		t.Fatal("no handler call started")
		return call{}
	}
}

// logWatcher is a slog handler that closes a channel at the first record containing a text.
type logWatcher struct {
	text string
	once *sync.Once
	seen chan struct{}
}

// newLogWatcher returns a watcher of text and a logger feeding it.
func newLogWatcher(text string) (*logWatcher, *slog.Logger) {
	w := &logWatcher{text: text, once: &sync.Once{}, seen: make(chan struct{})}
	return w, slog.New(w)
}

func (w *logWatcher) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatcher) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *logWatcher) WithGroup(string) slog.Handler            { return w }

// Handle closes seen when the record's message contains the watched text.
func (w *logWatcher) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, w.text) {
		w.once.Do(func() { close(w.seen) })
	}
	return nil
}
