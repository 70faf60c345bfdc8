package httpconn

import (
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

// oauthFixture is a token endpoint issuing tok-1, tok-2 ... and an API accepting only the
// tokens listed as valid.
type oauthFixture struct {
	issued atomic.Int32
	valid  map[string]bool
	idp    *fake
	api    *fake
	config map[string]any
}

func newOAuthFixture(t *testing.T, expiresIn string, valid ...string) *oauthFixture {
	t.Helper()
	f := &oauthFixture{valid: map[string]bool{}}
	for _, v := range valid {
		f.valid[v] = true
	}
	f.idp = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		n := f.issued.Add(1)
		reply(200, fmt.Sprintf(`{"access_token":"tok-%d","token_type":"bearer"%s}`, n, expiresIn))(w, r)
	})
	f.api = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if !f.valid[r.Header.Get("Authorization")] {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			reply(401, `{"error":"invalid_token","error_description":"The access token expired"}`)(w, r)
			return
		}
		reply(200, `{"ok":true}`)(w, r)
	})
	f.config = map[string]any{"url": f.api.srv.URL, "authType": "oauth2", "accessTokenUrl": f.idp.srv.URL + "/oauth2/token",
		"clientId": "client-1", "scope": "read write", "additionalFields": `{"audience":"https://api"}`}
	return f
}

var oauthSecrets = map[string]any{"clientSecret": "cs&=1"}

func TestOAuth2TokenRequestAndCache(t *testing.T) {
	f := newOAuthFixture(t, `,"expires_in":3600`, "Bearer tok-1", "Bearer tok-2")
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	r := newRunner(clk)

	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/a"}))
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/b"}))
	require.Equal(t, int32(1), f.issued.Load(), "the second request reuses the cached token")

	tokenReqs := f.idp.requests()
	require.Equal(t, "POST", tokenReqs[0].Method)
	require.Equal(t, "/oauth2/token", tokenReqs[0].URL)
	require.Equal(t, "application/x-www-form-urlencoded; charset=UTF-8", tokenReqs[0].Header.Get("Content-Type"))
	form, err := url.ParseQuery(tokenReqs[0].Body)
	require.NoError(t, err)
	require.Equal(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-1"},
		"client_secret": {"cs&=1"}, "scope": {"read write"}, "audience": {"https://api"}}, form)
	for _, req := range f.api.requests() {
		require.Equal(t, "Bearer tok-1", req.Header.Get("Authorization"))
	}

	clk.Advance(3600*time.Second - refreshMargin - time.Second)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/c"}))
	require.Equal(t, int32(1), f.issued.Load(), "still valid just before the margin")
	clk.Advance(2 * time.Second)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/d"}))
	require.Equal(t, int32(2), f.issued.Load(), "refreshed before expiry")
	reqs := f.api.requests()
	require.Equal(t, "Bearer tok-2", reqs[len(reqs)-1].Header.Get("Authorization"))
}

func TestOAuth2RefreshAfter401(t *testing.T) {
	f := newOAuthFixture(t, ``, "Bearer tok-1")
	r := newRunner(nil)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/a"}))

	f.valid = map[string]bool{"Bearer tok-2": true} // the API revoked tok-1
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/b", "method": "POST", "body": map[string]any{"n": 1}}))
	require.Equal(t, int32(2), f.issued.Load())
	reqs := f.api.requests()
	require.Len(t, reqs, 3)
	require.Equal(t, "Bearer tok-1", reqs[1].Header.Get("Authorization"))
	require.Equal(t, "Bearer tok-2", reqs[2].Header.Get("Authorization"))
	require.Equal(t, `{"n":1}`, reqs[2].Body, "the retry replays the body")
}

func TestOAuth2RetriesOnlyOnce(t *testing.T) {
	f := newOAuthFixture(t, `,"expires_in":"3600"`) // no token is ever accepted
	res := newRunner(nil).run(t, f.config, oauthSecrets, map[string]any{"path": "/a"})
	require.Equal(t, connector.StatusError, res.Status)
	require.Equal(t, 401, res.HTTPStatus)
	require.Equal(t, "[401] invalid_token: The access token expired", res.ServiceMessage)
	require.Equal(t, int32(2), f.issued.Load())
	require.Len(t, f.api.requests(), 2)
}

func TestOAuth2EditedConnectorGetsANewToken(t *testing.T) {
	f := newOAuthFixture(t, `,"expires_in":3600`, "Bearer tok-1", "Bearer tok-2")
	r := newRunner(nil)
	requireOK(t, r.run(t, f.config, oauthSecrets, nil))
	requireOK(t, r.run(t, f.config, map[string]any{"clientSecret": "rotated"}, nil))
	require.Equal(t, int32(2), f.issued.Load())
}

func TestOAuth2TokenEndpointErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		retry   bool
		service string
	}{
		{"invalid client", reply(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`),
			false, "[401] invalid_client: Client authentication failed"},
		{"no access token", reply(200, `{"token_type":"bearer"}`), true, ""},
		{"rate limited", reply(429, `{"error":"slow_down"}`, "Retry-After", "3"), true, "[429] slow_down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := newFake(t, tt.handler)
			api := newFake(t, reply(200, `{}`))
			config := map[string]any{"url": api.srv.URL, "authType": "oauth2", "accessTokenUrl": idp.srv.URL, "clientId": "c"}
			res := newRunner(nil).run(t, config, oauthSecrets, nil)
			require.Equal(t, connector.StatusError, res.Status)
			require.Equal(t, tt.retry, res.Retry)
			if tt.service != "" {
				require.Equal(t, tt.service, res.ServiceMessage)
			} else {
				require.Contains(t, res.ServiceMessage, "without an access_token")
			}
			require.Empty(t, api.requests(), "no request leaves without a token")
		})
	}
}
