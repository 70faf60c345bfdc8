package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/client"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	for _, tc := range []struct {
		name    string
		path    string
		want    client.Config
		wantErr bool
	}{
		{"full", write("full.yaml", "server: http://errand:8080\napi_key: abc\n"), client.Config{Server: "http://errand:8080", APIKey: "abc"}, false},
		{"missing file", filepath.Join(dir, "none.yaml"), client.Config{}, false},
		{"no path", "", client.Config{}, false},
		{"not yaml", write("bad.yaml", "server: [\n"), client.Config{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := client.LoadConfig(tc.path)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)
		})
	}
}

func TestDefaultConfigPath(t *testing.T) {
	t.Setenv("ERRAND_CLIENT_CONFIG", "/etc/errand.yaml")
	require.Equal(t, "/etc/errand.yaml", client.DefaultConfigPath())
	t.Setenv("ERRAND_CLIENT_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	require.Equal(t, "/cfg/errand/config.yaml", client.DefaultConfigPath())
}
