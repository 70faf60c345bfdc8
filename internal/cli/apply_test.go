package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/cli"
	"github.com/errand-dev/errand/internal/client/clienttest"
)

const remoteKey = "a2V5aWQ6c2VjcmV0"

const greetYAML = `name: greet
enabled: true
triggers:
  - type: manual
steps:
  - name: hello
    type: console
    with:
      message: hello there
  - name: bye
    type: console
    with:
      message: bye now
`

// remoteEnv points the CLI at the fake with no config file around.
func remoteEnv(t *testing.T, f *clienttest.Fake) {
	t.Setenv("ERRAND_SERVER", f.URL)
	t.Setenv("ERRAND_API_KEY", remoteKey)
	t.Setenv("ERRAND_CLIENT_CONFIG", filepath.Join(t.TempDir(), "none.yaml"))
}

// errand runs the CLI and returns the exit code, stdout and stderr.
func errand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

// TestApply applies a directory three times — create, no change, one file changed — as
// kubectl apply does, then a file with invalid YAML.
func TestApply(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	remoteEnv(t, f)
	other := strings.ReplaceAll(greetYAML, "name: greet", "name: other")
	dir := writeFiles(t, map[string]string{"a.yaml": greetYAML, "b.yml": other, "notes.txt": "not a workflow",
		"sub/c.yaml": strings.ReplaceAll(greetYAML, "name: greet", "name: nested")})
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yml")

	for _, tc := range []struct {
		name   string
		before func()
		args   []string
		out    []string
	}{
		{"first apply creates", nil, []string{"apply", dir},
			[]string{"workflow/greet created (" + a + ")", "workflow/other created (" + b + ")"}},
		{"second apply changes nothing", nil, []string{"apply", dir},
			[]string{"workflow/greet unchanged (" + a + ")", "workflow/other unchanged (" + b + ")"}},
		{"a changed file is configured", func() {
			require.NoError(t, os.WriteFile(a, []byte(strings.ReplaceAll(greetYAML, "hello there", "hi")), 0o644))
		}, []string{"apply", dir}, []string{"workflow/greet configured (" + a + ")", "workflow/other unchanged (" + b + ")"}},
		{"recursive reaches subdirectories", nil, []string{"apply", "-R", dir},
			[]string{"workflow/greet unchanged (" + a + ")", "workflow/other unchanged (" + b + ")",
				"workflow/nested created (" + filepath.Join(dir, "sub", "c.yaml") + ")"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			code, out, errOut := errand(t, tc.args...)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, strings.Join(tc.out, "\n")+"\n", out)
		})
	}
	stored, ok := f.WorkflowYAML("greet")
	require.True(t, ok)
	require.Contains(t, stored, "message: hi\n")
}

func TestApplyInvalidYAML(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	remoteEnv(t, f)
	bad := "name: broken\ntriggers:\n  - type: manual\nsteps:\n  - name: a\n    type: console\n    with: {message: x}\n  - name: a\n    type: console\n    with: {message: y}\n"
	dir := writeFiles(t, map[string]string{"bad.yaml": bad, "good.yaml": greetYAML})
	code, out, errOut := errand(t, "apply", dir)
	require.Equal(t, 1, code)
	require.Equal(t, "workflow/greet created ("+filepath.Join(dir, "good.yaml")+")\n", out)
	require.Contains(t, errOut, filepath.Join(dir, "bad.yaml")+": workflow YAML is invalid\n")
	require.Regexp(t, `bad\.yaml:8:\d+: error \S+: .*a`, errOut)
	_, ok := f.WorkflowYAML("broken")
	require.False(t, ok)
}

func TestRemoteNeedsServerAndKey(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	dir := writeFiles(t, map[string]string{"a.yaml": greetYAML})
	cfgDir := t.TempDir()
	cfgPath := filepath.Join(cfgDir, "config.yaml")
	for _, tc := range []struct {
		name, server, key, config string
		args                      []string
		code                      int
		errContains               string
	}{
		{"apply without a server", "", "", "", []string{"apply", dir}, 1, "no server: give --server URL"},
		{"run without a key", f.URL, "", "", []string{"run", filepath.Join(dir, "a.yaml")}, 1, "no API key: set ERRAND_API_KEY"},
		{"wrong key", f.URL, "wrong", "", []string{"apply", dir}, 1, "401 Unauthorized"},
		{"config file gives server and key", "", "", "server: " + f.URL + "\napi_key: " + remoteKey + "\n",
			[]string{"apply", dir}, 0, ""},
		{"--server flag with the config key", "", "", "api_key: " + remoteKey + "\n",
			[]string{"--server", f.URL, "executions", "list"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ERRAND_SERVER", tc.server)
			t.Setenv("ERRAND_API_KEY", tc.key)
			t.Setenv("ERRAND_CLIENT_CONFIG", cfgPath)
			require.NoError(t, os.WriteFile(cfgPath, []byte(tc.config), 0o600))
			code, _, errOut := errand(t, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Contains(t, errOut, tc.errContains)
		})
	}
}

// TestApplyStoredInvalid applies invalid YAML to a server that stores it marked invalid,
// as Kibana does: the outcome is printed, then the diagnostics, and the exit code is 1.
func TestApplyStoredInvalid(t *testing.T) {
	f := clienttest.New(t, remoteKey)
	f.StoreInvalid = true
	remoteEnv(t, f)
	bad := strings.ReplaceAll(greetYAML, "type: console\n    with:\n      message: bye now", "type: nosuch")
	dir := writeFiles(t, map[string]string{"greet.yaml": greetYAML})
	file := filepath.Join(dir, "greet.yaml")
	for _, tc := range []struct {
		name, body, out string
		code            int
		errOut          string
	}{
		{"valid create", greetYAML, "workflow/greet created (" + file + ")\n", 0, ""},
		{"invalid update", bad, "workflow/greet configured (" + file + ")\n", 1,
			file + ":11:11: error: Unknown step type \"nosuch\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(file, []byte(tc.body), 0o644))
			code, out, errOut := errand(t, "apply", file)
			require.Equal(t, tc.code, code, errOut)
			require.Equal(t, tc.out, out)
			require.Contains(t, errOut, tc.errOut)
		})
	}
}
