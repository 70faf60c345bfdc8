package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ResumeSigner signs and checks the tokens of external resume links (§8 rows 13-14):
// HMAC-SHA256 over the claims with a server secret. The token is the link's only
// credential, so it names one waiting step record (a later wait of the same step, in a
// loop, needs a new link), expires, and is refused once that record has its input.
//
// The secret is derived from a key: give every node that shares a database the same key
// (NewResumeSigner) so that a link minted on one node opens on any. Without a key the API
// makes a random one per process: links then stop working when the process restarts.
type ResumeSigner struct {
	secret []byte
	kid    string
}

// ResumeClaims are what a resume token asserts.
type ResumeClaims struct {
	ExecutionID     string `json:"e"`
	StepID          string `json:"s"` // the step's name, as in the link's path
	StepExecutionID string `json:"r"` // the waiting step record
	ExpiresAt       int64  `json:"x"` // Unix seconds
	Nonce           string `json:"n"`
}

// NewResumeSigner derives the signing secret from key; an empty key draws a random one.
func NewResumeSigner(key []byte) *ResumeSigner {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("errand external resume links v1"))
	secret := mac.Sum(nil)
	id := sha256.Sum256(secret)
	return &ResumeSigner{secret: secret, kid: hex.EncodeToString(id[:4])}
}

// KeyID names the secret (the links' kid parameter), so that a link signed with another
// key is told apart from a forged one.
func (s *ResumeSigner) KeyID() string { return s.kid }

// Mint returns a signed token for c; an empty Nonce gets a random one.
func (s *ResumeSigner) Mint(c ResumeClaims) (string, error) {
	if c.Nonce == "" {
		c.Nonce = newErrorID()
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding resume claims of execution %q: %w", c.ExecutionID, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + s.sign(payload), nil
}

// Verify checks a token's signature and expiry at now and returns its claims. A bad token
// wraps errLinkInvalid, an expired one errLinkGone.
func (s *ResumeSigner) Verify(token string, now time.Time) (*ResumeClaims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return nil, fmt.Errorf("%w: the link's token is not valid", errLinkInvalid)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: decoding the link's token: %w", errLinkInvalid, err)
	}
	var c ResumeClaims
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: decoding the link's token: %w", errLinkInvalid, err)
	}
	if !now.Before(time.Unix(c.ExpiresAt, 0)) {
		return nil, fmt.Errorf("%w: the link expired at %s", errLinkGone, time.Unix(c.ExpiresAt, 0).UTC().Format(time.RFC3339))
	}
	return &c, nil
}

// sign is the base64url HMAC of payload.
func (s *ResumeSigner) sign(payload string) string {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
