package opsgenie_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/connector/opsgenie"
	"github.com/errand-dev/errand/internal/httpclient"
)

// apiKey is the secret.
const apiKey = "eb243592-faa2-4ba2-a551-1afdf565c889"

// accepted is Opsgenie's answer to an accepted request.
const accepted = `{"result":"Request will be processed","took":0.302,"requestId":"43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}`

func run(t *testing.T, action, apiURL string, params map[string]any, redact httpclient.Redactor) connector.Result {
	t.Helper()
	call := &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "opsgenie", TypeID: opsgenie.TypeID,
			Config: map[string]any{"apiUrl": apiURL}, Secrets: map[string]any{"apiKey": apiKey}},
		Params: params,
		HTTP:   httpclient.New(httpclient.Options{Redact: redact}),
	}
	return opsgenie.Type().Actions[action].Run(context.Background(), call)
}

func okResult() connector.Result {
	return connector.OK(map[string]any{"result": "Request will be processed", "took": 0.302, "requestId": "43a29c5c-3dbf-4fa4-9c26-f4f71023e120"})
}

func TestActionsSendTheAlertAPIRequests(t *testing.T) {
	long := strings.Repeat("a", 600)
	sum := sha256.Sum256([]byte(long))
	hashed := "sha-" + hex.EncodeToString(sum[:])
	tests := []struct {
		name   string
		action string
		params map[string]any
		path   string
		query  string
		body   string
	}{
		{"create with every field", "createAlert", map[string]any{
			"message": "Disk <full> & failing", "alias": "disk-web-1", "description": "df says 100%",
			"responders": []any{map[string]any{"name": "ops", "type": "team"}, map[string]any{"username": "a@example.com", "type": "user"}},
			"visibleTo":  []any{map[string]any{"id": "4513b7ea", "type": "team"}},
			"actions":    []any{"Restart", "Ping"}, "tags": []any{"disk", "prod"},
			"details": map[string]any{"host": "web-1", "usage": 100.0, "critical": true},
			"entity":  "web-1", "source": "errand", "priority": "P1", "user": "errand-bot", "note": "auto",
		}, "/v2/alerts", "",
			`{"message":"Disk <full> & failing","alias":"disk-web-1","description":"df says 100%","responders":[{"name":"ops","type":"team"},{"type":"user","username":"a@example.com"}],"visibleTo":[{"id":"4513b7ea","type":"team"}],"actions":["Restart","Ping"],"tags":["disk","prod"],"details":{"critical":"true","host":"web-1","usage":"100"},"entity":"web-1","source":"errand","priority":"P1","user":"errand-bot","note":"auto"}`},
		{"create with message only", "createAlert", map[string]any{"message": "hi"}, "/v2/alerts", "", `{"message":"hi"}`},
		{"create cuts the message and hashes a long alias", "createAlert", map[string]any{"message": strings.Repeat("m", 140), "alias": long},
			"/v2/alerts", "", `{"message":"` + strings.Repeat("m", 130) + `","alias":"` + hashed + `"}`},
		{"create with lists rendered as JSON strings", "createAlert", map[string]any{"message": "hi", "tags": `["a","b"]`, "details": `{"k":"v"}`},
			"/v2/alerts", "", `{"message":"hi","tags":["a","b"],"details":{"k":"v"}}`},
		{"close", "closeAlert", map[string]any{"alias": "disk-web-1", "user": "errand-bot", "source": "errand", "note": "fixed"},
			"/v2/alerts/disk-web-1/close", "identifierType=alias", `{"user":"errand-bot","source":"errand","note":"fixed"}`},
		{"close escapes the alias", "closeAlert", map[string]any{"alias": "db/primary down?"},
			"/v2/alerts/db%2Fprimary%20down%3F/close", "identifierType=alias", `{}`},
		{"close hashes a long alias like create", "closeAlert", map[string]any{"alias": long},
			"/v2/alerts/" + hashed + "/close", "identifierType=alias", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(http.StatusAccepted, "application/json", accepted))
			r := run(t, tt.action, f.URL+"/", tt.params, nil)
			require.Equal(t, okResult(), r)
			f.RequireOneRequest(t, connectortest.Want{Method: http.MethodPost, Path: tt.path, RawQuery: tt.query, Body: tt.body,
				Header: map[string]string{"Authorization": "GenieKey " + apiKey, "Content-Type": "application/json"}})
		})
	}
}

func TestActionsRejectBadParams(t *testing.T) {
	tests := []struct {
		name    string
		action  string
		params  map[string]any
		message string
	}{
		{"create without message", "createAlert", map[string]any{"alias": "x"}, "message is required"},
		{"bad priority", "createAlert", map[string]any{"message": "m", "priority": "P0"}, `priority "P0" is not one of`},
		{"long description", "createAlert", map[string]any{"message": "m", "description": strings.Repeat("d", 15001)}, "description is 15001 characters long; Opsgenie allows 15000"},
		{"too many tags", "createAlert", map[string]any{"message": "m", "tags": make([]any, 21)}, "tags has 21 items; Opsgenie allows 20"},
		{"tag not a string", "createAlert", map[string]any{"message": "m", "tags": []any{1.0}}, "tags[0] must be a string"},
		{"responder without type", "createAlert", map[string]any{"message": "m", "responders": []any{map[string]any{"name": "ops"}}}, "responders[0].type must be one of"},
		{"responder without identity", "createAlert", map[string]any{"message": "m", "responders": []any{map[string]any{"type": "team"}}}, "responders[0] needs an id, a name or a username"},
		{"details not an object", "createAlert", map[string]any{"message": "m", "details": []any{"x"}}, "details must be an object of strings"},
		{"nested details", "createAlert", map[string]any{"message": "m", "details": map[string]any{"k": map[string]any{}}}, "details.k must be a string"},
		{"close without alias", "closeAlert", map[string]any{"note": "n"}, "alias is required"},
		{"close with a long user", "closeAlert", map[string]any{"alias": "a", "user": strings.Repeat("u", 101)}, "user is 101 characters long; Opsgenie allows 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, connectortest.Answer(http.StatusAccepted, "application/json", accepted))
			r := run(t, tt.action, f.URL, tt.params, nil)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.True(t, strings.HasPrefix(r.Message, tt.message), r.Message)
			require.Empty(t, f.Requests())
		})
	}
}

func TestActionsMapErrors(t *testing.T) {
	tests := []struct {
		name       string
		action     string
		answer     http.HandlerFunc
		want       connector.Result
		retryAfter time.Duration
	}{
		{"validation error", "createAlert", connectortest.Answer(422, "application/json", `{"message":"Request body is not processable. Please check the errors.","errors":{"message":"Message can not be empty.","alias":"Alias is too long."},"took":0.001,"requestId":"r1"}`),
			connector.Result{Status: "error", Message: "error creating opsgenie alert", ServiceMessage: "[422] Request body is not processable. Please check the errors. (alias: Alias is too long.; message: Message can not be empty.)",
				ErrorSource: "user", HTTPStatus: 422}, 0},
		{"bad key", "createAlert", connectortest.Answer(401, "application/json", `{"message":"Key format is not valid!","took":0.0,"requestId":"r2"}`),
			connector.Result{Status: "error", Message: "error creating opsgenie alert", ServiceMessage: "[401] Key format is not valid!", ErrorSource: "user", HTTPStatus: 401}, 0},
		{"forbidden close", "closeAlert", connectortest.Answer(403, "application/json", `{"message":"You are not authorized to take this action.","took":0.0,"requestId":"r3"}`),
			connector.Result{Status: "error", Message: "error closing opsgenie alert", ServiceMessage: "[403] You are not authorized to take this action.", ErrorSource: "user", HTTPStatus: 403}, 0},
		{"rate limited", "createAlert", connectortest.Answer(429, "application/json", `{"message":"You are making too many requests! To avoid errors, we recommend you limit requests.","took":0.0,"requestId":"r4"}`, "Retry-After", "60"),
			connector.Result{Status: "error", Message: "error creating opsgenie alert", ServiceMessage: "[429] You are making too many requests! To avoid errors, we recommend you limit requests.",
				Retry: true, RetryAfter: time.Minute, ErrorSource: "framework", HTTPStatus: 429}, time.Minute},
		{"server error", "closeAlert", connectortest.Answer(503, "application/json", `{"message":"Service Unavailable","took":0.0,"requestId":"r5"}`),
			connector.Result{Status: "error", Message: "error closing opsgenie alert", ServiceMessage: "[503] Service Unavailable", Retry: true, ErrorSource: "framework", HTTPStatus: 503}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := connectortest.NewFake(t, tt.answer)
			r := run(t, tt.action, f.URL, map[string]any{"message": "m", "alias": "a"}, nil)
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.retryAfter, r.RetryAfter)
			require.Len(t, f.Requests(), 1)
		})
	}
}

func TestActionsNeverPutTheKeyInAResult(t *testing.T) {
	f := connectortest.NewFake(t, connectortest.Answer(401, "application/json", `{"message":"Key `+apiKey+` is not valid!","took":0.0,"requestId":"r2"}`))
	r := run(t, "createAlert", f.URL, map[string]any{"message": "m"}, func(s string) string { return strings.ReplaceAll(s, apiKey, "[REDACTED]") })
	require.Equal(t, "[401] Key [REDACTED] is not valid!", r.ServiceMessage)
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	require.NotContains(t, string(raw), apiKey)
}

func TestActionsUseTheDefaultAPI(t *testing.T) {
	call := &connector.Call{
		Connector: &connector.Connector{TypeID: opsgenie.TypeID, Config: map[string]any{}, Secrets: map[string]any{"apiKey": apiKey}},
		Params:    map[string]any{"message": "m"},
		// An egress policy that allows no host shows the URL the request was for, offline.
		HTTP: httpclient.New(httpclient.Options{AllowedHosts: []string{"nothing.invalid"}}),
	}
	r := opsgenie.Type().Actions["createAlert"].Run(context.Background(), call)
	require.Equal(t, connector.StatusError, r.Status)
	require.Contains(t, r.ServiceMessage, "https://api.opsgenie.com/v2/alerts")
	require.NotContains(t, r.ServiceMessage, apiKey)
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"defaults", map[string]any{}, map[string]any{"apiKey": apiKey}, ""},
		{"eu", map[string]any{"apiUrl": "https://api.eu.opsgenie.com"}, map[string]any{"apiKey": apiKey}, ""},
		{"relative url", map[string]any{"apiUrl": "api.opsgenie.com"}, map[string]any{"apiKey": apiKey}, "apiUrl must be an absolute http(s) URL"},
		{"no key", map[string]any{}, map[string]any{"apiKey": " "}, "apiKey is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			connectortest.RequireValidation(t, opsgenie.Type().ValidateConfig(tt.config, tt.secrets), tt.wantErr)
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := opsgenie.Type()
	require.Equal(t, "opsgenie.createAlert", typ.StepType("createAlert"))
	require.Equal(t, "opsgenie.closeAlert", typ.StepType("closeAlert"))
	require.NoError(t, connectortest.Schema(t, typ.SecretsSchema).Validate(map[string]any{"apiKey": apiKey}))
	require.NoError(t, connectortest.Schema(t, typ.ConfigSchema).Validate(map[string]any{"apiUrl": "https://api.opsgenie.com"}))
	create := connectortest.Schema(t, typ.Actions["createAlert"].ParamsSchema)
	require.NoError(t, create.Validate(map[string]any{"message": "m", "priority": "P3", "tags": []any{"a"},
		"responders": []any{map[string]any{"name": "ops", "type": "team"}}, "details": map[string]any{"k": "v"}}))
	require.Error(t, create.Validate(map[string]any{"priority": "P3"}))
	require.Error(t, create.Validate(map[string]any{"message": "m", "responders": []any{map[string]any{"name": "ops"}}}))
	closeSchema := connectortest.Schema(t, typ.Actions["closeAlert"].ParamsSchema)
	require.NoError(t, closeSchema.Validate(map[string]any{"alias": "a", "note": "n"}))
	require.Error(t, closeSchema.Validate(map[string]any{"note": "n"}))
}
