package trigger

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/sqlite"
	"github.com/errand-dev/errand/internal/trigger/triggertest"
)

// The workflow language does not accept `auth: {type: hmac}` nor `idempotency` on a webhook
// trigger yet, so no stored workflow can carry them through Invoke; these tests exercise the
// HMAC check and the idempotency expression directly, on a real store.

// openSQLite opens a fresh SQLite store closed when t ends.
func openSQLite(t *testing.T) store.Store {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

var hmacNow = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// signed returns a request signed with secret at ts (Unix seconds), with the signature in
// header (given the prefix).
func signed(t *testing.T, secret string, ts int64, body, header, prefix string) *http.Request {
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/x/execute", strings.NewReader(body))
	stamp := strconv.FormatInt(ts, 10)
	r.Header.Set(DefaultTimestampHeader, stamp)
	r.Header.Set(header, prefix+hex.EncodeToString(Sign(secret, stamp, []byte(body))))
	return r
}

func TestCheckHMAC(t *testing.T) {
	body := `{"id": "evt-1"}`
	now := hmacNow.Unix()
	auth := map[string]any{"type": "hmac", "secret": "${env:HOOK_SECRET}"}
	tests := []struct {
		name   string
		auth   map[string]any
		req    func(t *testing.T) *http.Request
		wantOK bool
	}{
		{"valid", auth, func(t *testing.T) *http.Request { return signed(t, "k3y", now, body, DefaultSignatureHeader, "") }, true},
		{"valid, sha256= prefix", auth, func(t *testing.T) *http.Request {
			return signed(t, "k3y", now-60, body, DefaultSignatureHeader, "sha256=")
		}, true},
		{"valid, custom header and tolerance", map[string]any{"type": "hmac", "secret": "plain", "header": "X-Sig", "tolerance": "1h"},
			func(t *testing.T) *http.Request { return signed(t, "plain", now-1800, body, "X-Sig", "") }, true},
		{"wrong secret", auth, func(t *testing.T) *http.Request { return signed(t, "other", now, body, DefaultSignatureHeader, "") }, false},
		{"timestamp changed", auth, func(t *testing.T) *http.Request {
			r := signed(t, "k3y", now, body, DefaultSignatureHeader, "")
			r.Header.Set(DefaultTimestampHeader, strconv.FormatInt(now+1, 10))
			return r
		}, false},
		{"body changed", auth, func(t *testing.T) *http.Request {
			return signed(t, "k3y", now, `{"id": "evt-2"}`, DefaultSignatureHeader, "")
		}, false},
		{"too old", auth, func(t *testing.T) *http.Request { return signed(t, "k3y", now-301, body, DefaultSignatureHeader, "") }, false},
		{"too far ahead", auth, func(t *testing.T) *http.Request { return signed(t, "k3y", now+301, body, DefaultSignatureHeader, "") }, false},
		{"no signature", auth, func(t *testing.T) *http.Request {
			r := signed(t, "k3y", now, body, DefaultSignatureHeader, "")
			r.Header.Del(DefaultSignatureHeader)
			return r
		}, false},
		{"unset secret", map[string]any{"type": "hmac", "secret": "${env:UNSET}"}, func(t *testing.T) *http.Request {
			return signed(t, "", now, body, DefaultSignatureHeader, "")
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHMACWebhooks(t)
			who, err := h.authenticate(t.Context(), "wf-1", tc.auth, tc.req(t), []byte(body))
			if !tc.wantOK {
				require.ErrorIs(t, err, ErrWebhookUnauthorized)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "hmac", who.name)
		})
	}
}

// newHMACWebhooks returns Webhooks on a fresh store with HOOK_SECRET=k3y.
func newHMACWebhooks(t *testing.T) *Webhooks {
	env := map[string]string{"HOOK_SECRET": "k3y"}
	return NewWebhooks(openSQLite(t), nil, WebhooksOptions{
		Clock:     triggertest.NewClock(hmacNow),
		LookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
	})
}

func TestCheckHMACRejectsReplays(t *testing.T) {
	h := newHMACWebhooks(t)
	auth := map[string]any{"type": "hmac", "secret": "k3y"}
	body := `{"id": "evt-1"}`
	first := func() *http.Request { return signed(t, "k3y", hmacNow.Unix(), body, DefaultSignatureHeader, "") }
	who, err := h.authenticate(t.Context(), "wf-1", auth, first(), []byte(body))
	require.NoError(t, err)

	_, err = h.authenticate(t.Context(), "wf-1", auth, first(), []byte(body))
	require.ErrorIs(t, err, ErrWebhookUnauthorized, "the exact request again is a replay")

	_, err = h.authenticate(t.Context(), "wf-2", auth, first(), []byte(body))
	require.NoError(t, err, "replay records are per workflow")

	next := signed(t, "k3y", hmacNow.Unix()+1, body, DefaultSignatureHeader, "")
	_, err = h.authenticate(t.Context(), "wf-1", auth, next, []byte(body))
	require.NoError(t, err, "a new timestamp is a new request")

	// A start that failed releases the record, so the sender may retry the same request.
	require.NoError(t, h.st.IdempotencyRelease(t.Context(), who.replayScope, who.replayKey))
	_, err = h.authenticate(t.Context(), "wf-1", auth, first(), []byte(body))
	require.NoError(t, err)
}

func TestIdempotencyExpression(t *testing.T) {
	yaml := `name: hook
triggers:
  - type: webhook
    auth: {type: none}
    idempotency:
      key: "{{ event.body.id }}-{{ event.headers.x-source }}"
      window: 2h
steps: []
`
	h := NewWebhooks(openSQLite(t), nil, WebhooksOptions{})
	tests := []struct {
		name       string
		yaml       string
		header     map[string]string
		wantKey    string
		wantWindow time.Duration
	}{
		{"rendered over the event", yaml, map[string]string{"X-Source": "crm"}, "evt-9-crm", 2 * time.Hour},
		{"the header wins", yaml, map[string]string{"Idempotency-Key": "given"}, "given", 2 * time.Hour},
		{"none configured", strings.Replace(yaml, "    idempotency:\n", "    other:\n", 1), nil, "", 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/x/execute", strings.NewReader(`{"id": "evt-9"}`))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			req, err := readRequest(r, []byte(`{"id": "evt-9"}`), nil)
			require.NoError(t, err)
			key, window, err := h.idempotency(&store.Workflow{YAML: tc.yaml}, r, req)
			require.NoError(t, err)
			require.Equal(t, tc.wantKey, key)
			require.Equal(t, tc.wantWindow, window)
		})
	}
}
