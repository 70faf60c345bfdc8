package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/connector/slack"
	"github.com/errand-dev/errand/internal/httpclient"
)

// hookPath is the secret part of the fake webhook URL.
const hookPath = "/services/T0001/B0001/s3cr3tHookToken"

// redactor stands in for the framework's redaction of secret values.
func redactor(secret string) httpclient.Redactor {
	return func(s string) string { return strings.ReplaceAll(s, secret, "[REDACTED]") }
}

func run(t *testing.T, webhookURL string, params map[string]any, redact httpclient.Redactor) connector.Result {
	t.Helper()
	typ := slack.Type()
	call := &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "security-alerts-channel", TypeID: slack.TypeID,
			Secrets: map[string]any{"webhookUrl": webhookURL}},
		Params: params,
		HTTP:   httpclient.New(httpclient.Options{Redact: redact, Now: func() time.Time { return time.Unix(0, 0) }}),
	}
	return typ.Actions[""].Run(context.Background(), call)
}

func TestPostMessageSendsTheSeedMessage(t *testing.T) {
	f := connectortest.NewFake(t, connectortest.Answer(200, "text/html", "ok"))
	r := run(t, f.URL+hookPath, map[string]any{
		"message": "High-priority alert: Suspicious login <admin> & co. Please investigate immediately.",
	}, nil)
	require.Equal(t, connector.OK(map[string]any{"ok": true, "text": "ok"}), r)
	f.RequireOneRequest(t, connectortest.Want{Method: http.MethodPost, Path: hookPath, Body: `{"text":"High-priority alert: Suspicious login <admin> & co. Please investigate immediately."}`,
		Header: map[string]string{"Content-Type": "application/json", "Authorization": "", "User-Agent": "Errand"}})
}

func TestPostMessageBody(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"the seed's notify_security_channel", map[string]any{"message": "High-priority alert: Brute force detected. Please investigate immediately."},
			`{"text":"High-priority alert: Brute force detected. Please investigate immediately."}`},
		{"message only", map[string]any{"message": "hi"}, `{"text":"hi"}`},
		{"overrides", map[string]any{"message": "hi", "channel": "#ops", "username": "errand", "icon_emoji": ":robot_face:", "icon_url": "https://example.com/i.png"},
			`{"text":"hi","channel":"#ops","username":"errand","icon_emoji":":robot_face:","icon_url":"https://example.com/i.png"}`},
		{"empty overrides are left out", map[string]any{"message": "hi", "channel": "", "username": ""}, `{"text":"hi"}`},
		{"unicode and newlines", map[string]any{"message": "é\n\"q\""}, `{"text":"é\n\"q\""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(200, "text/html", "ok"))
			r := run(t, f.URL+hookPath, tt.params, nil)
			require.Equal(t, connector.StatusOK, r.Status, r.Message)
			require.Len(t, f.Requests(), 1)
			require.Equal(t, tt.want, f.Requests()[0].Body)
		})
	}
}

func TestPostMessageAnswers(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		answer     http.HandlerFunc
		want       connector.Result
		retryAfter time.Duration
	}{
		{"incoming webhook ok", hookPath, connectortest.Answer(200, "text/html", "ok"),
			connector.OK(map[string]any{"ok": true, "text": "ok"}), 0},
		{"workflow webhook json ok", "/triggers/T0001/1234/s3cr3tHookToken", connectortest.Answer(200, "application/json", `{"ok":true}`),
			connector.OK(map[string]any{"ok": true}), 0},
		{"workflow webhook json ok:false", "/triggers/T0001/1234/s3cr3tHookToken", connectortest.Answer(200, "application/json", `{"ok":false,"error":"invalid_workflow_input"}`),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "invalid_workflow_input", ErrorSource: "user"}, 0},
		{"invalid_payload", hookPath, connectortest.Answer(400, "text/html", "invalid_payload"),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[400] invalid_payload", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"action_prohibited", hookPath, connectortest.Answer(403, "text/html", "action_prohibited"),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[403] action_prohibited", ErrorSource: "user", HTTPStatus: 403}, 0},
		{"no_service", hookPath, connectortest.Answer(404, "text/html", "no_service"),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[404] no_service", ErrorSource: "user", HTTPStatus: 404}, 0},
		{"channel_is_archived", hookPath, connectortest.Answer(410, "text/html", "channel_is_archived"),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[410] channel_is_archived", ErrorSource: "user", HTTPStatus: 410}, 0},
		{"workflow webhook 400 json", "/triggers/T0001/1234/s3cr3tHookToken", connectortest.Answer(400, "application/json", `{"ok":false,"error":"invalid_workflow_input"}`),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[400] invalid_workflow_input", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"rate limited", hookPath, connectortest.Answer(429, "text/html", "rate_limited", "Retry-After", "30"),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[429] rate_limited", Retry: true, RetryAfter: 30 * time.Second, ErrorSource: "framework", HTTPStatus: 429}, 30 * time.Second},
		{"server error without body", hookPath, connectortest.Answer(503, "text/plain", ""),
			connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "[503] Service Unavailable", Retry: true, ErrorSource: "framework", HTTPStatus: 503}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, f.URL+tt.path, map[string]any{"message": "hi"}, nil)
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			require.Len(t, f.Requests(), 1)
			connectortest.RequireNoSecret(t, r, "s3cr3tHookToken")
		})
	}
}

func TestPostMessageRejectsMissingParams(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		params  map[string]any
		message string
	}{
		{"no message", "", map[string]any{}, "message is required"},
		{"blank message", "", map[string]any{"message": "  "}, "message is required"},
		{"message not a string", "", map[string]any{"message": 42}, "message is required"},
		{"no webhook url", "none", map[string]any{"message": "hi"}, "webhook URL is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(200, "text/html", "ok"))
			url := f.URL + hookPath
			if tt.url == "none" {
				url = ""
			}
			r := run(t, url, tt.params, nil)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.False(t, r.Retry)
			require.Contains(t, r.Message, tt.message)
			require.Empty(t, f.Requests())
		})
	}
}

func TestPostMessageNeverPutsTheWebhookURLInAResult(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + hookPath
		srv.Close()
		r := run(t, url, map[string]any{"message": "hi"}, nil)
		require.Equal(t, connector.StatusError, r.Status)
		require.True(t, r.Retry)
		require.Equal(t, "the Slack webhook could not be reached: connection refused", r.ServiceMessage)
		connectortest.RequireNoSecret(t, r, "s3cr3tHookToken")
	})
	t.Run("remote echoes the URL", func(t *testing.T) {
		f := connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no_service for "+r.URL.Path, http.StatusNotFound)
		})
		r := run(t, f.URL+hookPath, map[string]any{"message": "hi"}, redactor("s3cr3tHookToken"))
		require.Equal(t, connector.StatusError, r.Status)
		require.Contains(t, r.ServiceMessage, "no_service")
		connectortest.RequireNoSecret(t, r, "s3cr3tHookToken")
	})
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		url     any
		wantErr string
	}{
		{"incoming webhook", "https://hooks.slack.com/services/T0/B0/x", ""},
		{"workflow webhook", "https://hooks.slack.com/triggers/T0/1/x", ""},
		{"other https host (the egress policy decides)", "https://slack-proxy.example.com/hook", ""},
		{"loopback http", "http://127.0.0.1:8080/services/x", ""},
		{"missing", nil, "webhookUrl is required"},
		{"not a url", "::nope", "not a valid URL"},
		{"plain http", "http://hooks.slack.com/services/T0/B0/x", "must use https"},
		{"credentials", "https://u:p@hooks.slack.com/services/x", "must not contain user credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := slack.Type().ValidateConfig(map[string]any{}, map[string]any{"webhookUrl": tt.url})
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			if s, ok := tt.url.(string); ok && s != "" {
				require.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := slack.Type()
	require.Equal(t, "slack", typ.StepType(""))
	secrets := connectortest.Schema(t, typ.SecretsSchema)
	require.NoError(t, secrets.Validate(map[string]any{"webhookUrl": "https://hooks.slack.com/services/x"}))
	require.Error(t, secrets.Validate(map[string]any{}))
	params := connectortest.Schema(t, typ.Actions[""].ParamsSchema)
	require.NoError(t, params.Validate(map[string]any{"message": "hi", "channel": "#ops"}))
	require.Error(t, params.Validate(map[string]any{"channel": "#ops"}))
	require.Error(t, params.Validate(map[string]any{"message": ""}))
	require.NoError(t, connectortest.Schema(t, typ.ConfigSchema).Validate(map[string]any{}))
}
