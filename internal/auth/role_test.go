package auth

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// fmtWrap wraps err the way callers do.
func fmtWrap(err error) error { return fmt.Errorf("authenticating request: %w", err) }

func TestAuthorize(t *testing.T) {
	tests := []struct {
		role, need string
		allowed    bool
	}{
		{store.RoleViewer, store.RoleViewer, true},
		{store.RoleViewer, store.RoleEditor, false},
		{store.RoleViewer, store.RoleAdmin, false},
		{store.RoleEditor, store.RoleViewer, true},
		{store.RoleEditor, store.RoleEditor, true},
		{store.RoleEditor, store.RoleAdmin, false},
		{store.RoleAdmin, store.RoleViewer, true},
		{store.RoleAdmin, store.RoleEditor, true},
		{store.RoleAdmin, store.RoleAdmin, true},
		{"owner", store.RoleViewer, false},
	}
	for _, tc := range tests {
		t.Run(tc.role+" needs "+tc.need, func(t *testing.T) {
			err := Authorize(&Principal{KeyID: "k1", Name: "ci", Role: tc.role}, tc.need)
			if tc.allowed {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrForbidden)
			require.ErrorContains(t, err, "needs role "+tc.need)
		})
	}
	require.ErrorIs(t, Authorize(nil, store.RoleViewer), ErrUnauthenticated)
	err := Authorize(&Principal{Role: store.RoleAdmin}, "root")
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrForbidden)
}
