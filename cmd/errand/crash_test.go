package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
)

// stepServer is a fake API that counts, per step, the requests it answered in full. The
// first request of the step named in holdStep is held open until its client goes away (the
// process is killed while waiting for it), so it is never answered and never counted.
type stepServer struct {
	mu       sync.Mutex
	answered map[string]int
	holdStep string
	held     bool
	arrived  chan struct{}
}

func (s *stepServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	step := strings.TrimPrefix(r.URL.Path, "/step/")
	s.mu.Lock()
	hold := step == s.holdStep && !s.held
	if hold {
		s.held = true
	}
	s.mu.Unlock()
	if hold {
		close(s.arrived)
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := fmt.Fprintf(w, `{"step":%q}`, step); err != nil {
		return
	}
	s.mu.Lock()
	s.answered[step]++
	s.mu.Unlock()
}

func (s *stepServer) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.answered {
		out[k] = v
	}
	return out
}

func crashWorkflow(n int) string {
	var b strings.Builder
	b.WriteString("version: \"1\"\nname: crash-twenty\ntriggers:\n  - type: manual\n    inputs:\n      - name: base\n        type: string\n        required: true\nsteps:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - name: s%02d\n    type: http\n    with:\n      url: \"{{ inputs.base }}/step/s%02d\"\n", i, i)
	}
	return b.String()
}

// buildBinary compiles errand once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "errand")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func TestCrashResumeSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	dir := t.TempDir()
	crashAndResume(t, []string{"--data-dir", dir}, server.Config{DataDir: dir})
}

func TestCrashResumePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	url := pgSchemaURL(t)
	crashAndResume(t, []string{"--database", url}, server.Config{DatabaseURL: url})
}

// crashAndResume runs a 20-step workflow, SIGKILLs the process while step 10's request is
// in flight, starts a worker process on the same database and checks that the execution
// completes with every step's request answered exactly once.
func crashAndResume(t *testing.T, dbArgs []string, cfg server.Config) {
	bin := buildBinary(t)
	fake := &stepServer{answered: map[string]int{}, holdStep: "s10", arrived: make(chan struct{})}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	wf := filepath.Join(t.TempDir(), "crash.yaml")
	require.NoError(t, os.WriteFile(wf, []byte(crashWorkflow(20)), 0o600))
	env := append(os.Environ(), "ERRAND_LEASE_TTL=1s")

	run := exec.Command(bin, append([]string{"run", wf, "--input", "base=" + srv.URL}, dbArgs...)...)
	run.Env = env
	require.NoError(t, run.Start())
	select {
	case <-fake.arrived:
	case <-time.After(60 * time.Second):
		_ = run.Process.Kill()
		t.Fatal("step s10 was never requested")
	}
	require.NoError(t, run.Process.Signal(syscall.SIGKILL))
	_ = run.Wait()
	before := fake.counts()
	for i := 1; i <= 9; i++ {
		require.Equal(t, 1, before[fmt.Sprintf("s%02d", i)], "step s%02d before the crash", i)
	}
	require.Zero(t, before["s11"], "no step after the crash point may have run")

	worker := exec.Command(bin, append([]string{"worker"}, dbArgs...)...)
	worker.Env = env
	require.NoError(t, worker.Start())
	defer func() { _ = worker.Process.Signal(syscall.SIGTERM); _ = worker.Wait() }()

	ex := waitForTerminal(t, cfg)
	require.Equal(t, store.StatusCompleted, ex.Status, "error: %s", ex.Error)
	after := fake.counts()
	for i := 1; i <= 20; i++ {
		require.Equal(t, 1, after[fmt.Sprintf("s%02d", i)], "step s%02d answered exactly once", i)
	}
}

func waitForTerminal(t *testing.T, cfg server.Config) *store.Execution {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, cfg)
	require.NoError(t, err)
	defer st.Close()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		rows, _, err := st.ExecutionList(ctx, store.ExecutionListParams{Limit: 1})
		require.NoError(t, err)
		if len(rows) == 1 && store.IsTerminal(rows[0].Status) {
			return rows[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the execution did not finish after the restart")
	return nil
}

// pgSchemaURL returns ERRAND_TEST_POSTGRES_URL pointed at a fresh schema dropped after the
// test, or skips when the variable is unset.
func pgSchemaURL(t *testing.T) string {
	t.Helper()
	return pgtest.SchemaURL(t, "crash")
}
