package httpconn

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/httpclient"
)

// TestSeedTriggerResponseAction runs the seed's trigger_response_action step, as rendered,
// and asserts the exact request the API receives.
func TestSeedTriggerResponseAction(t *testing.T) {
	api := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{"action_id":"a-42","status":"pending"}`, "X-Request-Id", "r-1"))
	with := map[string]any{
		"path":    "/v1/response-actions/isolate",
		"method":  "POST",
		"headers": map[string]any{"Content-Type": "application/json"},
		"body": map[string]any{
			"endpoint_id": "agent-007",
			"reason":      "Triggered by workflow 'isolate-host'",
		},
	}
	res := newRunner(nil).run(t, map[string]any{"url": api.URL + "/api/", "authType": "bearer"},
		map[string]any{"token": "tok-123"}, with)

	out := requireOK(t, res)
	require.Equal(t, 200, out["status"])
	require.Equal(t, "OK", out["statusText"])
	require.Equal(t, map[string]any{"action_id": "a-42", "status": "pending"}, out["data"])
	require.Equal(t, "r-1", out["headers"].(map[string]any)["x-request-id"])
	reqs := api.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "POST", reqs[0].Method)
	require.Equal(t, "/api/v1/response-actions/isolate", reqs[0].URI())
	require.Equal(t, "Bearer tok-123", reqs[0].Header.Get("Authorization"))
	require.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	require.JSONEq(t, `{"endpoint_id":"agent-007","reason":"Triggered by workflow 'isolate-host'"}`, reqs[0].Body)
	require.Equal(t, `{"endpoint_id":"agent-007","reason":"Triggered by workflow 'isolate-host'"}`, reqs[0].Body)
}

func TestAuthModesAndHeaderPrecedence(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		with    map[string]any
		want    map[string]string // header → value ("" = absent)
	}{
		{"none", map[string]any{"authType": "none"}, nil, nil,
			map[string]string{"Authorization": ""}},
		{"basic", map[string]any{"authType": "basic"}, map[string]any{"user": "ann", "password": "pa:ss"}, nil,
			map[string]string{"Authorization": "Basic YW5uOnBhOnNz"}},
		{"basic inferred from user (Kibana default)", map[string]any{}, map[string]any{"user": "ann", "password": "pw"}, nil,
			map[string]string{"Authorization": "Basic YW5uOnB3"}},
		{"Kibana basic alias", map[string]any{"authType": "webhook-authentication-basic", "hasAuth": true},
			map[string]any{"user": "ann", "password": "pw"}, nil, map[string]string{"Authorization": "Basic YW5uOnB3"}},
		{"hasAuth false sends nothing", map[string]any{"hasAuth": false}, map[string]any{"user": "ann", "password": "pw"}, nil,
			map[string]string{"Authorization": ""}},
		{"bearer", map[string]any{"authType": "bearer"}, map[string]any{"token": "t0k"}, nil,
			map[string]string{"Authorization": "Bearer t0k"}},
		{"api key default header", map[string]any{"authType": "apiKey"}, map[string]any{"apiKey": "k3y"}, nil,
			map[string]string{"X-Api-Key": "k3y", "Authorization": ""}},
		{"api key custom header", map[string]any{"authType": "apiKey", "apiKeyHeader": "x-auth-key"}, map[string]any{"apiKey": "k3y"}, nil,
			map[string]string{"X-Auth-Key": "k3y"}},
		{"secret headers override config headers",
			map[string]any{"headers": map[string]any{"X-Tenant": "public", "X-Env": "prod"}},
			map[string]any{"secretHeaders": map[string]any{"X-Tenant": "secret-tenant"}}, nil,
			map[string]string{"X-Tenant": "secret-tenant", "X-Env": "prod"}},
		{"step headers override connector headers and auth",
			map[string]any{"authType": "bearer", "headers": map[string]any{"X-Env": "prod"}},
			map[string]any{"token": "t0k", "secretHeaders": map[string]any{"X-Tenant": "s"}},
			map[string]any{"headers": map[string]any{"X-Env": "staging", "X-Tenant": "mine", "Authorization": "Token abc"}},
			map[string]string{"X-Env": "staging", "X-Tenant": "mine", "Authorization": "Token abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{}`))
			tt.config["url"] = api.URL
			with := map[string]any{"path": "/x"}
			for k, v := range tt.with {
				with[k] = v
			}
			requireOK(t, newRunner(nil).run(t, tt.config, tt.secrets, with))
			got := api.Requests()[0].Header
			for name, want := range tt.want {
				require.Equal(t, want, got.Get(name), name)
			}
		})
	}
}

func TestURLJoining(t *testing.T) {
	api := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{}`))
	base := api.URL
	tests := []struct {
		name, base string
		with       map[string]any
		wantURL    string
		wantErr    string
	}{
		{"base with slash, path with slash", base + "/api/", map[string]any{"path": "/v1/x"}, "/api/v1/x", ""},
		{"base without slash, path without slash", base + "/api", map[string]any{"path": "v1/x"}, "/api/v1/x", ""},
		{"bare host", base, map[string]any{"path": "/v1/x"}, "/v1/x", ""},
		{"no path calls the base URL", base + "/api/hook", map[string]any{}, "/api/hook", ""},
		{"query added after the path's own", base + "/api?tenant=1", map[string]any{"path": "/v1/x?a=b", "query": map[string]any{"q": "a b"}},
			"/api/v1/x?tenant=1&a=b&q=a+b", ""},
		{"query on the base URL", base + "/api", map[string]any{"query": map[string]any{"ids": []any{"1", "2"}}}, "/api?ids=1&ids=2", ""},
		{"protocol-relative path stays on the origin", base + "/api", map[string]any{"path": "//evil.example/x"}, "/api/evil.example/x", ""},
		{"same-origin url", base + "/api", map[string]any{"url": base + "/other/y"}, "/other/y", ""},
		{"same-origin url with path", base + "/api", map[string]any{"url": base + "/other/", "path": "/y"}, "/other/y", ""},
		{"cross-origin url refused", base + "/api", map[string]any{"url": "https://attacker.example/collect"}, "",
			"credentials never leave for a host that is not the connector's own"},
		{"other port is another origin", base + "/api", map[string]any{"url": "http://127.0.0.1:1/x"}, "",
			"is not on the connector's origin"},
		{"absolute URL as path refused", base + "/api", map[string]any{"path": "https://attacker.example/x"}, "", "is a URL, not a path"},
		{"unknown parameter", base, map[string]any{"header": map[string]any{}}, "", "with.header is not a parameter"},
		{"bad method", base, map[string]any{"method": "TRACE"}, "", `"TRACE" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(api.Requests())
			res := newRunner(nil).run(t, map[string]any{"url": tt.base}, nil, tt.with)
			if tt.wantErr != "" {
				require.Equal(t, connector.StatusError, res.Status)
				require.Equal(t, connector.SourceUser, res.ErrorSource)
				require.Contains(t, res.Message, tt.wantErr)
				require.Len(t, api.Requests(), before, "nothing may be sent")
				return
			}
			requireOK(t, res)
			reqs := api.Requests()
			require.Equal(t, tt.wantURL, reqs[len(reqs)-1].URI())
		})
	}
}

func TestRemoteErrors(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		retry      bool
		retryAfter time.Duration
		source     string
		service    string
	}{
		{"429 with Retry-After", connectortest.Answer(429, "application/json", `{"message":"slow down"}`, "Retry-After", "7"), true, 7 * time.Second,
			connector.SourceFramework, "[429] slow down"},
		{"503", connectortest.Answer(503, "application/json", `{"error":"maintenance"}`), true, 0, connector.SourceFramework, "[503] maintenance"},
		{"404 problem+json", connectortest.Answer(404, "application/json", `{"title":"Not Found","detail":"no endpoint agent-9"}`), false, 0,
			connector.SourceUser, "[404] Not Found: no endpoint agent-9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := connectortest.NewFake(t, tt.handler)
			res := newRunner(nil).run(t, map[string]any{"url": api.URL}, nil, map[string]any{"path": "/x"})
			require.Equal(t, connector.StatusError, res.Status)
			require.Equal(t, requestSummary, res.Message)
			require.Equal(t, tt.retry, res.Retry)
			require.Equal(t, tt.retryAfter, res.RetryAfter)
			require.Equal(t, tt.source, res.ErrorSource)
			require.Equal(t, tt.service, res.ServiceMessage)
		})
	}
}

// TestCredentialsNeverFollowACrossOriginRedirect checks that a redirect off the connector's
// origin drops every credential header, while a same-origin redirect keeps them.
func TestCredentialsNeverFollowACrossOriginRedirect(t *testing.T) {
	other := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{"where":"other"}`))
	api := connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
		}
	})
	config := map[string]any{"url": api.URL, "authType": "apiKey", "apiKeyHeader": "X-Key",
		"headers": map[string]any{"X-Public": "p"}}
	secrets := map[string]any{"apiKey": "k3y", "secretHeaders": map[string]any{"X-Secret": "s3"}}
	res := newRunner(nil).run(t, config, secrets, map[string]any{"path": "/start", "method": "POST", "body": "hi"})

	out := requireOK(t, res)
	require.Equal(t, map[string]any{"where": "other"}, out["data"])
	reqs := api.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "/moved", reqs[1].URI())
	require.Equal(t, "k3y", reqs[1].Header.Get("X-Key"), "same origin keeps the credentials")
	require.Equal(t, "s3", reqs[1].Header.Get("X-Secret"))
	landing := other.Requests()
	require.Len(t, landing, 1)
	require.Equal(t, "POST", landing[0].Method, "307 keeps the method")
	require.Equal(t, "hi", landing[0].Body)
	require.Empty(t, landing[0].Header.Get("X-Key"))
	require.Empty(t, landing[0].Header.Get("X-Secret"))
	require.Equal(t, "p", landing[0].Header.Get("X-Public"))
}

func TestFollowRedirectsFalseReturnsTheRedirect(t *testing.T) {
	api := connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	res := newRunner(nil).run(t, map[string]any{"url": api.URL}, nil,
		map[string]any{"path": "/a", "fetcher": map[string]any{"follow_redirects": false}})
	require.Equal(t, connector.StatusError, res.Status)
	require.Equal(t, 302, res.HTTPStatus)
	require.Len(t, api.Requests(), 1)
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"ok none", map[string]any{"url": "https://api.example.com"}, nil, ""},
		{"ok oauth2", map[string]any{"url": "https://api.example.com", "authType": "oauth2",
			"accessTokenUrl": "https://login.example.com/token", "clientId": "cid"}, map[string]any{"clientSecret": "cs"}, ""},
		{"relative url", map[string]any{"url": "/api"}, nil, "is not an absolute http or https URL"},
		{"ftp url", map[string]any{"url": "ftp://h/x"}, nil, "is not an absolute http or https URL"},
		{"credentials in url", map[string]any{"url": "https://u:p@h/x"}, nil, "must not carry credentials"},
		{"unknown auth", map[string]any{"url": "https://h", "authType": "digest"}, nil, `"digest" is not supported`},
		{"basic without password", map[string]any{"url": "https://h", "authType": "basic"}, map[string]any{"user": "u"}, "needs secrets.password"},
		{"bearer without token", map[string]any{"url": "https://h", "authType": "bearer"}, nil, "needs secrets.token"},
		{"oauth2 missing", map[string]any{"url": "https://h", "authType": "oauth2"}, nil,
			"needs config.accessTokenUrl and config.clientId and secrets.clientSecret"},
		{"oauth2 bad additional fields", map[string]any{"url": "https://h", "authType": "oauth2", "accessTokenUrl": "https://h/t",
			"clientId": "c", "additionalFields": "[1]"}, map[string]any{"clientSecret": "s"}, "additionalFields must be a JSON object"},
		{"auth type without hasAuth", map[string]any{"url": "https://h", "hasAuth": false, "authType": "bearer"}, nil, "needs hasAuth true"},
		{"bad header name", map[string]any{"url": "https://h", "headers": map[string]any{"Bad Name": "v"}}, nil, "not a valid header name"},
		{"bad secret header value", map[string]any{"url": "https://h"}, map[string]any{"secretHeaders": map[string]any{"X": "a\r\nb"}}, "line break"},
		{"unknown verification mode", map[string]any{"url": "https://h", "verificationMode": "strict"}, nil, "verificationMode"},
	}
	typ := Type()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := typ.ValidateConfig(tt.config, tt.secrets)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := Type()
	require.Equal(t, "http", typ.StepType(""))
	compile := func(name string, raw json.RawMessage) *jsonschema.Schema {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err, name)
		c := jsonschema.NewCompiler()
		require.NoError(t, c.AddResource(name, doc))
		s, err := c.Compile(name)
		require.NoError(t, err, name)
		return s
	}
	compile("config.json", typ.ConfigSchema)
	compile("secrets.json", typ.SecretsSchema)
	params := compile("params.json", typ.Actions[""].ParamsSchema)
	seed := map[string]any{"path": "/v1/response-actions/isolate", "method": "POST",
		"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"endpoint_id": "x", "reason": "y"}}
	require.NoError(t, params.Validate(seed))
	require.Error(t, params.Validate(map[string]any{"header": map[string]any{}}))
}

func TestConnectionTest(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr string
	}{
		{"reachable", 404, ""},
		{"refused credentials", 401, "refused the connector's credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := connectortest.NewFake(t, connectortest.Answer(tt.status, "application/json", `{}`))
			conn := &connector.Connector{ID: "c", Config: map[string]any{"url": api.URL, "authType": "bearer"},
				Secrets: map[string]any{"token": "t"}}
			err := Type().Test(context.Background(), &connector.Call{Connector: conn, HTTP: httpclient.New(httpclient.Options{})})
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
			require.Equal(t, "Bearer t", api.Requests()[0].Header.Get("Authorization"))
		})
	}
}

func TestSecretsStayOutOfResults(t *testing.T) {
	api := connectortest.NewFake(t, connectortest.Answer(400, "application/json", `{"message":"bad request"}`))
	res := newRunner(nil).run(t, map[string]any{"url": api.URL, "authType": "basic"},
		map[string]any{"user": "ann", "password": "hunter2-secret"}, map[string]any{"path": "/x"})
	encoded, err := json.Marshal(res)
	require.NoError(t, err)
	require.False(t, strings.Contains(string(encoded), "hunter2-secret"))
	require.False(t, strings.Contains(string(encoded), "aHVudGVy"), "no base64 of the credentials")
}
