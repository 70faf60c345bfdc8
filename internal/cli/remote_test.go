package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/client/clienttest"
)

// TestRunRemote runs a file as a test run and a stored workflow by name on the server,
// following the event stream: steps and console lines as a local run shows them, the
// output on stdout, and the exit code of the execution's status.
func TestRunRemote(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	f.SendIDs, f.DropAfter = true, 3
	remoteEnv(t, f)
	failing := strings.ReplaceAll(greetYAML, "name: bye", "name: fail-bye")
	dir := writeFiles(t, map[string]string{"greet.yaml": greetYAML, "failing.yaml": failing,
		"bad.yaml": "name: bad\nsteps: {}\n"})
	code, _, errOut := errand(t, "apply", filepath.Join(dir, "greet.yaml"))
	require.Equal(t, 0, code, errOut)

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		out    string
		stderr []string
	}{
		{"file as a test run", []string{"run", filepath.Join(dir, "greet.yaml"), "--input", "n=1"}, 0,
			"{\n  \"inputs\": {\n    \"n\": 1\n  }\n}\n",
			[]string{"│ hello there", "✓ hello", "│ bye now", "✓ bye", "completed in 3ms"}},
		{"stored workflow by name", []string{"run", "--workflow", "greet"}, 0, "{\n  \"inputs\": {}\n}\n",
			[]string{"✓ hello", "✓ bye", "completed"}},
		{"failing step", []string{"run", filepath.Join(dir, "failing.yaml")}, 1, "{\n  \"inputs\": {}\n}\n",
			[]string{"✓ hello", "✗ fail-bye", "step fail-bye failed", "failed in 3ms", "error: Error: step fail-bye failed"}},
		{"invalid YAML", []string{"run", filepath.Join(dir, "bad.yaml")}, 1, "",
			[]string{filepath.Join(dir, "bad.yaml") + ": workflow YAML is invalid", "bad.yaml:"}},
		{"unknown workflow", []string{"run", "--workflow", "nope"}, 1, "", []string{`finding workflow "nope": not found`}},
		{"both file and name", []string{"run", "--workflow", "greet", filepath.Join(dir, "greet.yaml")}, 1, "",
			[]string{"give a workflow FILE or --workflow NAME (not both)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := errand(t, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Equal(t, tc.out, out)
			last := 0
			for _, s := range tc.stderr {
				i := strings.Index(errOut[last:], s)
				require.GreaterOrEqual(t, i, 0, "%q after offset %d in:\n%s", s, last, errOut)
				last += i
			}
		})
	}
}

func TestExecutionsRemote(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	remoteEnv(t, f)
	dir := writeFiles(t, map[string]string{"greet.yaml": greetYAML,
		"other.yaml": strings.ReplaceAll(greetYAML, "name: greet", "name: other")})
	code, _, errOut := errand(t, "apply", dir)
	require.Equal(t, 0, code, errOut)
	for _, args := range [][]string{{"run", "--workflow", "greet"}, {"run", "--workflow", "other"}, {"run", "--workflow", "greet"}} {
		code, _, errOut := errand(t, args...)
		require.Equal(t, 0, code, errOut)
	}

	code, out, errOut := errand(t, "executions", "list")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4)
	require.Regexp(t, `^ID\s+WORKFLOW\s+STATUS`, lines[0])
	for _, l := range lines[1:] {
		require.Regexp(t, `^exec-\d+\s+(greet|other)\s+completed`, l)
	}

	code, out, errOut = errand(t, "executions", "list", "--workflow", "other", "-o", "json")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"total": 1`)
	require.Contains(t, out, `"workflowName": "other"`)

	id := strings.Fields(lines[1])[0]
	code, out, errOut = errand(t, "executions", "show", id, "--steps", "--logs")
	require.Equal(t, 0, code, errOut)
	for _, s := range []string{"Execution:  " + id, "Status:     completed", "hello", "console", "1.5ms",
		"Log from step hello: hello there", "Log from step bye: bye now"} {
		require.Contains(t, out, s)
	}

	code, _, errOut = errand(t, "executions", "show", "nope")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "404")
}
