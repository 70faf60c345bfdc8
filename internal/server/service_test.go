package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// startService starts a service on a free port over dataDir.
func startService(t *testing.T, dataDir string) *Service {
	t.Helper()
	svc, err := NewService(context.Background(), ServeConfig{
		Config:          Config{DataDir: dataDir, Logger: quietLogger(), LeaseTTL: time.Second},
		Listen:          "127.0.0.1:0",
		ShutdownTimeout: 300 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	return svc
}

func call(t *testing.T, svc *Service, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+svc.Addr()+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "ApiKey "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("kbn-xsrf", "true")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestServiceStopKeepsRunningExecutions stops the service while a step is in flight and
// checks that a restarted service on the same data directory completes the execution from
// its last finished step: the first step is not run again.
func TestServiceStopKeepsRunningExecutions(t *testing.T) {
	var first, second atomic.Int32
	release := make(chan struct{})
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			first.Add(1)
		} else if second.Add(1) == 1 {
			select { // the first attempt outlives the shutdown
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer fake.Close()
	defer close(release)
	dir := t.TempDir()
	svc := startService(t, dir)
	token := svc.BootstrapToken
	require.NotEmpty(t, token)
	code, _ := call(t, svc, "", "GET", "/healthz", "")
	require.Equal(t, http.StatusOK, code)

	yaml := fmt.Sprintf("version: \"1\"\nname: two-calls\ntriggers:\n  - type: manual\nsteps:\n"+
		"  - name: first\n    type: http\n    with:\n      url: %s/first\n"+
		"  - name: second\n    type: http\n    with:\n      url: %s/second\n", fake.URL, fake.URL)
	body, _ := json.Marshal(map[string]any{"yaml": yaml})
	code, wf := call(t, svc, token, "POST", "/api/workflows/workflow", string(body))
	require.Equal(t, http.StatusOK, code, "%v", wf)
	code, run := call(t, svc, token, "POST", "/api/workflows/workflow/"+wf["id"].(string)+"/run", `{"inputs":{}}`)
	require.Equal(t, http.StatusOK, code, "%v", run)
	execID := run["workflowExecutionId"].(string)
	require.Eventually(t, func() bool { return second.Load() == 1 }, 10*time.Second, 10*time.Millisecond)

	svc.Stop()
	st, err := OpenStore(context.Background(), Config{DataDir: dir})
	require.NoError(t, err)
	ex, err := st.ExecutionGet(context.Background(), execID)
	require.NoError(t, err)
	require.False(t, store.IsTerminal(ex.Status), "a stopped service leaves the run to continue, not failed: %s", ex.Status)
	require.NoError(t, st.Close())

	again := startService(t, dir)
	defer again.Stop()
	require.Empty(t, again.BootstrapToken, "the admin key is created once")
	require.Eventually(t, func() bool {
		_, ex := call(t, again, token, "GET", "/api/workflows/executions/"+execID, "")
		return ex["status"] == store.StatusCompleted
	}, 20*time.Second, 50*time.Millisecond)
	require.EqualValues(t, 1, first.Load(), "the finished step does not run again")
	require.EqualValues(t, 2, second.Load(), "the interrupted step runs again")
}
