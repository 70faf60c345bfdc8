package teams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/teams"
	"github.com/errand-dev/errand/internal/httpclient"
)

// Webhook paths: the secret parts are "s3cr3tGuid" and "s3cr3tSig".
const (
	o365Path     = "/webhookb2/s3cr3tGuid@tenant/IncomingWebhook/abc/def"
	workflowPath = "/workflows/0123/triggers/manual/paths/invoke"
	workflowQS   = "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3tSig"
)

// request is what the fake Teams received.
type request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     string
}

// fakeTeams records requests and answers with the handler's response.
type fakeTeams struct {
	mu   sync.Mutex
	reqs []request
	srv  *httptest.Server
}

func newFake(t *testing.T, answer http.HandlerFunc) *fakeTeams {
	t.Helper()
	f := &fakeTeams{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		f.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTeams) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

// answer returns a handler writing status, content type, body and extra headers.
func answer(status int, contentType, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

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

// requireNoSecret fails when a secret appears anywhere in the result.
func requireNoSecret(t *testing.T, r connector.Result) {
	t.Helper()
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	for _, secret := range []string{"s3cr3tGuid", "s3cr3tSig"} {
		require.NotContains(t, string(raw), secret)
		require.NotContains(t, fmt.Sprintf("%+v", r), secret)
	}
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
		{"office 365 connector", o365Path, answer(200, "text/plain; charset=utf-8", "1"),
			connector.OK(map[string]any{"ok": true, "status": 200, "text": "1"}), 0},
		{"workflows url", workflowPath + workflowQS, answer(202, "", ""),
			connector.OK(map[string]any{"ok": true, "status": 202}), 0},
		{"throttled in a 200", o365Path, answer(200, "text/plain", throttledBody, "Retry-After", "12"),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "Microsoft Teams throttled the webhook (ApplicationThrottled)",
				Retry: true, RetryAfter: 12 * time.Second, ErrorSource: "framework", HTTPStatus: 200}, 12 * time.Second},
		{"bad payload", o365Path, answer(400, "text/plain", "Bad payload received by generic incoming webhook."),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[400] Bad payload received by generic incoming webhook.", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"workflows auth error", workflowPath + workflowQS, answer(401, "application/json", `{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated only by Shared Access scheme."}}`),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[401] The request must be authenticated only by Shared Access scheme.", ErrorSource: "user", HTTPStatus: 401}, 0},
		{"429", workflowPath + workflowQS, answer(429, "application/json", `{"error":{"code":"WorkflowTriggerIsThrottled","message":"Rate limit is exceeded."}}`, "Retry-After", "7"),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[429] Rate limit is exceeded.", Retry: true, RetryAfter: 7 * time.Second, ErrorSource: "framework", HTTPStatus: 429}, 7 * time.Second},
		{"502 without body", o365Path, answer(502, "", ""),
			connector.Result{Status: "error", Message: "error posting to Microsoft Teams", ServiceMessage: "[502] Bad Gateway", Retry: true, ErrorSource: "framework", HTTPStatus: 502}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			r := run(t, f.srv.URL+tt.path, map[string]any{"message": "Deploy <b>finished</b> & verified"}, nil)
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			require.Equal(t, http.MethodPost, reqs[0].Method)
			path, query, _ := strings.Cut(tt.path, "?")
			require.Equal(t, path, reqs[0].Path)
			require.Equal(t, query, reqs[0].RawQuery)
			require.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			require.Empty(t, reqs[0].Header.Get("Authorization"))
			require.Equal(t, `{"text":"Deploy <b>finished</b> & verified"}`, reqs[0].Body)
			requireNoSecret(t, r)
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
			f := newFake(t, answer(200, "text/plain", "1"))
			url := f.srv.URL + o365Path
			if tt.noURL {
				url = ""
			}
			r := run(t, url, tt.params, nil)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.Contains(t, r.Message, tt.message)
			require.Empty(t, f.requests())
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
		requireNoSecret(t, r)
	})
	t.Run("remote echoes the URL", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no connector at "+r.URL.String(), http.StatusNotFound)
		})
		redact := func(s string) string {
			return strings.NewReplacer("s3cr3tGuid", "[REDACTED]", "s3cr3tSig", "[REDACTED]").Replace(s)
		}
		r := run(t, f.srv.URL+o365Path+workflowQS, map[string]any{"message": "hi"}, redact)
		require.Contains(t, r.ServiceMessage, "[404] no connector at")
		requireNoSecret(t, r)
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
			err := teams.Type().ValidateConfig(nil, map[string]any{"webhookUrl": tt.url})
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := teams.Type()
	require.Equal(t, "teams", typ.StepType(""))
	require.NoError(t, compile(t, typ.SecretsSchema).Validate(map[string]any{"webhookUrl": "https://x.webhook.office.com/y"}))
	params := compile(t, typ.Actions[""].ParamsSchema)
	require.NoError(t, params.Validate(map[string]any{"message": "hi"}))
	require.Error(t, params.Validate(map[string]any{}))
	require.Error(t, params.Validate(map[string]any{"message": "hi", "title": "x"}))
	require.NoError(t, compile(t, typ.ConfigSchema).Validate(map[string]any{}))
}

func compile(t *testing.T, schema json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}
