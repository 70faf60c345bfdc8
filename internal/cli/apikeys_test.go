package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

// apikeys runs `errand --data-dir dir apikeys args...`.
func apikeys(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	return runCLI(t, append([]string{"--data-dir", dir, "apikeys"}, args...)...)
}

// listedKey is one key of `apikeys list -o json`.
type listedKey struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	RevokedAt *string `json:"revokedAt"`
	ExpiresAt *string `json:"expiresAt"`
}

func TestAPIKeysCommands(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := apikeys(t, dir, "create", "--name", "deploy bot", "--role", "editor", "--expires", "720h")
	require.Equal(t, 0, code, stderr)
	token := strings.TrimSpace(stdout)
	require.NotContains(t, token, "\n", "stdout holds the token alone")
	require.Contains(t, stderr, "will not be shown again")
	require.NotContains(t, stderr, token)

	code, stdout, stderr = apikeys(t, dir, "list", "-o", "json")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout, "hash")
	var listed []listedKey
	require.NoError(t, json.Unmarshal([]byte(stdout), &listed))
	require.Len(t, listed, 1)
	require.Equal(t, "deploy bot", listed[0].Name)
	require.Equal(t, "editor", listed[0].Role)
	require.NotNil(t, listed[0].ExpiresAt)
	require.Nil(t, listed[0].RevokedAt)
	id := listed[0].ID

	require.Equal(t, "editor", authenticate(t, dir, token), "the printed token authenticates")

	code, stdout, stderr = apikeys(t, dir, "list")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "LAST USED")
	require.Contains(t, stdout, id)

	code, stdout, stderr = apikeys(t, dir, "revoke", id)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "revoked API key "+id)
	code, stdout, _ = apikeys(t, dir, "list", "-o", "json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(stdout), &listed))
	require.NotNil(t, listed[0].RevokedAt)
}

func TestAPIKeysCommandErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		errMsg string
	}{
		{"unknown role", []string{"create", "--name", "x", "--role", "owner"}, `role "owner" is not one of viewer, editor, admin`},
		{"no role", []string{"create", "--name", "x"}, `required flag(s) "role" not set`},
		{"negative expiry", []string{"create", "--name", "x", "--role", "viewer", "--expires", "-1h"}, "must be positive"},
		{"revoke unknown", []string{"revoke", "NoSuchKey"}, "not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := apikeys(t, t.TempDir(), tc.args...)
			require.Equal(t, 1, code)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tc.errMsg)
		})
	}
}

// authenticate checks token against the store in dir and returns the caller's role.
func authenticate(t *testing.T, dir, token string) string {
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "errand.db"))
	require.NoError(t, err)
	defer st.Close()
	r := httptest.NewRequest(http.MethodGet, "/api/workflows", nil)
	r.Header.Set("Authorization", "ApiKey "+token)
	p, err := auth.NewKeys(st, auth.KeysOptions{}).Authenticate(r)
	require.NoError(t, err)
	return p.Role
}
