package connector_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

func TestResolve(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			keys := newRing(t, newKey(t))
			first := newService(t, ts.st, keys)
			stored, err := first.Create(t.Context(), echoParams("security-alerts-channel", "https://a.test"))
			require.NoError(t, err)
			_, err = first.Create(t.Context(), connector.CreateParams{ID: "shared-id-name", Name: "dup", TypeID: ".other"})
			require.NoError(t, err)
			// A preconfigured connector added later may share a stored connector's name.
			s := newService(t, ts.st, keys,
				&connector.Connector{ID: "pre-dup", Name: "dup", TypeID: ".other"},
				&connector.Connector{ID: "pre-echo", Name: "Pre echo", TypeID: ".echo",
					Config: map[string]any{"url": "https://p.test"}, Secrets: map[string]any{"token": "pre-secret-1"}})
			tests := []struct {
				name     string
				ref      string
				stepType string
				wantID   string
				kind     error
				msg      string
			}{
				{"stored by id", stored.ID, "echo", stored.ID, nil, ""},
				{"stored by name", "security-alerts-channel", "echo", stored.ID, nil, ""},
				{"preconfigured by id", "pre-echo", "echo", "pre-echo", nil, ""},
				{"preconfigured by name", "Pre echo", "echo", "pre-echo", nil, ""},
				{"id wins over a name", "shared-id-name", "", "shared-id-name", nil, ""},
				{"sub-action step", "dup", "", "", connector.ErrAmbiguousConnector,
					`connector name "dup" is ambiguous: connectors pre-dup, shared-id-name share it; use an id instead`},
				{"not found", "nope", "echo", "", connector.ErrConnectorNotFound,
					"connector \"nope\" not found; create it with `errand connectors create` or check the name"},
				{"wrong type", "security-alerts-channel", "other.ping", "", connector.ErrWrongConnectorType,
					`connector "security-alerts-channel" is a .echo connector; step type other.ping needs a .other connector`},
				{"wrong type by prefix", "shared-id-name", "echo.unknown", "", connector.ErrWrongConnectorType,
					`connector "shared-id-name" is a .other connector; step type echo.unknown needs a .echo connector`},
				{"step type nobody serves", stored.ID, "slack", "", connector.ErrWrongConnectorType,
					`connector "` + stored.ID + `" is a .echo connector; no connector type serves step type slack`},
				{"right type by prefix", "shared-id-name", "other", "shared-id-name", nil, ""},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					c, err := s.Resolve(t.Context(), tc.ref, tc.stepType)
					if tc.kind != nil {
						require.ErrorIs(t, err, tc.kind)
						require.EqualError(t, err, tc.msg)
						return
					}
					require.NoError(t, err)
					require.Equal(t, tc.wantID, c.ID)
				})
			}
			c, err := s.Resolve(t.Context(), "security-alerts-channel", "echo")
			require.NoError(t, err)
			require.Equal(t, testToken, c.Secrets["token"])
			c, err = s.Resolve(t.Context(), "pre-echo", "echo")
			require.NoError(t, err)
			require.Equal(t, "pre-secret-1", c.Secrets["token"])
			require.True(t, c.IsPreconfigured)
		})
	}
}
