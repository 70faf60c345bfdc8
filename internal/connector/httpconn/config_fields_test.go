package httpconn

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAssignFieldsMatchesDecode checks that parseConfig's direct reading of config and
// secrets gives what the JSON decoding gives, and falls back to it for other shapes.
func TestAssignFieldsMatchesDecode(t *testing.T) {
	tests := []struct {
		name            string
		config, secrets map[string]any
		fast            bool
	}{
		{"bearer", map[string]any{"url": "https://a.test", "authType": "bearer", "hasAuth": true,
			"headers": map[string]any{"X-A": "1"}}, map[string]any{"token": "t0k3n-value",
			"secretHeaders": map[string]any{"X-S": "s3cret"}}, true},
		{"nulls", map[string]any{"url": "https://a.test", "authType": nil, "headers": nil},
			map[string]any{"user": "u", "password": "p"}, true},
		{"unknown key", map[string]any{"url": "https://a.test", "ca": "PEM"}, nil, false},
		{"wrong shape", map[string]any{"url": "https://a.test", "headers": map[string]any{"X-N": 1.0}}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fastC, slowC config
			var fastS, slowS secrets
			okC := assignFields(tc.config, fastC.fields())
			okS := assignFields(tc.secrets, fastS.fields())
			require.Equal(t, tc.fast, okC && okS)
			errC := decode(tc.config, &slowC)
			errS := decode(tc.secrets, &slowS)
			if tc.fast {
				require.NoError(t, errC)
				require.NoError(t, errS)
				require.Equal(t, slowC, fastC)
				require.Equal(t, slowS, fastS)
			}
		})
	}
}
