package cli_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/server"
)

// TestRemoteAgainstErrandServe drives the remote commands against a real `errand serve`
// (the service on loopback, SQLite, the real API, engine and event stream): apply creates
// then leaves unchanged, invalid YAML is reported with its position, a file runs as a test
// run and a stored workflow by name, both followed live, and the executions are listed and
// shown.
func TestRemoteAgainstErrandServe(t *testing.T) {
	svc, err := server.NewService(context.Background(), server.ServeConfig{
		Config: server.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler), LeaseTTL: time.Second},
		Listen: "127.0.0.1:0", ShutdownTimeout: 300 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	defer svc.Stop()
	t.Setenv("ERRAND_SERVER", "http://"+svc.Addr())
	t.Setenv("ERRAND_API_KEY", svc.BootstrapToken)
	t.Setenv("ERRAND_CLIENT_CONFIG", filepath.Join(t.TempDir(), "none.yaml"))
	bad := "name: broken\ntriggers:\n  - type: manual\nsteps:\n  - name: a\n    type: nosuch\n"
	dir := writeFiles(t, map[string]string{"greet.yaml": greetYAML, "zz-broken.yaml": bad})
	greet := filepath.Join(dir, "greet.yaml")

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out      []string
		errOut   []string
		outEqual string
	}{
		{"apply creates; invalid YAML reported", []string{"apply", dir}, 1,
			[]string{"workflow/greet created (" + greet + ")", "workflow/broken created"},
			[]string{"zz-broken.yaml:6:11: error", `Unknown step type "nosuch"`}, ""},
		{"apply again leaves it unchanged", []string{"apply", greet}, 0, nil, nil,
			"workflow/greet unchanged (" + greet + ")\n"},
		{"run a file as a test run", []string{"run", greet}, 0, nil,
			[]string{"│ hello there", "✓ hello", "│ bye now", "✓ bye", "completed in"}, ""},
		{"run the stored workflow", []string{"run", "--workflow", "greet"}, 0, nil,
			[]string{"✓ hello", "✓ bye", "completed in"}, ""},
		{"run invalid YAML", []string{"run", filepath.Join(dir, "zz-broken.yaml")}, 1, nil,
			[]string{"zz-broken.yaml:6:11: error"}, ""},
		{"list", []string{"executions", "list", "--workflow", "greet"}, 0, []string{"greet", "completed"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := errand(t, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			if tc.outEqual != "" {
				require.Equal(t, tc.outEqual, out)
			}
			for _, s := range tc.out {
				require.Contains(t, out, s)
			}
			last := 0
			for _, s := range tc.errOut {
				i := strings.Index(errOut[last:], s)
				require.GreaterOrEqual(t, i, 0, "%q after offset %d in:\n%s", s, last, errOut)
				last += i
			}
		})
	}
	code, out, errOut := errand(t, "executions", "list", "--workflow", "greet", "-o", "json")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"total": 1`)
	_, out, _ = errand(t, "executions", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	id := strings.Fields(lines[1])[0]
	code, out, errOut = errand(t, "executions", "show", id, "--steps", "--logs")
	require.Equal(t, 0, code, errOut)
	for _, s := range []string{"Execution:  " + id, "Status:     completed", "hello", "console", "Log from step bye: bye now"} {
		require.Contains(t, out, s)
	}
}
