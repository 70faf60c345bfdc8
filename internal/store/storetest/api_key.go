package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var apiKeyCases = []testCase{
	{"CreateGetRoundTrip", testAPIKeyRoundTrip},
	{"CreateSetsZeroTime", func(t *testing.T, s store.Store) {
		before := time.Now().Add(-time.Second)
		k := &store.APIKey{ID: "k-1", Role: store.RoleViewer, Hash: []byte{1}}
		require.NoError(t, s.APIKeyCreate(t.Context(), k))
		require.True(t, k.CreatedAt.After(before))
		got, err := s.APIKeyGet(t.Context(), "k-1")
		require.NoError(t, err)
		require.Equal(t, k.CreatedAt, got.CreatedAt)
	}},
	{"CreateDuplicateConflicts", func(t *testing.T, s store.Store) {
		require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-1", "first")))
		err := s.APIKeyCreate(t.Context(), newAPIKey("k-1", "second"))
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.APIKeyGet(t.Context(), "k-1")
		require.NoError(t, err)
		require.Equal(t, "first", got.Name)
	}},
	{"Missing", testAPIKeyMissing},
	{"TimesAreUTCMicroseconds", func(t *testing.T, s store.Store) {
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		k := newAPIKey("k-1", "zoned")
		k.CreatedAt = at(0).Add(999 * time.Nanosecond).In(zone)
		k.ExpiresAt = ptr(at(time.Hour).In(zone))
		require.NoError(t, s.APIKeyCreate(t.Context(), k))
		got, err := s.APIKeyGet(t.Context(), "k-1")
		require.NoError(t, err)
		require.Equal(t, at(0), got.CreatedAt)
		require.Equal(t, ptr(at(time.Hour)), got.ExpiresAt)
	}},
	{"List", testAPIKeyList},
	{"RevokeIsIdempotent", testAPIKeyRevoke},
	{"TouchKeepsTheLatest", testAPIKeyTouch},
}

// newAPIKey returns an API key with every field but the optional times set.
func newAPIKey(id, name string) *store.APIKey {
	return &store.APIKey{
		ID: id, Name: name, Role: store.RoleEditor,
		Hash:      []byte{0x00, 0xff, 0x10, 0x7f, 0x80, 0x00, 'h', 'a', 's', 'h'},
		CreatedAt: at(0), CreatedBy: "bootstrap",
	}
}

func testAPIKeyRoundTrip(t *testing.T, s store.Store) {
	full := newAPIKey("k-full", "ci deploys")
	full.Role = store.RoleAdmin
	full.ExpiresAt, full.RevokedAt, full.LastUsedAt = ptr(at(24*time.Hour)), ptr(at(time.Hour)), ptr(at(time.Minute))
	for _, k := range []*store.APIKey{
		full,
		newAPIKey("k-bare", ""),
		{ID: "k-nohash", Role: store.RoleViewer, CreatedAt: at(time.Second)},
	} {
		require.NoError(t, s.APIKeyCreate(t.Context(), k))
		got, err := s.APIKeyGet(t.Context(), k.ID)
		require.NoError(t, err)
		require.Equal(t, k, got)
	}
}

func testAPIKeyMissing(t *testing.T, s store.Store) {
	require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-1", "a")))
	tests := []struct {
		name string
		call func() error
	}{
		{"get", func() error { _, err := s.APIKeyGet(t.Context(), "nope"); return err }},
		{"revoke", func() error { return s.APIKeyRevoke(t.Context(), "nope", at(0)) }},
		{"touch", func() error { return s.APIKeyTouch(t.Context(), "nope", at(0)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), store.ErrNotFound)
		})
	}
	got, err := s.APIKeyGet(t.Context(), "k-1")
	require.NoError(t, err)
	require.Equal(t, newAPIKey("k-1", "a"), got)
}

func testAPIKeyList(t *testing.T, s store.Store) {
	list, err := s.APIKeyList(t.Context())
	require.NoError(t, err)
	require.Empty(t, list)
	created := []struct {
		id string
		at time.Duration
	}{{"k-c", 2 * time.Second}, {"k-b", 0}, {"k-a", time.Second}, {"k-d", 0}}
	for _, c := range created {
		k := newAPIKey(c.id, "key "+c.id)
		k.CreatedAt = at(c.at)
		require.NoError(t, s.APIKeyCreate(t.Context(), k))
	}
	require.NoError(t, s.APIKeyRevoke(t.Context(), "k-a", at(time.Hour)))
	list, err = s.APIKeyList(t.Context())
	require.NoError(t, err)
	ids := make([]string, 0, len(list))
	for _, k := range list {
		ids = append(ids, k.ID)
	}
	require.Equal(t, []string{"k-b", "k-d", "k-a", "k-c"}, ids, "by CreatedAt, then ID; revoked keys listed")
	require.Equal(t, ptr(at(time.Hour)), list[2].RevokedAt)
}

func testAPIKeyRevoke(t *testing.T, s store.Store) {
	require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-1", "a")))
	require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-2", "b")))
	tests := []struct {
		name string
		at   time.Time
	}{
		{"first", at(time.Hour)},
		{"again later", at(2 * time.Hour)},
		{"again earlier", at(time.Minute)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, s.APIKeyRevoke(t.Context(), "k-1", tc.at))
			got, err := s.APIKeyGet(t.Context(), "k-1")
			require.NoError(t, err)
			require.Equal(t, ptr(at(time.Hour)), got.RevokedAt, "the first revocation stands")
		})
	}
	other, err := s.APIKeyGet(t.Context(), "k-2")
	require.NoError(t, err)
	require.Nil(t, other.RevokedAt)
}

func testAPIKeyTouch(t *testing.T, s store.Store) {
	require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-1", "a")))
	require.NoError(t, s.APIKeyCreate(t.Context(), newAPIKey("k-2", "b")))
	tests := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"first use", at(time.Minute), at(time.Minute)},
		{"later use", at(time.Hour), at(time.Hour)},
		{"late report of an earlier use", at(30 * time.Minute), at(time.Hour)},
		{"same time", at(time.Hour), at(time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, s.APIKeyTouch(t.Context(), "k-1", tc.at))
			got, err := s.APIKeyGet(t.Context(), "k-1")
			require.NoError(t, err)
			require.Equal(t, ptr(tc.want), got.LastUsedAt)
			want := newAPIKey("k-1", "a")
			want.LastUsedAt = ptr(tc.want)
			require.Equal(t, want, got, "touch changes nothing else")
		})
	}
	other, err := s.APIKeyGet(t.Context(), "k-2")
	require.NoError(t, err)
	require.Nil(t, other.LastUsedAt)
}
