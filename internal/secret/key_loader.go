package secret

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Environment variables LoadKeyRing reads.
const (
	// EnvKey holds the primary key: base64 of 32 random bytes (what `openssl rand -base64 32`
	// prints), or a passphrase of at least 32 characters.
	EnvKey = "ERRAND_ENCRYPTION_KEY"
	// EnvKeyFile names a file holding the primary key in the same formats.
	EnvKeyFile = "ERRAND_ENCRYPTION_KEY_FILE"
	// EnvOldKeys holds decrypt-only keys of earlier rotations, comma separated.
	EnvOldKeys = "ERRAND_DECRYPTION_ONLY_KEYS"
	// EnvOldKeyFiles names files holding decrypt-only keys, comma separated.
	EnvOldKeyFiles = "ERRAND_DECRYPTION_ONLY_KEY_FILES"
	// DefaultKeyFile is the key file created in the data directory when no key is configured.
	DefaultKeyFile = "encryption.key"
	// minPassphrase is the shortest passphrase accepted (Kibana asks for 32 characters too).
	minPassphrase = 32
)

// passphraseSalt separates Errand's passphrase-derived keys from any other use of the
// passphrase. Changing it would make every existing passphrase decrypt nothing.
const passphraseSalt = "errand encryption key v1"

// KeyRingOptions configures LoadKeyRing.
type KeyRingOptions struct {
	// DataDir is where the default key file is created when no key is configured.
	DataDir string
	// Env reads environment variables. Default os.Getenv.
	Env func(string) string
}

// KeyRingInfo tells the caller what LoadKeyRing did, for the startup log.
type KeyRingInfo struct {
	// Source says where the primary key came from: "ERRAND_ENCRYPTION_KEY", or a file path.
	Source string
	// Created is the path of the key file created on this start ("" when none was): the
	// caller should say "created encryption key at …; back it up".
	Created string
	// Warnings are problems that do not stop the start (a key file others can read).
	Warnings []string
}

// LoadKeyRing builds the key ring from the environment: the primary key from
// ERRAND_ENCRYPTION_KEY or the file named by ERRAND_ENCRYPTION_KEY_FILE, otherwise from
// <DataDir>/encryption.key, which is created (mode 0600, 32 random bytes in base64) when it
// does not exist; decrypt-only keys from ERRAND_DECRYPTION_ONLY_KEYS and
// ERRAND_DECRYPTION_ONLY_KEY_FILES.
//
// A key is base64 (standard or URL alphabet, padded or not) of exactly 32 bytes, used as it
// is; any other value of at least 32 characters is a passphrase, stretched to 32 bytes with
// HKDF-SHA-256 (salt "errand encryption key v1"). HKDF rather than a slow KDF: the minimum
// length already demands a high-entropy passphrase.
func LoadKeyRing(opts KeyRingOptions) (*KeyRing, KeyRingInfo, error) {
	if opts.Env == nil {
		opts.Env = os.Getenv
	}
	var info KeyRingInfo
	primary, err := loadPrimary(opts, &info)
	if err != nil {
		return nil, info, err
	}
	old, err := loadOldKeys(opts.Env, &info)
	if err != nil {
		return nil, info, err
	}
	ring, err := NewKeyRing(primary, old...)
	if err != nil {
		return nil, info, fmt.Errorf("loading key ring: %w", err)
	}
	return ring, info, nil
}

// loadPrimary returns the primary key and records its source in info.
func loadPrimary(opts KeyRingOptions, info *KeyRingInfo) ([]byte, error) {
	value, file := strings.TrimSpace(opts.Env(EnvKey)), strings.TrimSpace(opts.Env(EnvKeyFile))
	switch {
	case value != "" && file != "":
		return nil, fmt.Errorf("loading encryption key: set %s or %s, not both", EnvKey, EnvKeyFile)
	case value != "":
		info.Source = EnvKey
		key, err := ParseKey(value)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", EnvKey, err)
		}
		return key, nil
	case file != "":
		info.Source = file
		return readKeyFile(file, info)
	case opts.DataDir == "":
		return nil, ErrNoKey
	}
	path := filepath.Join(opts.DataDir, DefaultKeyFile)
	info.Source = path
	created, err := createKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		info.Created = path
	}
	return readKeyFile(path, info)
}

// loadOldKeys returns the decrypt-only keys.
func loadOldKeys(env func(string) string, info *KeyRingInfo) ([][]byte, error) {
	var keys [][]byte
	for i, v := range splitList(env(EnvOldKeys)) {
		key, err := ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("parsing key %d of %s: %w", i+1, EnvOldKeys, err)
		}
		keys = append(keys, key)
	}
	for _, path := range splitList(env(EnvOldKeyFiles)) {
		key, err := readKeyFile(path, info)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// ParseKey turns a configured key into 32 key bytes: base64 of 32 bytes as it is, a
// passphrase of at least 32 characters through HKDF-SHA-256. Shorter values fail with ErrBadKey.
func ParseKey(value string) ([]byte, error) {
	value = strings.TrimSpace(value)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(value); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	if len([]rune(value)) < minPassphrase {
		return nil, fmt.Errorf("key of %d characters: %w", len([]rune(value)), ErrBadKey)
	}
	key, err := hkdf.Key(sha256.New, []byte(value), []byte(passphraseSalt), "aes-256-gcm", KeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving key from passphrase: %w", err)
	}
	return key, nil
}

// readKeyFile reads and parses the key in path, warning in info when others can read it.
func readKeyFile(path string, info *KeyRingInfo) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		info.Warnings = append(info.Warnings, fmt.Sprintf(
			"key file %s has mode %04o: group or others can read it; run chmod 600 %s", path, st.Mode().Perm(), path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("parsing key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes a new random key to path unless the file exists; it reports whether
// it created one. The key is written to a temporary file (mode 0600) that is then hard-linked
// into place, which fails when path exists: two starts racing never both write a key, and
// no reader sees a half-written file.
func createKeyFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("creating directory of key file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".encryption-key-*")
	if err != nil {
		return false, fmt.Errorf("creating key file %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("generating key: %w", err)
	}
	_, werr := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return false, fmt.Errorf("writing key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("creating key file %s: %w", path, err)
	}
	return true, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
