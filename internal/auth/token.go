package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Key format. An id is idLength base62 characters (public: it names the key in lists and
// the audit log); a secret is secretBytes random bytes in unpadded base64url.
const (
	idLength    = 20
	secretBytes = 32
	// minSecretLength is the shortest secret accepted from ERRAND_BOOTSTRAP_API_KEY: 32
	// base64 characters carry 192 bits when random.
	minSecretLength = 32
	maxIDLength     = 64
)

// expectedForm tells a client with a malformed header what to send.
const expectedForm = `expected "Authorization: ApiKey <base64(id:secret)>" or "Authorization: Bearer <base64(id:secret)>" (the raw "id:secret" is accepted too)`

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns a random key id of idLength base62 characters.
func newID() (string, error) {
	b := make([]byte, idLength)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating API key id: %w", err)
	}
	for i, c := range b {
		b[i] = base62[int(c)%len(base62)] // 256 % 62 bias is harmless for a public id
	}
	return string(b), nil
}

// newSecret returns secretBytes random bytes in unpadded base64url.
func newSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating API key secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is what the store keeps of a secret.
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// EncodeToken returns the token a client sends: base64(id:secret), as Kibana encodes its
// API keys.
func EncodeToken(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}

// ParseAuthorization splits an Authorization header value into key id and secret. It takes
// the schemes ApiKey and Bearer (case-insensitive), each with base64(id:secret) or the raw
// id:secret. A missing or malformed header is ErrUnauthenticated with a message saying the
// expected form.
func ParseAuthorization(header string) (id, secret string, err error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", "", fmt.Errorf("%w: missing Authorization header: %s", ErrUnauthenticated, expectedForm)
	}
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !(strings.EqualFold(scheme, "ApiKey") || strings.EqualFold(scheme, "Bearer")) {
		return "", "", fmt.Errorf("%w: malformed Authorization header: %s", ErrUnauthenticated, expectedForm)
	}
	id, secret, err = splitCredential(strings.TrimSpace(cred))
	if err != nil {
		return "", "", fmt.Errorf("%w: malformed %s credential: %w; %s", ErrUnauthenticated, scheme, err, expectedForm)
	}
	return id, secret, nil
}

// splitCredential decodes base64(id:secret) or takes the raw id:secret. The two never
// collide: ':' is outside both base64 alphabets.
func splitCredential(cred string) (id, secret string, err error) {
	if !strings.Contains(cred, ":") {
		decoded, derr := decodeBase64(cred)
		if derr != nil {
			return "", "", fmt.Errorf("decoding base64: %w", derr)
		}
		cred = decoded
	}
	id, secret, ok := strings.Cut(cred, ":")
	if !ok {
		return "", "", fmt.Errorf("no ':' between id and secret")
	}
	if err := validateID(id); err != nil {
		return "", "", err
	}
	if secret == "" || strings.ContainsAny(secret, " \t\r\n:") {
		return "", "", fmt.Errorf("empty secret or one with spaces or ':'")
	}
	return id, secret, nil
}

// decodeBase64 takes standard or URL-safe base64, padded or not.
func decodeBase64(s string) (string, error) {
	var lastErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return string(b), nil
		}
		lastErr = err
	}
	return "", lastErr
}

// validateID accepts 1 to maxIDLength characters of [A-Za-z0-9_-].
func validateID(id string) error {
	if id == "" || len(id) > maxIDLength {
		return fmt.Errorf("key id must be 1 to %d characters", maxIDLength)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("key id has characters other than letters, digits, '_' and '-'") // not echoed: it may be a misplaced secret
		}
	}
	return nil
}
