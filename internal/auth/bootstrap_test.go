package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// envOf returns an env lookup holding only ERRAND_BOOTSTRAP_API_KEY=v ("" for unset).
func envOf(v string) func(string) string {
	return func(name string) string {
		if name == BootstrapEnv {
			return v
		}
		return ""
	}
}

func TestEnsureBootstrap(t *testing.T) {
	envSecret := strings.Repeat("s3cr3t", 6)
	tests := []struct {
		name      string
		env       string
		existing  bool // a key exists before
		created   bool
		wantToken bool
		authAs    string // credential that must authenticate as admin afterwards
		errMsg    string
	}{
		{name: "random", created: true, wantToken: true},
		{name: "from env", env: "ops-admin:" + envSecret, created: true, authAs: "ops-admin:" + envSecret},
		{name: "from env, token form", env: EncodeToken("ops-admin", envSecret), created: true, authAs: "ops-admin:" + envSecret},
		{name: "keys exist", env: "ops-admin:" + envSecret, existing: true},
		{name: "env without colon", env: "ops-admin" + envSecret, errMsg: "expected id:secret"},
		{name: "env short secret", env: "ops-admin:short", errMsg: "at least 32 characters"},
		{name: "env empty secret", env: "ops-admin:", errMsg: "empty secret"},
		{name: "env bad id", env: "ops admin!:" + envSecret, errMsg: "key id has characters"},
	}
	for _, tc := range tests {
		for _, s := range stores(t) {
			t.Run(tc.name+"/"+s.name, func(t *testing.T) {
				ctx := t.Context()
				keys := NewKeys(s.st, KeysOptions{})
				if tc.existing {
					_, _, err := keys.Create(ctx, "first", store.RoleViewer, nil, "test")
					require.NoError(t, err)
				}
				token, created, err := keys.EnsureBootstrap(ctx, envOf(tc.env))
				if tc.errMsg != "" {
					require.ErrorContains(t, err, tc.errMsg)
					require.NotContains(t, err.Error(), envSecret, "the secret is never echoed")
					list, lerr := keys.List(ctx)
					require.NoError(t, lerr)
					require.Empty(t, list)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tc.created, created)
				require.Equal(t, tc.wantToken, token != "")
				cred := tc.authAs
				if tc.wantToken {
					cred = token
				}
				if cred != "" {
					p, err := keys.Authenticate(request("192.0.2.1", "Bearer "+cred))
					require.NoError(t, err)
					require.Equal(t, store.RoleAdmin, p.Role)
				}
				again, created, err := keys.EnsureBootstrap(ctx, envOf(tc.env))
				require.NoError(t, err)
				require.False(t, created, "a second start creates nothing")
				require.Empty(t, again)
			})
		}
	}
}
