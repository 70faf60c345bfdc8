package secret

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomKey returns a fresh random key.
func randomKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

func TestKeyRingRoundTrip(t *testing.T) {
	ring, err := NewKeyRing(randomKey(t))
	require.NoError(t, err)
	for _, pt := range [][]byte{nil, []byte(""), []byte(`{"token":"xoxb-1"}`), bytes.Repeat([]byte{0}, 1<<16)} {
		ct, err := ring.Encrypt(pt, []byte("aad"))
		require.NoError(t, err)
		require.Equal(t, formatV1, ct[0])
		require.False(t, ring.NeedsRotation(ct))
		got, err := ring.Decrypt(ct, []byte("aad"))
		require.NoError(t, err)
		require.Equal(t, string(pt), string(got))
	}
}

func TestKeyRingNoncesDiffer(t *testing.T) {
	ring, err := NewKeyRing(randomKey(t))
	require.NoError(t, err)
	a, err := ring.Encrypt([]byte("same"), nil)
	require.NoError(t, err)
	b, err := ring.Encrypt([]byte("same"), nil)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
}

func TestKeyRingDecryptFailures(t *testing.T) {
	ring, err := NewKeyRing(randomKey(t))
	require.NoError(t, err)
	other, err := NewKeyRing(randomKey(t))
	require.NoError(t, err)
	ct, err := ring.Encrypt([]byte("secret value"), []byte("id|type|config"))
	require.NoError(t, err)
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		ring *KeyRing
		ct   []byte
		aad  string
		want error
	}{
		{"wrong aad", ring, ct, "id|type|other config", ErrDecrypt},
		{"missing aad", ring, ct, "", ErrDecrypt},
		{"tampered body", ring, flip(len(ct) - 1), "id|type|config", ErrDecrypt},
		{"tampered nonce", ring, flip(headerSize), "id|type|config", ErrDecrypt},
		{"unknown key", other, ct, "id|type|config", ErrUnknownKey},
		{"tampered key id", ring, flip(1), "id|type|config", ErrUnknownKey},
		{"unknown version", ring, flip(0), "id|type|config", ErrMalformed},
		{"truncated header", ring, ct[:5], "id|type|config", ErrMalformed},
		{"truncated body", ring, ct[:headerSize+nonceSize+3], "id|type|config", ErrMalformed},
		{"empty", ring, nil, "", ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ring.Decrypt(tc.ct, []byte(tc.aad))
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, got)
		})
	}
}

func TestKeyRingRotation(t *testing.T) {
	oldKey, newKey := randomKey(t), randomKey(t)
	oldRing, err := NewKeyRing(oldKey)
	require.NoError(t, err)
	ct, err := oldRing.Encrypt([]byte("s3cret"), []byte("a"))
	require.NoError(t, err)

	ring, err := NewKeyRing(newKey, oldKey)
	require.NoError(t, err)
	require.True(t, ring.NeedsRotation(ct))
	pt, err := ring.Decrypt(ct, []byte("a"))
	require.NoError(t, err)
	require.Equal(t, "s3cret", string(pt))
	re, err := ring.Encrypt(pt, []byte("a"))
	require.NoError(t, err)
	require.False(t, ring.NeedsRotation(re))
	require.True(t, oldRing.NeedsRotation(re))
	_, err = oldRing.Decrypt(re, []byte("a"))
	require.ErrorIs(t, err, ErrUnknownKey)
	require.True(t, ring.NeedsRotation([]byte{9}))
}

func TestNewKeyRingRejectsBadKeys(t *testing.T) {
	_, err := NewKeyRing(make([]byte, 16))
	require.ErrorIs(t, err, ErrBadKey)
	_, err = NewKeyRing(randomKey(t), []byte("short"))
	require.ErrorIs(t, err, ErrBadKey)
}
