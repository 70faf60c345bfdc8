package secret

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// envOf returns an Env function over m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseKey(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	passphrase := strings.Repeat("correct horse battery staple ", 2)
	derived, err := ParseKey(passphrase)
	require.NoError(t, err)
	tests := []struct {
		name  string
		value string
		want  []byte
		err   error
	}{
		{"std base64", base64.StdEncoding.EncodeToString(raw), raw, nil},
		{"url base64 raw", base64.RawURLEncoding.EncodeToString(raw), raw, nil},
		{"with newline", base64.StdEncoding.EncodeToString(raw) + "\n", raw, nil},
		{"passphrase", passphrase, derived, nil},
		{"base64 of 16 bytes is a short passphrase", base64.StdEncoding.EncodeToString(raw[:16]), nil, ErrBadKey},
		{"short passphrase", "hunter2", nil, ErrBadKey},
		{"empty", "", nil, ErrBadKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.value)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	require.Len(t, derived, KeySize)
	require.NotEqual(t, []byte(passphrase)[:KeySize], derived)
}

func TestLoadKeyRingCreatesDefaultKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ring, info, err := LoadKeyRing(KeyRingOptions{DataDir: dir, Env: envOf(nil)})
	require.NoError(t, err)
	path := filepath.Join(dir, DefaultKeyFile)
	require.Equal(t, path, info.Created)
	require.Equal(t, path, info.Source)
	require.Empty(t, info.Warnings)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.Len(t, key, KeySize)

	ct, err := ring.Encrypt([]byte("x"), nil)
	require.NoError(t, err)
	again, info, err := LoadKeyRing(KeyRingOptions{DataDir: dir, Env: envOf(nil)})
	require.NoError(t, err)
	require.Empty(t, info.Created, "the second start reuses the file")
	pt, err := again.Decrypt(ct, nil)
	require.NoError(t, err)
	require.Equal(t, "x", string(pt))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")
}

func TestLoadKeyRingSources(t *testing.T) {
	dir := t.TempDir()
	keyA, keyB := randomKey(t), randomKey(t)
	b64 := base64.StdEncoding.EncodeToString
	fileA := filepath.Join(dir, "a.key")
	require.NoError(t, os.WriteFile(fileA, []byte(b64(keyA)+"\n"), 0o600))
	openFile := filepath.Join(dir, "open.key")
	require.NoError(t, os.WriteFile(openFile, []byte(b64(keyA)), 0o644))
	require.NoError(t, os.Chmod(openFile, 0o644))
	ringA, err := NewKeyRing(keyA)
	require.NoError(t, err)
	ringB, err := NewKeyRing(keyB)
	require.NoError(t, err)

	tests := []struct {
		name       string
		env        map[string]string
		wantSource string
		wantID     string
		warnings   int
		errText    string
	}{
		{"env key", map[string]string{EnvKey: b64(keyA)}, EnvKey, ringA.PrimaryKeyID(), 0, ""},
		{"key file", map[string]string{EnvKeyFile: fileA}, fileA, ringA.PrimaryKeyID(), 0, ""},
		{"open key file warns", map[string]string{EnvKeyFile: openFile}, openFile, ringA.PrimaryKeyID(), 1, ""},
		{"both", map[string]string{EnvKey: b64(keyA), EnvKeyFile: fileA}, "", "", 0, "not both"},
		{"bad env key", map[string]string{EnvKey: "short"}, "", "", 0, "parsing ERRAND_ENCRYPTION_KEY"},
		{"missing file", map[string]string{EnvKeyFile: filepath.Join(dir, "none")}, "", "", 0, "reading key file"},
		{"bad old key", map[string]string{EnvKey: b64(keyB), EnvOldKeys: "x"}, "", "", 0, "key 1 of ERRAND_DECRYPTION_ONLY_KEYS"},
		{"with old keys", map[string]string{EnvKey: b64(keyB), EnvOldKeys: " , " + b64(keyA)}, EnvKey, ringB.PrimaryKeyID(), 0, ""},
		{"with old key file", map[string]string{EnvKey: b64(keyB), EnvOldKeyFiles: fileA}, EnvKey, ringB.PrimaryKeyID(), 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ring, info, err := LoadKeyRing(KeyRingOptions{Env: envOf(tc.env)})
			if tc.errText != "" {
				require.ErrorContains(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantSource, info.Source)
			require.Equal(t, tc.wantID, ring.PrimaryKeyID())
			require.Len(t, info.Warnings, tc.warnings)
			require.Empty(t, info.Created)
		})
	}
}

func TestLoadKeyRingOldKeysDecrypt(t *testing.T) {
	oldKey, newKey := randomKey(t), randomKey(t)
	old, err := NewKeyRing(oldKey)
	require.NoError(t, err)
	ct, err := old.Encrypt([]byte("v"), nil)
	require.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString
	ring, _, err := LoadKeyRing(KeyRingOptions{Env: envOf(map[string]string{EnvKey: b64(newKey), EnvOldKeys: b64(oldKey)})})
	require.NoError(t, err)
	pt, err := ring.Decrypt(ct, nil)
	require.NoError(t, err)
	require.Equal(t, "v", string(pt))
	require.True(t, ring.NeedsRotation(ct))
}

func TestLoadKeyRingWithoutAnything(t *testing.T) {
	_, _, err := LoadKeyRing(KeyRingOptions{Env: envOf(nil)})
	require.ErrorIs(t, err, ErrNoKey)
}
