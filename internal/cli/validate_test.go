package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/cli"
	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/server"
	"github.com/errand-dev/errand/internal/store"
)

const connectorWorkflow = `version: "1"
name: notify
triggers:
  - type: manual
steps:
  - name: known
    type: slack
    connector-id: alerts
    with:
      message: hi
  - name: unknown
    type: slack
    connector-id: nope
    with:
      message: hi
`

// TestValidateAndRunCheckConnectors runs `errand validate` and `errand run` on a workflow
// naming an unknown connector: without a database validation cannot know and passes
// without creating one; with one, both report connectorNotFound at the step's position and
// run starts nothing.
func TestValidateAndRunCheckConnectors(t *testing.T) {
	t.Setenv("ERRAND_DATABASE_URL", "")
	t.Setenv("ERRAND_CONNECTORS_FILE", "")
	dir := t.TempDir()
	wf := filepath.Join(t.TempDir(), "notify.yaml")
	require.NoError(t, os.WriteFile(wf, []byte(connectorWorkflow), 0o600))
	want := wf + ":11:5: error connectorNotFound: step \"unknown\": connector \"nope\" not found; " +
		"create it with `errand connectors create` or check the name\n"

	code, stdout, stderr := runCLI(t, "validate", "--data-dir", dir, wf)
	require.Equal(t, 0, code, stdout+stderr)
	require.Empty(t, stdout)
	require.NoFileExists(t, filepath.Join(dir, "errand.db"), "validate created a database")

	cr, err := server.OpenConnectors(t.Context(), server.Config{DataDir: dir})
	require.NoError(t, err)
	_, err = cr.Connectors.Create(t.Context(), connector.CreateParams{Name: "alerts", TypeID: ".slack",
		Secrets: map[string]any{"webhookUrl": "https://hooks.slack.com/services/T/B/X"}})
	require.NoError(t, err)
	require.NoError(t, cr.Store.Close())

	tests := []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", "--data-dir", dir, wf}},
		{"run", []string{"run", "--data-dir", dir, wf}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			require.Equal(t, 1, code, stderr)
			require.Equal(t, want, stdout)
		})
	}
	st, err := server.OpenStore(t.Context(), server.Config{DataDir: dir})
	require.NoError(t, err)
	defer st.Close()
	_, total, err := st.ExecutionList(t.Context(), store.ExecutionListParams{Limit: 1})
	require.NoError(t, err)
	require.Zero(t, total, "run started an execution despite the missing connector")
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}
