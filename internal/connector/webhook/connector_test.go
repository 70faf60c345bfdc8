package webhook_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/connector/webhook"
	"github.com/errand-dev/errand/internal/httpclient"
)

// Secrets of the tests.
const (
	user     = "automation"
	password = "pa55-w0rd-s3cr3t"
	apiToken = "tok-s3cr3t-123"
)

func run(t *testing.T, config, secrets, params map[string]any, redact httpclient.Redactor) connector.Result {
	t.Helper()
	call := &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "automation-hook", TypeID: webhook.TypeID, Config: config, Secrets: secrets},
		Params:    params,
		HTTP:      httpclient.New(httpclient.Options{Redact: redact}),
	}
	return webhook.Type().Actions[""].Run(context.Background(), call)
}

func basic(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }

func TestSendBuildsTheRequest(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		params  map[string]any
		method  string
		body    string
		headers map[string]string // expected; "" means absent
	}{
		{"default post with basic auth", map[string]any{"hasAuth": true, "authType": "webhook-authentication-basic"},
			map[string]any{"user": user, "password": password}, map[string]any{"body": `{"alert":"x"}`},
			"POST", `{"alert":"x"}`, map[string]string{"Authorization": basic(user, password), "Content-Type": "application/json"}},
		{"put with a text body", map[string]any{"method": "put", "hasAuth": false},
			map[string]any{}, map[string]any{"body": "plain <text> & more"},
			"PUT", "plain <text> & more", map[string]string{"Authorization": "", "Content-Type": "text/plain; charset=utf-8"}},
		{"hasAuth false sends no credentials", map[string]any{"hasAuth": false},
			map[string]any{"user": user, "password": password}, map[string]any{},
			"POST", "", map[string]string{"Authorization": "", "Content-Type": ""}},
		{"secret headers override config headers", map[string]any{"headers": map[string]any{"X-Api-Key": "public", "X-Team": "ops", "Content-Type": "application/x-ndjson"}},
			map[string]any{"secretHeaders": map[string]any{"x-api-key": apiToken}}, map[string]any{"body": "{}\n{}"},
			"POST", "{}\n{}", map[string]string{"X-Api-Key": apiToken, "X-Team": "ops", "Content-Type": "application/x-ndjson"}},
		{"user headers override the generated Authorization", map[string]any{"headers": map[string]any{"Authorization": "Bearer cfg"}},
			map[string]any{"user": user, "password": password}, map[string]any{},
			"POST", "", map[string]string{"Authorization": "Bearer cfg"}},
		{"step headers override the connector's", map[string]any{"headers": map[string]any{"X-Team": "ops"}},
			map[string]any{"secretHeaders": map[string]any{"X-Api-Key": apiToken}}, map[string]any{"headers": map[string]any{"X-Team": "sec", "X-Run": "7"}},
			"POST", "", map[string]string{"X-Api-Key": apiToken, "X-Team": "sec", "X-Run": "7"}},
		{"object body is sent as JSON", map[string]any{}, map[string]any{}, map[string]any{"body": map[string]any{"a": "<b>"}},
			"POST", `{"a":"\u003cb\u003e"}`, map[string]string{"Content-Type": "application/json"}},
		{"get sends no body", map[string]any{"method": "get"}, map[string]any{}, map[string]any{"body": "ignored"},
			"GET", "", map[string]string{"Content-Type": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(200, "application/json", `{"received":true}`))
			tt.config["url"] = f.URL + "/hooks/errand?source=ci"
			r := run(t, tt.config, tt.secrets, tt.params, nil)
			require.Equal(t, connector.StatusOK, r.Status, r.ServiceMessage)
			f.RequireOneRequest(t, connectortest.Want{Method: tt.method, Path: "/hooks/errand", RawQuery: "source=ci", Body: tt.body,
				Header: tt.headers})
		})
	}
}

func TestSendOutput(t *testing.T) {
	tests := []struct {
		name   string
		answer http.HandlerFunc
		data   any
	}{
		{"json answer", connectortest.Answer(201, "application/json; charset=utf-8", `{"id":42,"ok":true}`, "X-Request-Id", "r-1"),
			map[string]any{"id": 42.0, "ok": true}},
		{"text answer", connectortest.Answer(201, "text/plain", "accepted", "X-Request-Id", "r-1"), "accepted"},
		{"invalid json stays text", connectortest.Answer(201, "application/json", "{nope", "X-Request-Id", "r-1"), "{nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, map[string]any{"url": f.URL}, map[string]any{}, map[string]any{"body": "{}"}, nil)
			require.Equal(t, connector.StatusOK, r.Status)
			out := r.Data.(map[string]any)
			require.Equal(t, 201, out["status"])
			require.Equal(t, "Created", out["statusText"])
			require.Equal(t, tt.data, out["data"])
			headers := out["headers"].(map[string]any)
			require.Equal(t, "r-1", headers["x-request-id"])
			require.NotEmpty(t, headers["content-type"])
		})
	}
}

func TestSendMapsErrors(t *testing.T) {
	tests := []struct {
		name       string
		answer     http.HandlerFunc
		want       connector.Result
		retryAfter time.Duration
	}{
		{"bad request", connectortest.Answer(400, "application/json", `{"message":"field 'alert' is required"}`),
			connector.Result{Status: "error", Message: "error calling webhook", ServiceMessage: "[400] field 'alert' is required", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"unauthorized", connectortest.Answer(401, "application/problem+json", `{"title":"Unauthorized","detail":"bad credentials"}`),
			connector.Result{Status: "error", Message: "error calling webhook", ServiceMessage: "[401] Unauthorized: bad credentials", ErrorSource: "user", HTTPStatus: 401}, 0},
		{"rate limited", connectortest.Answer(429, "text/plain", "slow down", "Retry-After", "5"),
			connector.Result{Status: "error", Message: "error calling webhook", ServiceMessage: "[429] slow down", Retry: true, RetryAfter: 5 * time.Second, ErrorSource: "framework", HTTPStatus: 429}, 5 * time.Second},
		{"server error", connectortest.Answer(502, "text/plain", "upstream down"),
			connector.Result{Status: "error", Message: "error calling webhook", ServiceMessage: "[502] upstream down", Retry: true, ErrorSource: "framework", HTTPStatus: 502}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, map[string]any{"url": f.URL}, map[string]any{"user": user, "password": password}, map[string]any{"body": "{}"}, nil)
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			require.Len(t, f.Requests(), 1)
		})
	}
}

func TestSendNeverPutsSecretsInAResult(t *testing.T) {
	// The endpoint echoes the request headers in its error; the client's redactor stands in
	// for the framework's.
	f := connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "rejected "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Api-Key"), http.StatusForbidden)
	})
	encoded := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	redact := func(s string) string {
		return strings.NewReplacer(encoded, "[REDACTED]", apiToken, "[REDACTED]").Replace(s)
	}
	r := run(t, map[string]any{"url": f.URL}, map[string]any{"user": user, "password": password,
		"secretHeaders": map[string]any{"X-Api-Key": apiToken}}, map[string]any{}, redact)
	require.Equal(t, "[403] rejected Basic [REDACTED] [REDACTED]", r.ServiceMessage)
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	for _, secret := range []string{password, encoded, apiToken} {
		require.NotContains(t, string(raw), secret)
	}
}

func TestSendRejectsBadParams(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		params  map[string]any
		message string
	}{
		{"no url", map[string]any{}, map[string]any{}, "the webhook URL is missing"},
		{"body of the wrong type", map[string]any{"url": "set"}, map[string]any{"body": 12.0}, "body must be a string or an object"},
		{"header not a string", map[string]any{"url": "set"}, map[string]any{"headers": map[string]any{"X-N": 1.0}}, `step headers: the value of header "X-N" must be a string`},
		{"headers not an object", map[string]any{"url": "set", "headers": "X-A: b"}, map[string]any{}, "headers must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(200, "", ""))
			if tt.config["url"] == "set" {
				tt.config["url"] = f.URL
			}
			r := run(t, tt.config, map[string]any{}, tt.params, nil)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.True(t, strings.HasPrefix(r.Message, tt.message), r.Message)
			require.Empty(t, f.Requests())
		})
	}
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"minimal", map[string]any{"url": "https://hooks.example.com/x"}, map[string]any{}, ""},
		{"basic", map[string]any{"url": "https://hooks.example.com/x", "method": "put", "hasAuth": true, "authType": "webhook-authentication-basic"},
			map[string]any{"user": "u", "password": "p"}, ""},
		{"no url", map[string]any{}, map[string]any{}, "url must be an absolute http(s) URL"},
		{"ftp url", map[string]any{"url": "ftp://x.example.com"}, map[string]any{}, "url must be an absolute http(s) URL"},
		{"credentials in url", map[string]any{"url": "https://u:p@x.example.com"}, map[string]any{}, "url must not contain credentials"},
		{"bad method", map[string]any{"url": "https://x.example.com", "method": "head"}, map[string]any{}, `method "head" is not one of`},
		{"ssl auth", map[string]any{"url": "https://x.example.com", "authType": "webhook-authentication-ssl"}, map[string]any{}, "is not supported by .webhook yet"},
		{"auth type without auth", map[string]any{"url": "https://x.example.com", "hasAuth": false, "authType": "webhook-authentication-basic"}, map[string]any{}, "authType must be empty when hasAuth is false"},
		{"user without password", map[string]any{"url": "https://x.example.com"}, map[string]any{"user": "u"}, "needs both user and password"},
		{"bad secret headers", map[string]any{"url": "https://x.example.com"}, map[string]any{"secretHeaders": map[string]any{"X": true}}, `secretHeaders: the value of header "X" must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.RequireValidation(t, webhook.Type().ValidateConfig(tt.config, tt.secrets), tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := webhook.Type()
	require.Equal(t, "webhook", typ.StepType(""))
	config := connectortest.Schema(t, typ.ConfigSchema)
	require.NoError(t, config.Validate(map[string]any{"url": "https://x.example.com", "method": "post", "headers": nil, "hasAuth": true, "authType": nil}))
	require.Error(t, config.Validate(map[string]any{"method": "post"}))
	secrets := connectortest.Schema(t, typ.SecretsSchema)
	require.NoError(t, secrets.Validate(map[string]any{"user": "u", "password": "p", "secretHeaders": map[string]any{"X": "y"}}))
	require.Error(t, secrets.Validate(map[string]any{"token": "t"}))
	params := connectortest.Schema(t, typ.Actions[""].ParamsSchema)
	require.NoError(t, params.Validate(map[string]any{"body": "{}", "headers": map[string]any{"X": "y"}}))
	require.Error(t, params.Validate(map[string]any{"url": "https://elsewhere"}))
}
