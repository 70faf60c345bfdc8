package httpconn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// refreshMargin is how long before its announced expiry a token is replaced, so that a
// request never leaves with a token about to lapse. Short-lived tokens use half their life.
const refreshMargin = 60 * time.Second

// errNoAccessToken marks a token endpoint answer without an access_token.
var errNoAccessToken = errors.New("the token endpoint answered without an access_token")

// TokenCache keeps OAuth2 client-credentials tokens in memory, one per connector, keyed by
// the connector id and a fingerprint of its config and secrets: editing a connector drops its
// token. Tokens are fetched again before they expire and after a 401. It is safe for
// concurrent use; concurrent callers of one connector share a single token request.
type TokenCache struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*tokenEntry
}

// tokenEntry is one connector's token; its mutex serialises fetches.
type tokenEntry struct {
	mu          sync.Mutex
	fingerprint string
	header      string // "Bearer <token>"
	expires     time.Time
}

// newTokenCache returns an empty cache reading time from now.
func newTokenCache(now func() time.Time) *TokenCache {
	return &TokenCache{now: now, entries: map[string]*tokenEntry{}}
}

// entry returns the connector's entry, replaced when its config or secrets changed.
func (tc *TokenCache) entry(id, fingerprint string) *tokenEntry {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.entries[id]
	if !ok || e.fingerprint != fingerprint {
		e = &tokenEntry{fingerprint: fingerprint}
		tc.entries[id] = e
	}
	return e
}

// Authorization returns the Authorization header value for the connector, fetching a token
// when none is cached or the cached one is due for refresh.
func (tc *TokenCache) Authorization(ctx context.Context, call *connector.Call, c *config, s *secrets) (string, error) {
	e := tc.entry(call.Connector.ID, fingerprint(call.Connector))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.header != "" && (e.expires.IsZero() || tc.now().Before(e.expires)) {
		return e.header, nil
	}
	header, lifetime, err := requestToken(ctx, call.HTTP, c, s)
	if err != nil {
		return "", err
	}
	e.header, e.expires = header, time.Time{}
	if lifetime > 0 {
		e.expires = tc.now().Add(lifetime - min(refreshMargin, lifetime/2))
	}
	return header, nil
}

// Invalidate drops the connector's token if it is still the one a remote refused, so that
// concurrent 401s do not throw away a token another caller has just fetched.
func (tc *TokenCache) Invalidate(conn *connector.Connector, refused string) {
	e := tc.entry(conn.ID, fingerprint(conn))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.header == refused {
		e.header, e.expires = "", time.Time{}
	}
}

// fingerprint hashes a connector's config and secrets (encoding/json sorts map keys).
func fingerprint(conn *connector.Connector) string {
	b, _ := json.Marshal([]any{conn.Config, conn.Secrets})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// tokenResponse is RFC 6749 §5.1's answer; expires_in is sometimes sent as a string.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// requestToken runs the client-credentials grant (RFC 6749 §4.4) and returns the
// Authorization value and the token's lifetime (0 when the server gave none).
func requestToken(ctx context.Context, client *httpclient.Client, c *config, s *secrets) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {s.ClientSecret}}
	if c.Scope != "" {
		form.Set("scope", c.Scope)
	}
	extra, err := c.additionalFields()
	if err != nil {
		return "", 0, err
	}
	for k, v := range extra {
		form.Set(k, httpcall.Stringify(v))
	}
	resp, err := client.Do(ctx, &httpclient.Request{
		Method: http.MethodPost, URL: c.AccessTokenURL, Body: []byte(form.Encode()),
		Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded; charset=UTF-8"},
			"Accept":       {"application/json"},
		},
	})
	if err != nil {
		return "", 0, fmt.Errorf("requesting an OAuth2 access token: %w", err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil || tr.AccessToken == "" {
		return "", 0, fmt.Errorf("requesting an OAuth2 access token from %s: %w", client.Redact(c.AccessTokenURL), errNoAccessToken)
	}
	return tokenType(tr.TokenType) + " " + tr.AccessToken, expiresIn(tr.ExpiresIn), nil
}

// tokenType returns the scheme to send: Bearer (RFC 6750) unless the server named another.
func tokenType(t string) string {
	if t == "" || strings.EqualFold(t, "bearer") {
		return "Bearer"
	}
	return t
}

// expiresIn reads expires_in as seconds, from a number or a numeric string.
func expiresIn(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `"`)
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n * float64(time.Second))
}
