package sqlite

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

// migrationCount returns how many migrations the driver embeds, so that tests counting
// applied migrations keep passing when one is added.
func migrationCount(t testing.TB) int {
	t.Helper()
	entries, err := fs.ReadDir(migrations, "migrations")
	require.NoError(t, err)
	return len(entries)
}
