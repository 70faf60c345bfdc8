package secret

import "errors"

var (
	// ErrDecrypt is returned when a ciphertext does not open with its key: the key is wrong,
	// the bytes were tampered with, or the additional data (a connector's id, type or
	// config) changed since it was encrypted.
	ErrDecrypt = errors.New("decryption failed: wrong key, tampered ciphertext or changed additional data")
	// ErrUnknownKey is returned when a ciphertext names a key the key ring does not hold.
	ErrUnknownKey = errors.New("ciphertext was encrypted with a key this key ring does not hold; add the old key to ERRAND_DECRYPTION_ONLY_KEYS")
	// ErrMalformed is returned when bytes are not a ciphertext of a known format version.
	ErrMalformed = errors.New("malformed ciphertext")
	// ErrBadKey is returned when a key is neither base64 of 32 bytes nor a passphrase of at
	// least 32 characters.
	ErrBadKey = errors.New("encryption key must be base64 of 32 bytes or a passphrase of at least 32 characters")
	// ErrNoKey is returned when no key is configured and no data directory is given to create one in.
	ErrNoKey = errors.New("no encryption key: set ERRAND_ENCRYPTION_KEY or ERRAND_ENCRYPTION_KEY_FILE, or give a data directory")
)
