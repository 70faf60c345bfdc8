package teams_test

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
	"github.com/errand-dev/errand/internal/connector/teams"
	"github.com/errand-dev/errand/internal/httpclient"
)

// Webhook paths: the secret parts are "s3cr3tGuid" and "s3cr3tSig".
const (
	o365Path     = "/webhookb2/s3cr3tGuid@tenant/IncomingWebhook/abc/def"
	workflowPath = "/workflows/0123/triggers/manual/paths/invoke"
	workflowQS   = "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3tSig"
)

func run(t *testing.T, webhookURL string, params map[string]any, redact httpclient.Redactor) connector.Result {
	t.Helper()
	call := &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "ops-channel", TypeID: teams.TypeID,
			Secrets: map[string]any{"webhookUrl": webhookURL}},
		Params: params,
		HTTP:   httpclient.New(httpclient.Options{Redact: redact}),
	}
	return teams.Type().Actions[""].Run(context.Background(), call)
}

func TestPostMessage(t *testing.T) {
	const throttledBody = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0..ErrorCode:ApplicationThrottled"
	tests := []struct {
		name       string
		path       string
		answer     http.HandlerFunc
		want       connector.Result
		retryAfter time.Duration
	}{
		{"office 365 connector", o365Path, connectortest.Answer(200, "text/plain; charset=utf-8", "1"),
			connector.OK(map[string]any{"ok": true, "status": 200, "text": "1"}), 0},
		{"workflows url", workflowPath + workflowQS, connectortest.Answer(202, "", ""),
			connector.OK(map[string]any{"ok": true, "status": 202}), 0},
		{"throttled in a 200", o365Path, connectortest.Answer(200, "text/plain", throttledBody, "Retry-After", "12"),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "Microsoft Teams throttled the webhook (ApplicationThrottled)",
				Retry: true, RetryAfter: 12 * time.Second, ErrorSource: "framework", HTTPStatus: 200}, 12 * time.Second},
		{"bad payload", o365Path, connectortest.Answer(400, "text/plain", "Bad payload received by generic incoming webhook."),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[400] Bad payload received by generic incoming webhook.", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"workflows auth error", workflowPath + workflowQS, connectortest.Answer(401, "application/json", `{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated only by Shared Access scheme."}}`),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[401] The request must be authenticated only by Shared Access scheme.", ErrorSource: "user", HTTPStatus: 401}, 0},
		{"429", workflowPath + workflowQS, connectortest.Answer(429, "application/json", `{"error":{"code":"WorkflowTriggerIsThrottled","message":"Rate limit is exceeded."}}`, "Retry-After", "7"),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[429] Rate limit is exceeded.", Retry: true, RetryAfter: 7 * time.Second, ErrorSource: "framework", HTTPStatus: 429}, 7 * time.Second},
		{"502 without body", o365Path, connectortest.Answer(502, "", ""),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[502] Bad Gateway", Retry: true, ErrorSource: "framework", HTTPStatus: 502}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, f.URL+tt.path, map[string]any{"message": "Deploy <b>finished</b> & verified"}, nil)
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			path, query, _ := strings.Cut(tt.path, "?")
			f.RequireOneRequest(t, connectortest.Want{Method: http.MethodPost, Path: path, RawQuery: query, Body: `{"text":"Deploy <b>finished</b> & verified"}`,
				Header: map[string]string{"Content-Type": "application/json", "Authorization": ""}})
			connectortest.RequireNoSecret(t, r, "s3cr3tGuid", "s3cr3tSig")
		})
	}
}

func TestPostMessageRejectsMissingParams(t *testing.T) {
	tests := []struct {
		name    string
		noURL   bool
		params  map[string]any
		message string
	}{
		{"no message", false, map[string]any{}, "message is required"},
		{"blank message", false, map[string]any{"message": " \n"}, "message is required"},
		{"no webhook url", true, map[string]any{"message": "hi"}, "webhook URL is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(200, "text/plain", "1"))
			url := f.URL + o365Path
			if tt.noURL {
				url = ""
			}
			r := run(t, url, tt.params, nil)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.Contains(t, r.Message, tt.message)
			require.Empty(t, f.Requests())
		})
	}
}

func TestPostMessageNeverPutsTheWebhookURLInAResult(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL + workflowPath + workflowQS
		srv.Close()
		r := run(t, url, map[string]any{"message": "hi"}, nil)
		require.True(t, r.Retry)
		require.Equal(t, "the Teams webhook could not be reached: connection refused", r.ServiceMessage)
		connectortest.RequireNoSecret(t, r, "s3cr3tGuid", "s3cr3tSig")
	})
	t.Run("remote echoes the URL", func(t *testing.T) {
		f := connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no connector at "+r.URL.String(), http.StatusNotFound)
		})
		redact := func(s string) string {
			return strings.NewReplacer("s3cr3tGuid", "[REDACTED]", "s3cr3tSig", "[REDACTED]").Replace(s)
		}
		r := run(t, f.URL+o365Path+workflowQS, map[string]any{"message": "hi"}, redact)
		require.Contains(t, r.ServiceMessage, "[404] no connector at")
		connectortest.RequireNoSecret(t, r, "s3cr3tGuid", "s3cr3tSig")
	})
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		url     any
		wantErr string
	}{
		{"office 365", "https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z", ""},
		{"workflows", "https://prod-01.westus.logic.azure.com:443/workflows/1/triggers/manual/paths/invoke?sig=x", ""},
		{"loopback http", "http://localhost:9000/hook", ""},
		{"missing", "", "webhookUrl is required"},
		{"relative", "/hook", "not a valid URL"},
		{"plain http", "http://contoso.webhook.office.com/webhookb2/x", "must use https"},
		{"credentials", "https://a:b@contoso.webhook.office.com/x", "must not contain user credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.RequireValidation(t, teams.Type().ValidateConfig(nil, map[string]any{"webhookUrl": tt.url}), tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := teams.Type()
	require.Equal(t, "teams", typ.StepType(""))
	require.NoError(t, connectortest.Schema(t, typ.SecretsSchema).Validate(map[string]any{"webhookUrl": "https://x.webhook.office.com/y"}))
	params := connectortest.Schema(t, typ.Actions[""].ParamsSchema)
	require.NoError(t, params.Validate(map[string]any{"message": "hi"}))
	require.Error(t, params.Validate(map[string]any{}))
	require.Error(t, params.Validate(map[string]any{"message": "hi", "title": "x"}))
	require.NoError(t, connectortest.Schema(t, typ.ConfigSchema).Validate(map[string]any{}))
}
