package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// rawCredential decodes a token back to "id:secret".
func rawCredential(t *testing.T, token string) string {
	b, err := base64.StdEncoding.DecodeString(token)
	require.NoError(t, err)
	return string(b)
}

func TestAuthenticateHeaders(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			keys := NewKeys(s.st, KeysOptions{Now: clk.Now})
			token, key, err := keys.Create(ctx, "ci", store.RoleEditor, nil, "test")
			require.NoError(t, err)
			raw := rawCredential(t, token)
			id, _, _ := strings.Cut(raw, ":")
			revokedTok, revoked, err := keys.Create(ctx, "old", store.RoleAdmin, nil, "test")
			require.NoError(t, err)
			require.NoError(t, keys.Revoke(ctx, revoked.ID))
			soon := clk.Now().Add(time.Hour)
			expiredTok, _, err := keys.Create(ctx, "temp", store.RoleViewer, &soon, "test")
			require.NoError(t, err)
			clk.Add(2 * time.Hour)
			wrongSecret := EncodeToken(id, strings.Repeat("x", 43))
			unknownID := EncodeToken("NoSuchKey0000000000", strings.Repeat("x", 43))

			tests := []struct {
				name   string
				header string
				errMsg string // "" means success
			}{
				{"ApiKey base64", "ApiKey " + token, ""},
				{"Bearer base64", "Bearer " + token, ""},
				{"Bearer raw", "Bearer " + raw, ""},
				{"ApiKey raw", "ApiKey " + raw, ""},
				{"scheme case-insensitive", "apikey " + token, ""},
				{"missing", "", "missing Authorization header"},
				{"Basic scheme", "Basic " + token, `expected "Authorization: ApiKey <base64(id:secret)>"`},
				{"no credential", "ApiKey", "malformed Authorization header"},
				{"not base64", "ApiKey %%%%", "decoding base64"},
				{"base64 without colon", "ApiKey " + base64.StdEncoding.EncodeToString([]byte("idonly")), "no ':' between id and secret"},
				{"empty secret", "Bearer " + id + ":", "empty secret"},
				{"wrong secret", "ApiKey " + wrongSecret, "invalid API key"},
				{"unknown id", "ApiKey " + unknownID, "invalid API key"},
				{"revoked", "ApiKey " + revokedTok, "was revoked"},
				{"expired", "ApiKey " + expiredTok, "expired at"},
			}
			for i, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					p, err := keys.Authenticate(request(fmt.Sprintf("192.0.2.%d", i), tc.header))
					if tc.errMsg == "" {
						require.NoError(t, err)
						require.Equal(t, &Principal{KeyID: key.ID, Name: "ci", Role: store.RoleEditor}, p)
						return
					}
					require.ErrorIs(t, err, ErrUnauthenticated)
					require.NotErrorIs(t, err, ErrRateLimited)
					require.ErrorContains(t, err, tc.errMsg)
					require.Nil(t, p)
				})
			}
		})
	}
}

func TestCreateStoresOnlyAHash(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			keys := NewKeys(s.st, KeysOptions{})
			token, key, err := keys.Create(t.Context(), "ci", store.RoleViewer, nil, "alice")
			require.NoError(t, err)
			id, secret, ok := strings.Cut(rawCredential(t, token), ":")
			require.True(t, ok)
			require.Equal(t, key.ID, id)
			require.Len(t, id, idLength)
			require.Len(t, secret, 43) // 32 bytes in unpadded base64url
			list, err := keys.List(t.Context())
			require.NoError(t, err)
			require.Len(t, list, 1)
			require.Equal(t, hashSecret(secret), list[0].Hash)
			require.NotContains(t, string(list[0].Hash), secret)
			require.Equal(t, "alice", list[0].CreatedBy)
		})
	}
}

func TestCreateValidates(t *testing.T) {
	clk := newClock()
	past := clk.Now().Add(-time.Minute)
	tests := []struct {
		name, keyName, role string
		expires             *time.Time
		errMsg              string
	}{
		{"no name", " ", store.RoleViewer, nil, "a name is required"},
		{"unknown role", "ci", "owner", nil, `role "owner" is not one of viewer, editor, admin`},
		{"expiry in the past", "ci", store.RoleAdmin, &past, "is not in the future"},
	}
	keys := NewKeys(stores(t)[0].st, KeysOptions{Now: clk.Now})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := keys.Create(t.Context(), tc.keyName, tc.role, tc.expires, "test")
			require.ErrorContains(t, err, tc.errMsg)
		})
	}
	list, err := keys.List(t.Context())
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestRevoke(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			nodeA := NewKeys(s.st, KeysOptions{Now: clk.Now})
			nodeB := NewKeys(s.st, KeysOptions{Now: clk.Now}) // another process on the same store
			token, key, err := nodeA.Create(ctx, "ci", store.RoleAdmin, nil, "test")
			require.NoError(t, err)
			for _, k := range []*Keys{nodeA, nodeB} {
				_, err := k.Authenticate(request("192.0.2.1", "ApiKey "+token))
				require.NoError(t, err)
			}
			require.NoError(t, nodeA.Revoke(ctx, key.ID))
			require.NoError(t, nodeA.Revoke(ctx, key.ID), "revoking twice is fine")

			_, err = nodeA.Authenticate(request("192.0.2.1", "ApiKey "+token))
			require.ErrorContains(t, err, "was revoked", "the revoking process refuses the key at once")
			_, err = nodeB.Authenticate(request("192.0.2.1", "ApiKey "+token))
			require.NoError(t, err, "another process serves its cache until CacheTTL")
			clk.Add(10 * time.Second)
			_, err = nodeB.Authenticate(request("192.0.2.1", "ApiKey "+token))
			require.ErrorContains(t, err, "was revoked")

			err = nodeA.Revoke(ctx, "NoSuchKey")
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

func TestLastUsedAtIsThrottled(t *testing.T) {
	for _, s := range stores(t) {
		t.Run(s.name, func(t *testing.T) {
			ctx := t.Context()
			clk := newClock()
			keys := NewKeys(s.st, KeysOptions{Now: clk.Now})
			token, key, err := keys.Create(ctx, "ci", store.RoleViewer, nil, "test")
			require.NoError(t, err)
			lastUsed := func() *time.Time {
				k, err := s.st.APIKeyGet(ctx, key.ID)
				require.NoError(t, err)
				return k.LastUsedAt
			}
			require.Nil(t, lastUsed())
			first := clk.Now()
			steps := []struct {
				advance time.Duration
				want    time.Time
			}{
				{0, first},
				{30 * time.Second, first},
				{29 * time.Second, first},
				{time.Second, first.Add(time.Minute)},
			}
			for _, step := range steps {
				clk.Add(step.advance)
				_, err := keys.Authenticate(request("192.0.2.1", "ApiKey "+token))
				require.NoError(t, err)
				require.NotNil(t, lastUsed())
				require.True(t, step.want.Equal(*lastUsed()), "want %s, got %s", step.want, lastUsed())
			}
		})
	}
}
