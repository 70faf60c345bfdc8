// Package secret keeps Errand's secrets: an AES-256-GCM key ring with key ids and
// decrypt-only old keys (so keys can rotate), its loading from the environment or a key
// file, and a Redactor that removes secret values, in every common encoding, from anything a
// run records.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Ciphertext layout, version 1:
//
//	version(1) | keyID(8) | nonce(12) | ciphertext+tag(16)
//
// The header (version and key id) is part of the additional data, so it cannot be swapped.
const (
	formatV1   = byte(1)
	keyIDSize  = 8
	nonceSize  = 12
	headerSize = 1 + keyIDSize
	// KeySize is the size of an AES-256 key in bytes.
	KeySize = 32
)

// keyID names a key in ciphertexts: the first 8 bytes of SHA-256 over a label and the key.
type keyID [keyIDSize]byte

// ringKey is one key of the ring with its ready AEAD.
type ringKey struct {
	id   keyID
	aead cipher.AEAD
}

// KeyRing encrypts with its primary key and decrypts with the primary or any old key. It is
// immutable after construction and safe for concurrent use.
type KeyRing struct {
	primary ringKey
	byID    map[keyID]ringKey
	seed    []byte // the primary key, for Derive
}

// NewKeyRing returns a key ring that encrypts with primary and also decrypts with old (the
// decrypt-only keys of earlier rotations). Every key must be KeySize bytes.
func NewKeyRing(primary []byte, old ...[]byte) (*KeyRing, error) {
	p, err := newRingKey(primary)
	if err != nil {
		return nil, fmt.Errorf("building primary key: %w", err)
	}
	r := &KeyRing{primary: p, byID: map[keyID]ringKey{p.id: p}, seed: append([]byte(nil), primary...)}
	for i, k := range old {
		rk, err := newRingKey(k)
		if err != nil {
			return nil, fmt.Errorf("building decrypt-only key %d: %w", i+1, err)
		}
		if _, dup := r.byID[rk.id]; !dup {
			r.byID[rk.id] = rk
		}
	}
	return r, nil
}

// newRingKey checks key's size and prepares its AEAD.
func newRingKey(key []byte) (ringKey, error) {
	if len(key) != KeySize {
		return ringKey{}, fmt.Errorf("key has %d bytes, want %d: %w", len(key), KeySize, ErrBadKey)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return ringKey{}, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return ringKey{}, fmt.Errorf("creating GCM: %w", err)
	}
	sum := sha256.Sum256(append([]byte("errand key id v1\x00"), key...))
	var id keyID
	copy(id[:], sum[:keyIDSize])
	return ringKey{id: id, aead: aead}, nil
}

// PrimaryKeyID returns the primary key's id in hex, safe to log (it reveals nothing of the key).
func (r *KeyRing) PrimaryKeyID() string { return hex.EncodeToString(r.primary.id[:]) }

// Encrypt seals plaintext with the primary key, binding it to aad: Decrypt succeeds only
// with the same aad.
func (r *KeyRing) Encrypt(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plaintext)+r.primary.aead.Overhead())
	out[0] = formatV1
	copy(out[1:headerSize], r.primary.id[:])
	if _, err := rand.Read(out[headerSize:]); err != nil {
		return nil, fmt.Errorf("reading nonce: %w", err)
	}
	nonce := out[headerSize : headerSize+nonceSize]
	return r.primary.aead.Seal(out, nonce, plaintext, fullAAD(out[:headerSize], aad)), nil
}

// Decrypt opens a ciphertext made by Encrypt with any key of the ring. It fails with
// ErrMalformed, ErrUnknownKey or ErrDecrypt (wrong key, tampering, different aad).
func (r *KeyRing) Decrypt(ct, aad []byte) ([]byte, error) {
	k, err := r.keyOf(ct)
	if err != nil {
		return nil, err
	}
	if len(ct) < headerSize+nonceSize+k.aead.Overhead() {
		return nil, fmt.Errorf("opening ciphertext of %d bytes: %w", len(ct), ErrMalformed)
	}
	nonce := ct[headerSize : headerSize+nonceSize]
	pt, err := k.aead.Open(nil, nonce, ct[headerSize+nonceSize:], fullAAD(ct[:headerSize], aad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// NeedsRotation reports whether ct was not made by the primary key in the current format
// (re-encrypting it moves it to the primary key). Malformed bytes need rotation too.
func (r *KeyRing) NeedsRotation(ct []byte) bool {
	if len(ct) < headerSize || ct[0] != formatV1 {
		return true
	}
	return keyID(ct[1:headerSize]) != r.primary.id
}

// keyOf returns the ring key ct names.
func (r *KeyRing) keyOf(ct []byte) (ringKey, error) {
	if len(ct) < headerSize {
		return ringKey{}, fmt.Errorf("opening ciphertext of %d bytes: %w", len(ct), ErrMalformed)
	}
	if ct[0] != formatV1 {
		return ringKey{}, fmt.Errorf("opening ciphertext of format version %d: %w", ct[0], ErrMalformed)
	}
	k, ok := r.byID[keyID(ct[1:headerSize])]
	if !ok {
		return ringKey{}, fmt.Errorf("opening ciphertext of key %x: %w", ct[1:headerSize], ErrUnknownKey)
	}
	return k, nil
}

// fullAAD is the header followed by the caller's additional data.
func fullAAD(header, aad []byte) []byte {
	out := make([]byte, 0, len(header)+len(aad))
	return append(append(out, header...), aad...)
}

// Derive returns a 32-byte key for another purpose, named by label, derived from the
// primary key with HKDF-SHA-256: every node sharing the encryption key derives the same key,
// and no derived key reveals the primary one.
func (r *KeyRing) Derive(label string) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, r.seed, nil, "errand "+label, KeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving key %q: %w", label, err)
	}
	return key, nil
}
