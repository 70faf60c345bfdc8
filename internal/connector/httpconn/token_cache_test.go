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
	"github.com/errand-dev/errand/internal/connector/connectortest"
)

// oauthFixture is a token endpoint issuing tok-1, tok-2 ... and an API accepting only the
// tokens listed as valid.
type oauthFixture struct {
	issued atomic.Int32
	valid  map[string]bool
	idp    *connectortest.Fake
	api    *connectortest.Fake
	config map[string]any
}

func newOAuthFixture(t *testing.T, expiresIn string, valid ...string) *oauthFixture {
	t.Helper()
	f := &oauthFixture{valid: map[string]bool{}}
	for _, v := range valid {
		f.valid[v] = true
	}
	f.idp = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		n := f.issued.Add(1)
		connectortest.Answer(200, "application/json", fmt.Sprintf(`{"access_token":"tok-%d","token_type":"bearer"%s}`, n, expiresIn))(w, r)
	})
	f.api = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		if !f.valid[r.Header.Get("Authorization")] {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			connectortest.Answer(401, "application/json", `{"error":"invalid_token","error_description":"The access token expired"}`)(w, r)
			return
		}
		connectortest.Answer(200, "application/json", `{"ok":true}`)(w, r)
	})
	f.config = map[string]any{"url": f.api.URL, "authType": "oauth2", "accessTokenUrl": f.idp.URL + "/oauth2/token",
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

	tokenReqs := f.idp.Requests()
	require.Equal(t, "POST", tokenReqs[0].Method)
	require.Equal(t, "/oauth2/token", tokenReqs[0].URI())
	require.Equal(t, "application/x-www-form-urlencoded; charset=UTF-8", tokenReqs[0].Header.Get("Content-Type"))
	form, err := url.ParseQuery(tokenReqs[0].Body)
	require.NoError(t, err)
	require.Equal(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-1"},
		"client_secret": {"cs&=1"}, "scope": {"read write"}, "audience": {"https://api"}}, form)
	for _, req := range f.api.Requests() {
		require.Equal(t, "Bearer tok-1", req.Header.Get("Authorization"))
	}

	clk.Advance(3600*time.Second - refreshMargin - time.Second)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/c"}))
	require.Equal(t, int32(1), f.issued.Load(), "still valid just before the margin")
	clk.Advance(2 * time.Second)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/d"}))
	require.Equal(t, int32(2), f.issued.Load(), "refreshed before expiry")
	reqs := f.api.Requests()
	require.Equal(t, "Bearer tok-2", reqs[len(reqs)-1].Header.Get("Authorization"))
}

func TestOAuth2RefreshAfter401(t *testing.T) {
	f := newOAuthFixture(t, ``, "Bearer tok-1")
	r := newRunner(nil)
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/a"}))

	f.valid = map[string]bool{"Bearer tok-2": true} // the API revoked tok-1
	requireOK(t, r.run(t, f.config, oauthSecrets, map[string]any{"path": "/b", "method": "POST", "body": map[string]any{"n": 1}}))
	require.Equal(t, int32(2), f.issued.Load())
	reqs := f.api.Requests()
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
	require.Len(t, f.api.Requests(), 2)
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
		{"invalid client", connectortest.Answer(401, "application/json", `{"error":"invalid_client","error_description":"Client authentication failed"}`),
			false, "[401] invalid_client: Client authentication failed"},
		{"no access token", connectortest.Answer(200, "application/json", `{"token_type":"bearer"}`), true, ""},
		{"rate limited", connectortest.Answer(429, "application/json", `{"error":"slow_down"}`, "Retry-After", "3"), true, "[429] slow_down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp := connectortest.NewFake(t, tt.handler)
			api := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{}`))
			config := map[string]any{"url": api.URL, "authType": "oauth2", "accessTokenUrl": idp.URL, "clientId": "c"}
			res := newRunner(nil).run(t, config, oauthSecrets, nil)
			require.Equal(t, connector.StatusError, res.Status)
			require.Equal(t, tt.retry, res.Retry)
			if tt.service != "" {
				require.Equal(t, tt.service, res.ServiceMessage)
			} else {
				require.Contains(t, res.ServiceMessage, "without an access_token")
			}
			require.Empty(t, api.Requests(), "no request leaves without a token")
		})
	}
}
