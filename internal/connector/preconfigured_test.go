package connector_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

// writeFile writes content to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadPreconfigured(t *testing.T) {
	dir := t.TempDir()
	tokenFile := writeFile(t, dir, "token", "file-token-123\n")
	env := envOf(map[string]string{"ECHO_TOKEN": "env-token-456", "HOST": "echo.example.test"})
	tests := []struct {
		name string
		yaml string
		want []*connector.Connector
		msg  string
	}{
		{"kibana shape", `
my-echo:
  name: 'Echo #ops'
  actionTypeId: .echo
  config: {url: "https://${env:HOST}/hook", retries: 2}
  secrets: {token: "${env:ECHO_TOKEN}"}
a-other:
  name: Other
  connector_type_id: .other
`, []*connector.Connector{
			{ID: "a-other", Name: "Other", TypeID: ".other", IsPreconfigured: true},
			{ID: "my-echo", Name: "Echo #ops", TypeID: ".echo", IsPreconfigured: true,
				Config:  map[string]any{"url": "https://echo.example.test/hook", "retries": 2},
				Secrets: map[string]any{"token": "env-token-456"}},
		}, ""},
		{"kibana.yml wrapper and file reference", `
xpack.actions.preconfigured:
  e:
    name: E
    actionTypeId: .echo
    config: {url: "https://e.test"}
    secrets: {token: "${file:` + tokenFile + `}"}
`, []*connector.Connector{{ID: "e", Name: "E", TypeID: ".echo", IsPreconfigured: true,
			Config: map[string]any{"url": "https://e.test"}, Secrets: map[string]any{"token": "file-token-123"}}}, ""},
		{"missing env", "e: {name: E, actionTypeId: .echo, secrets: {token: '${env:NOPE}'}}", nil,
			`connector "e": secrets.token: environment variable NOPE is not set`},
		{"missing file", "e: {name: E, actionTypeId: .echo, secrets: {token: '${file:/nonexistent/x}'}}", nil,
			`connector "e": secrets.token: reading /nonexistent/x`},
		{"missing type", "e: {name: E}", nil, `connector "e": name and actionTypeId are required`},
		{"bad yaml", "e: [", nil, "parsing preconfigured connectors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := connector.LoadPreconfigured(writeFile(t, t.TempDir(), "pre.yaml", tc.yaml), env)
			if tc.msg != "" {
				require.ErrorContains(t, err, tc.msg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := connector.LoadPreconfigured(filepath.Join(dir, "none.yaml"), env)
	require.ErrorContains(t, err, "reading preconfigured connectors")
}

func TestPreconfiguredFileIntoService(t *testing.T) {
	path := writeFile(t, t.TempDir(), "pre.yaml", `
my-echo: {name: Echo, actionTypeId: .echo, config: {url: "https://e.test", retries: 2}, secrets: {token: "${env:T}"}}
`)
	pre, err := connector.LoadPreconfigured(path, envOf(map[string]string{"T": "env-token-456"}))
	require.NoError(t, err)
	s := newService(t, stores(t)[0].st, newRing(t, newKey(t)), pre...)
	c, err := s.Resolve(t.Context(), "Echo", "echo")
	require.NoError(t, err)
	require.Equal(t, "env-token-456", c.Secrets["token"])
	require.Equal(t, float64(2), c.Config["retries"], "normalized to JSON shapes")
}

// envOf returns an env function over m.
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
