package connector_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

// TestResolveSeesChangesFromAnotherProcess resolves a connector, changes it through another
// Service on the same store (as another process would), and checks that the next
// resolution of the same reference sees the change: new secrets, a rename, a deletion.
func TestResolveSeesChangesFromAnotherProcess(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			keys := newRing(t, newKey(t))
			runner, other := newService(t, ts.st, keys), newService(t, ts.st, keys)
			c, err := other.Create(t.Context(), echoParams("cached-echo", "https://a.test"))
			require.NoError(t, err)
			tests := []struct {
				name      string
				change    func() error
				ref       string
				wantToken string
				wantErr   error
			}{
				{"first resolution by name", func() error { return nil }, "cached-echo", testToken, nil},
				{"first resolution by id", func() error { return nil }, c.ID, testToken, nil},
				{"new secret, by name", func() error {
					_, err := other.Update(t.Context(), c.ID, connector.UpdateParams{Secrets: map[string]any{"token": "tok-rotated-2"}})
					return err
				}, "cached-echo", "tok-rotated-2", nil},
				{"new secret, by id", func() error { return nil }, c.ID, "tok-rotated-2", nil},
				{"renamed: the old name is gone", func() error {
					name := "renamed-echo"
					_, err := other.Update(t.Context(), c.ID, connector.UpdateParams{Name: &name})
					return err
				}, "cached-echo", "", connector.ErrConnectorNotFound},
				{"renamed: the new name resolves", func() error { return nil }, "renamed-echo", "tok-rotated-2", nil},
				{"deleted", func() error { return other.Delete(t.Context(), c.ID) }, c.ID, "", connector.ErrConnectorNotFound},
			}
			for _, tc := range tests {
				require.NoError(t, tc.change(), tc.name)
				got, err := runner.Resolve(t.Context(), tc.ref, "echo")
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr, tc.name)
					continue
				}
				require.NoError(t, err, tc.name)
				require.Equal(t, tc.wantToken, got.Secrets["token"], tc.name)
				got.Secrets["token"] = "changed by the caller"
				again, err := runner.Resolve(t.Context(), tc.ref, "echo")
				require.NoError(t, err, tc.name)
				require.Equal(t, tc.wantToken, again.Secrets["token"], "%s: a caller's change reached the cache", tc.name)
			}
		})
	}
}
