package pagerduty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/connector/pagerduty"
	"github.com/errand-dev/errand/internal/httpclient"
)

// routingKey is the secret (32 characters, like a real integration key).
const routingKey = "R0UT1NGKEYs3cr3t0123456789abcdef"

// accepted answers like the Events API v2 for a valid event.
func accepted(w http.ResponseWriter, r *http.Request) {
	var ev struct {
		DedupKey string `json:"dedup_key"`
	}
	_ = json.NewDecoder(r.Body).Decode(&ev)
	if ev.DedupKey == "" {
		ev.DedupKey = "5bb0ee0ba9ad47c4bd1e4f3e0b8e8c47"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = fmt.Fprintf(w, `{"status":"success","message":"Event processed","dedup_key":%q}`, ev.DedupKey)
}

func run(t *testing.T, apiURL string, params map[string]any, opts httpclient.Options) connector.Result {
	t.Helper()
	call := &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "oncall", TypeID: pagerduty.TypeID,
			Config: map[string]any{"apiUrl": apiURL}, Secrets: map[string]any{"routingKey": routingKey}},
		Params: params,
		HTTP:   httpclient.New(opts),
	}
	return pagerduty.Type().Actions[""].Run(context.Background(), call)
}

func TestEnqueueSendsEvents(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]any
		body   string
		dedup  string
	}{
		{"trigger with every field", map[string]any{
			"eventAction": "trigger", "dedupKey": "login-42", "summary": "Suspicious login <admin> & co",
			"source": "auth-gateway", "severity": "critical", "timestamp": "2026-01-15T09:00:00.000Z",
			"component": "sshd", "group": "prod", "class": "security",
			"customDetails": map[string]any{"user": "root", "attempts": 7},
			"links":         []any{map[string]any{"href": "https://siem.example.com/a/42", "text": "Alert"}},
			"images":        []any{map[string]any{"src": "https://x.example.com/g.png", "href": "https://x.example.com", "alt": "graph"}},
		}, `{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"login-42","payload":{"summary":"Suspicious login <admin> & co","source":"auth-gateway","severity":"critical","timestamp":"2026-01-15T09:00:00.000Z","component":"sshd","group":"prod","class":"security","custom_details":{"attempts":7,"user":"root"}},"links":[{"href":"https://siem.example.com/a/42","text":"Alert"}],"images":[{"src":"https://x.example.com/g.png","href":"https://x.example.com","alt":"graph"}]}`,
			"login-42"},
		{"trigger with defaults", map[string]any{"summary": "Disk full"},
			`{"routing_key":"` + routingKey + `","event_action":"trigger","payload":{"summary":"Disk full","source":"Errand","severity":"info"}}`,
			"5bb0ee0ba9ad47c4bd1e4f3e0b8e8c47"},
		{"custom details rendered as a JSON string", map[string]any{"summary": "x", "customDetails": `{"a":"b"}`, "links": `[{"href":"https://e.example.com"}]`},
			`{"routing_key":"` + routingKey + `","event_action":"trigger","payload":{"summary":"x","source":"Errand","severity":"info","custom_details":{"a":"b"}},"links":[{"href":"https://e.example.com"}]}`,
			"5bb0ee0ba9ad47c4bd1e4f3e0b8e8c47"},
		{"acknowledge has no payload", map[string]any{"eventAction": "acknowledge", "dedupKey": "login-42", "summary": "ignored"},
			`{"routing_key":"` + routingKey + `","event_action":"acknowledge","dedup_key":"login-42"}`, "login-42"},
		{"resolve has no payload", map[string]any{"eventAction": "resolve", "dedupKey": "login-42"},
			`{"routing_key":"` + routingKey + `","event_action":"resolve","dedup_key":"login-42"}`, "login-42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, accepted)
			r := run(t, f.URL+"/v2/enqueue", tt.params, httpclient.Options{})
			require.Equal(t, connector.OK(map[string]any{"status": "success", "message": "Event processed", "dedup_key": tt.dedup}), r)
			f.RequireOneRequest(t, connectortest.Want{Method: http.MethodPost, Path: "/v2/enqueue", Body: tt.body,
				Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json", "Authorization": ""}})
		})
	}
}

func TestEnqueueRejectsBadParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]any
		message string
	}{
		{"trigger without summary", map[string]any{"eventAction": "trigger"}, "summary is required to trigger an alert"},
		{"resolve without dedupKey", map[string]any{"eventAction": "resolve"}, "dedupKey is required to resolve an alert"},
		{"acknowledge without dedupKey", map[string]any{"eventAction": "acknowledge"}, "dedupKey is required to acknowledge an alert"},
		{"unknown action", map[string]any{"eventAction": "snooze", "summary": "x"}, `eventAction "snooze" is not one of`},
		{"unknown severity", map[string]any{"summary": "x", "severity": "high"}, `severity "high" is not one of`},
		{"bad timestamp", map[string]any{"summary": "x", "timestamp": "yesterday"}, `timestamp "yesterday" is not an ISO 8601 date-time`},
		{"long dedupKey", map[string]any{"summary": "x", "dedupKey": strings.Repeat("k", 256)}, "dedupKey is 256 characters long; PagerDuty allows 255"},
		{"long summary", map[string]any{"summary": strings.Repeat("s", 1025)}, "summary is 1025 characters long; PagerDuty allows 1024"},
		{"links not a list", map[string]any{"summary": "x", "links": 3}, "links must be a list of objects"},
		{"link without href", map[string]any{"summary": "x", "links": []any{map[string]any{"text": "t"}}}, "links[0].href is required"},
		{"image without src", map[string]any{"summary": "x", "images": []any{map[string]any{"alt": "a"}}}, "images[0].src is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, accepted)
			r := run(t, f.URL+"/v2/enqueue", tt.params, httpclient.Options{})
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.False(t, r.Retry)
			require.True(t, strings.HasPrefix(r.Message, tt.message), r.Message)
			require.Empty(t, f.Requests())
		})
	}
}

func TestEnqueueAnswers(t *testing.T) {
	const summary = "error posting pagerduty event"
	tests := []struct {
		name       string
		answer     http.HandlerFunc
		want       connector.Result
		retryAfter time.Duration
	}{
		{"invalid event", connectortest.Answer(400, "application/json",
			`{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`),
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[400] Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)",
				ErrorSource: "user", HTTPStatus: 400}, 0},
		{"invalid event without errors", connectortest.Answer(400, "application/json", `{"status":"invalid event","message":"Event object is invalid"}`),
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[400] Event object is invalid", ErrorSource: "user", HTTPStatus: 400}, 0},
		{"rate limited", connectortest.Answer(429, "application/json", `{"status":"throttle exceeded","message":"Requests for this service are arriving too quickly.  Please retry later."}`, "Retry-After", "20"),
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[429] Requests for this service are arriving too quickly.  Please retry later.",
				Retry: true, RetryAfter: 20 * time.Second, ErrorSource: "framework", HTTPStatus: 429}, 20 * time.Second},
		{"server error", connectortest.Answer(500, "text/html", "<html><title>Internal Server Error</title></html>"),
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[500] Internal Server Error", Retry: true, ErrorSource: "framework", HTTPStatus: 500}, 0},
		{"2xx that is not JSON", connectortest.Answer(202, "text/plain", "queued"),
			connector.Result{Status: "error", Message: summary, ServiceMessage: "PagerDuty answered 202 with a body that is not JSON", ErrorSource: "framework", HTTPStatus: 202}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, f.URL+"/v2/enqueue", map[string]any{"summary": "x"}, httpclient.Options{})
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			require.Len(t, f.Requests(), 1)
		})
	}
}

func TestEnqueueNeverPutsTheRoutingKeyInAResult(t *testing.T) {
	// The remote echoes the routing key; the client's redactor stands in for the framework's.
	f := connectortest.NewFake(t, connectortest.Answer(400, "application/json", `{"status":"invalid event","message":"Event object is invalid","errors":["unknown routing_key `+routingKey+`"]}`))
	redact := func(s string) string { return strings.ReplaceAll(s, routingKey, "[REDACTED]") }
	r := run(t, f.URL+"/v2/enqueue", map[string]any{"summary": "x"}, httpclient.Options{Redact: redact})
	require.Equal(t, "[400] Event object is invalid: unknown routing_key [REDACTED]", r.ServiceMessage)
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	require.NotContains(t, string(raw), routingKey)
}

func TestEnqueueUsesTheDefaultEndpoint(t *testing.T) {
	// An egress policy that allows no host shows the URL the request was for, offline.
	r := run(t, "", map[string]any{"summary": "x"}, httpclient.Options{AllowedHosts: []string{"nothing.invalid"}})
	require.Equal(t, connector.StatusError, r.Status)
	require.Contains(t, r.ServiceMessage, pagerduty.DefaultAPIURL)
	require.NotContains(t, r.ServiceMessage, routingKey)
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"defaults", map[string]any{}, map[string]any{"routingKey": routingKey}, ""},
		{"custom endpoint", map[string]any{"apiUrl": "https://events.eu.pagerduty.com/v2/enqueue"}, map[string]any{"routingKey": routingKey}, ""},
		{"null endpoint", map[string]any{"apiUrl": nil}, map[string]any{"routingKey": routingKey}, ""},
		{"relative endpoint", map[string]any{"apiUrl": "/v2/enqueue"}, map[string]any{"routingKey": routingKey}, "apiUrl must be an absolute http(s) URL"},
		{"ftp endpoint", map[string]any{"apiUrl": "ftp://events.pagerduty.com"}, map[string]any{"routingKey": routingKey}, "apiUrl must be an absolute http(s) URL"},
		{"no routing key", map[string]any{}, map[string]any{}, "routingKey is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.RequireValidation(t, pagerduty.Type().ValidateConfig(tt.config, tt.secrets), tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := pagerduty.Type()
	require.Equal(t, "pagerduty", typ.StepType(""))
	require.NoError(t, connectortest.Schema(t, typ.SecretsSchema).Validate(map[string]any{"routingKey": routingKey}))
	require.Error(t, connectortest.Schema(t, typ.SecretsSchema).Validate(map[string]any{}))
	require.NoError(t, connectortest.Schema(t, typ.ConfigSchema).Validate(map[string]any{"apiUrl": "https://events.pagerduty.com/v2/enqueue"}))
	params := connectortest.Schema(t, typ.Actions[""].ParamsSchema)
	require.NoError(t, params.Validate(map[string]any{"eventAction": "trigger", "summary": "x", "severity": "error",
		"links": []any{map[string]any{"href": "https://a"}}, "customDetails": map[string]any{"k": "v"}}))
	require.Error(t, params.Validate(map[string]any{"severity": "high"}))
	require.Error(t, params.Validate(map[string]any{"eventAction": "snooze"}))
	require.Error(t, params.Validate(map[string]any{"summary": "x", "unknown": 1}))
}
