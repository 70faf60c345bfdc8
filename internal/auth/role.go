package auth

import (
	"fmt"

	"github.com/errand-dev/errand/internal/store"
)

// roleRank orders the roles: each allows what the ones below it allow.
var roleRank = map[string]int{store.RoleViewer: 1, store.RoleEditor: 2, store.RoleAdmin: 3}

// ValidRole reports whether role is viewer, editor or admin.
func ValidRole(role string) bool {
	_, ok := roleRank[role]
	return ok
}

// Authorize checks that p's role is need or above (viewer < editor < admin). A nil principal
// is ErrUnauthenticated; too low a role is ErrForbidden with a message naming the role needed.
func Authorize(p *Principal, need string) error {
	if p == nil {
		return fmt.Errorf("%w: no credentials", ErrUnauthenticated)
	}
	want, ok := roleRank[need]
	if !ok {
		return fmt.Errorf("authorizing: unknown role %q required", need) // a programming error
	}
	if roleRank[p.Role] < want {
		return fmt.Errorf("%w: this call needs role %s or above; API key %s has role %s", ErrForbidden, need, p.KeyID, p.Role)
	}
	return nil
}
