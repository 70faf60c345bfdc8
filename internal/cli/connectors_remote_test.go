package cli_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/server"
)

// TestConnectorsRemote drives `errand --server … connectors` against the real service on
// loopback: create from flags and from a file (secrets only from files), list, get by name,
// update keeping and clearing secrets, delete; test and rotate-key refuse to run remotely.
func TestConnectorsRemote(t *testing.T) {
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
	dir := writeFiles(t, map[string]string{
		"slack.yaml": "webhookUrl: https://hooks.slack.com/services/T/B/x\n",
		"clear.yaml": "webhookUrl: null\n",
		"jira.yaml": "id: jira-1\nname: tracker\nconnector_type_id: .jira\nconfig:\n  apiUrl: https://example.atlassian.net\n  projectKey: OPS\n" +
			"secrets:\n  email: bot@example.com\n  apiToken: t0k\n",
	})

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		out    []string
		errOut string
	}{
		{"create from flags", []string{"connectors", "create", "--name", "alerts", "--type", ".slack",
			"--secrets-file", filepath.Join(dir, "slack.yaml")}, 0, []string{"Name:           alerts", "Type:           .slack"}, ""},
		{"create from a file", []string{"connectors", "create", "-f", filepath.Join(dir, "jira.yaml")}, 0,
			[]string{"ID:             jira-1", "projectKey: OPS"}, ""},
		{"duplicate name", []string{"connectors", "create", "--name", "alerts", "--type", ".slack",
			"--secrets-file", filepath.Join(dir, "slack.yaml")}, 1, nil, "409"},
		{"list", []string{"connectors", "list"}, 0, []string{"alerts", ".slack", "jira-1", "tracker"}, ""},
		{"get by name", []string{"connectors", "get", "tracker"}, 0, []string{"ID:             jira-1"}, ""},
		{"rename keeps secrets", []string{"connectors", "update", "alerts", "--name", "renamed"}, 0,
			[]string{"Name:           renamed", "Missing secrets: false"}, ""},
		{"a null secret clears it (and webhookUrl is required)", []string{"connectors", "update", "renamed",
			"--secrets-file", filepath.Join(dir, "clear.yaml")}, 1, nil, "400"},
		{"test runs on the server", []string{"connectors", "test", "renamed"}, 1,
			[]string{"failed: connector type .slack has no connection test"}, ""},
		{"rotate-key is local only", []string{"connectors", "rotate-key"}, 1, nil, "not available with --server"},
		{"delete", []string{"connectors", "delete", "renamed"}, 0, nil, "deleted connector"},
		{"get after delete", []string{"connectors", "get", "renamed"}, 1, nil, "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := errand(t, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			for _, s := range tc.out {
				require.Contains(t, out, s)
			}
			require.Contains(t, errOut, tc.errOut)
		})
	}
	code, out, errOut := errand(t, "connectors", "list", "-o", "json")
	require.Equal(t, 0, code, errOut)
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 1)
	require.Equal(t, "tracker", list[0]["name"])
	require.Equal(t, map[string]any{"apiUrl": "https://example.atlassian.net", "projectKey": "OPS"}, list[0]["config"])
	require.NotContains(t, out, "t0k")
}
