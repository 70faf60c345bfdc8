package trigger

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook HMAC defaults.
const (
	DefaultSignatureHeader = "X-Errand-Signature"
	DefaultTimestampHeader = "X-Errand-Timestamp"
	DefaultHMACTolerance   = 5 * time.Minute
)

// caller is who a webhook request authenticated as.
type caller struct {
	name string // ExecutedBy of the run: the API key id, the basic user, "hmac" or ""
	// replay is the (scope, key) of the HMAC replay record to release when the start fails
	// (the sender may then retry the same signed request).
	replayScope, replayKey string
}

// authenticate checks r against the trigger's `auth`. A missing `auth` block requires an API
// key (the safe default for a route the router leaves unauthenticated).
func (h *Webhooks) authenticate(ctx context.Context, workflowID string, auth map[string]any, r *http.Request, body []byte) (*caller, error) {
	kind, _ := auth["type"].(string)
	switch kind {
	case "none":
		return &caller{}, nil
	case "", "apiKey":
		return h.checkAPIKey(r, auth)
	case "basic":
		return h.checkBasic(r, auth)
	case "hmac":
		return h.checkHMAC(ctx, workflowID, r, body, auth)
	}
	return nil, fmt.Errorf("checking webhook auth type %q: %w", kind, ErrWebhookUnauthorized)
}

// checkAPIKey validates the API key of r with the injected check. X-Api-Key and the apiKey
// query parameter are turned into "Authorization: ApiKey ..." first, so the check only reads
// that header. With `auth.id`, the key's public id must be that id.
func (h *Webhooks) checkAPIKey(r *http.Request, auth map[string]any) (*caller, error) {
	cred := presentedAPIKey(r)
	if cred == "" || h.opts.APIKeyCheck == nil {
		return nil, fmt.Errorf("checking the webhook api key: %w", ErrWebhookUnauthorized)
	}
	clone := r.Clone(r.Context())
	clone.Header.Set("Authorization", "ApiKey "+cred)
	if err := h.opts.APIKeyCheck(clone); err != nil {
		return nil, fmt.Errorf("checking the webhook api key: %w: %w", ErrWebhookUnauthorized, err)
	}
	id := apiKeyID(cred)
	if want, _ := auth["id"].(string); want != "" && want != id {
		return nil, fmt.Errorf("checking the webhook api key id: %w", ErrWebhookUnauthorized)
	}
	return &caller{name: id}, nil
}

// presentedAPIKey returns the credential part of an API key sent as "Authorization: ApiKey
// x" or "Bearer x", an X-Api-Key header or an apiKey query parameter ("" when none).
func presentedAPIKey(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, cred, _ := strings.Cut(v, " ")
		if strings.EqualFold(scheme, "ApiKey") || strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(cred)
		}
		return ""
	}
	if v := r.Header.Get("X-Api-Key"); v != "" {
		return strings.TrimSpace(v)
	}
	return r.URL.Query().Get("apiKey")
}

// apiKeyID returns the public id of an API key credential: base64("id:secret") or the raw
// "id:secret" ("" when it has neither form).
func apiKeyID(cred string) string {
	if raw, err := base64.StdEncoding.DecodeString(cred); err == nil && strings.Contains(string(raw), ":") {
		cred = string(raw)
	}
	id, _, ok := strings.Cut(cred, ":")
	if !ok {
		return ""
	}
	return id
}

// checkBasic compares the Basic credentials of r with auth.username and auth.password (the
// password may be ${env:NAME}) in constant time.
func (h *Webhooks) checkBasic(r *http.Request, auth map[string]any) (*caller, error) {
	wantUser, _ := auth["username"].(string)
	wantPass, err := h.secretValue(auth["password"])
	if err != nil || wantUser == "" {
		return nil, fmt.Errorf("reading the webhook basic credentials: %w", ErrWebhookUnauthorized)
	}
	user, pass, ok := r.BasicAuth()
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(wantPass)) == 1
	if !ok || !userOK || !passOK {
		return nil, fmt.Errorf("checking the webhook basic credentials: %w", ErrWebhookUnauthorized)
	}
	return &caller{name: user}, nil
}

// secretValue returns a configured secret: the value itself, or the environment variable
// NAME for "${env:NAME}" (an error when it is unset or empty: never an empty secret).
func (h *Webhooks) secretValue(v any) (string, error) {
	s, _ := v.(string)
	if name, ok := strings.CutPrefix(s, "${env:"); ok && strings.HasSuffix(name, "}") {
		name = strings.TrimSuffix(name, "}")
		val, found := h.opts.LookupEnv(name)
		if !found || val == "" {
			return "", fmt.Errorf("reading webhook secret from environment variable %q: not set", name)
		}
		return val, nil
	}
	if s == "" {
		return "", fmt.Errorf("reading webhook secret: empty")
	}
	return s, nil
}

// checkHMAC verifies a signed request. The signature is the hex HMAC-SHA256, keyed with
// auth.secret, of timestamp + "." + raw body, where timestamp is the value of the timestamp
// header in Unix seconds; it may carry a "sha256=" prefix. The timestamp must be within
// auth.tolerance of now, and a (timestamp, signature) pair is accepted once: it is recorded
// with IdempotencyClaim under scope "hmac:<workflow id>" until it leaves the window.
func (h *Webhooks) checkHMAC(ctx context.Context, workflowID string, r *http.Request, body []byte, auth map[string]any) (*caller, error) {
	cfg, err := h.hmacConfig(auth)
	if err != nil {
		return nil, fmt.Errorf("reading the webhook hmac settings: %w: %w", ErrWebhookUnauthorized, err)
	}
	tsText := r.Header.Get(cfg.timestampHeader)
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reading the webhook timestamp header %q: %w", cfg.timestampHeader, ErrWebhookUnauthorized)
	}
	sent := time.Unix(ts, 0)
	now := h.opts.Clock.Now()
	if now.Sub(sent).Abs() > cfg.tolerance {
		return nil, fmt.Errorf("checking the webhook timestamp %d: outside the %s window: %w", ts, cfg.tolerance, ErrWebhookUnauthorized)
	}
	sigText := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.Header.Get(cfg.header)), "sha256="))
	sig, err := hex.DecodeString(sigText)
	if err != nil || !hmac.Equal(sig, Sign(cfg.secret, tsText, body)) {
		return nil, fmt.Errorf("checking the webhook signature: %w", ErrWebhookUnauthorized)
	}
	scope, key := "hmac:"+workflowID, tsText+":"+sigText
	_, first, err := h.st.IdempotencyClaim(ctx, scope, key, "hmac", now, sent.Add(cfg.tolerance).Add(time.Second))
	if err != nil {
		return nil, fmt.Errorf("recording the webhook signature of workflow %q: %w", workflowID, err)
	}
	if !first {
		return nil, fmt.Errorf("checking the webhook signature: replayed request: %w", ErrWebhookUnauthorized)
	}
	return &caller{name: "hmac", replayScope: scope, replayKey: key}, nil
}

// Sign returns the HMAC-SHA256 of timestamp + "." + body keyed with secret: what a sender
// puts, hex-encoded, in the signature header of an hmac webhook.
func Sign(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// hmacConfig is an hmac auth block with its defaults applied.
type hmacConfig struct {
	secret, header, timestampHeader string
	tolerance                       time.Duration
}

// hmacConfig reads auth's secret, header, timestampHeader and tolerance (a duration like
// "5m" or a number of seconds).
func (h *Webhooks) hmacConfig(auth map[string]any) (hmacConfig, error) {
	secret, err := h.secretValue(auth["secret"])
	if err != nil {
		return hmacConfig{}, err
	}
	cfg := hmacConfig{secret: secret, header: DefaultSignatureHeader, timestampHeader: DefaultTimestampHeader, tolerance: DefaultHMACTolerance}
	if v, _ := auth["header"].(string); v != "" {
		cfg.header = v
	}
	if v, _ := auth["timestampHeader"].(string); v != "" {
		cfg.timestampHeader = v
	}
	switch v := auth["tolerance"].(type) {
	case string:
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return hmacConfig{}, fmt.Errorf("parsing hmac tolerance %q: not a positive duration", v)
		}
		cfg.tolerance = d
	case int:
		cfg.tolerance = time.Duration(v) * time.Second
	case float64:
		cfg.tolerance = time.Duration(v * float64(time.Second))
	}
	return cfg, nil
}
