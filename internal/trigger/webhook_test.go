package trigger_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/trigger"
	"github.com/errand-dev/errand/internal/trigger/triggertest"
)

// webhookWorkflow returns a workflow with a webhook trigger using auth (YAML flow mapping, or
// "" for none) and inputs who (required) and count (number, default 1).
func webhookWorkflow(name, auth string) string {
	trig := "  - type: webhook\n"
	if auth != "" {
		trig += "    auth: " + auth + "\n"
	}
	return "name: " + name + `
inputs:
  - name: who
    type: string
    required: true
  - name: count
    type: number
    default: 1
triggers:
` + trig + consoleStep
}

// apiKeys are the keys the injected check accepts.
var apiKeys = map[string]bool{
	"ApiKey " + base64.StdEncoding.EncodeToString([]byte("k-1:s3cret")): true,
	"ApiKey " + base64.StdEncoding.EncodeToString([]byte("k-2:other")):  true,
}

// checkAPIKey is the injected API key check: it reads only the Authorization header.
func checkAPIKey(r *http.Request) error {
	if apiKeys[r.Header.Get("Authorization")] {
		return nil
	}
	return errors.New("unknown api key")
}

// webhookHarness is a Webhooks over a fresh SQLite store with its workflows.
type webhookHarness struct {
	st    store.Store
	clock *triggertest.Clock
	hooks *trigger.Webhooks
	wfs   map[string]*store.Workflow
}

// newWebhookHarness stores the webhook test workflows and builds the intake.
func newWebhookHarness(t *testing.T) *webhookHarness {
	st := backends[0].open(t)(t)
	clock := triggertest.NewClock(t0)
	env := map[string]string{"HOOK_PASS": "from-env"}
	h := &webhookHarness{st: st, clock: clock, wfs: map[string]*store.Workflow{}}
	h.hooks = trigger.NewWebhooks(st, newEngine(st, clock), trigger.WebhooksOptions{
		Clock: clock, APIKeyCheck: checkAPIKey,
		LookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
	})
	for _, w := range []struct {
		id, yaml string
		enabled  bool
	}{
		{"wf-none", webhookWorkflow("none", "{type: none}"), true},
		{"wf-basic", webhookWorkflow("basic", "{type: basic, username: alice, password: '${env:HOOK_PASS}'}"), true},
		{"wf-basic-unset", webhookWorkflow("basic-unset", "{type: basic, username: alice, password: '${env:UNSET}'}"), true},
		{"wf-key", webhookWorkflow("key", "{type: apiKey}"), true},
		{"wf-key-id", webhookWorkflow("key-id", "{type: apiKey, id: k-2}"), true},
		{"wf-default", webhookWorkflow("default", ""), true},
		{"wf-disabled", webhookWorkflow("disabled", "{type: none}"), false},
		{"wf-manual", "name: manual\ntriggers:\n  - type: manual\n" + consoleStep, true},
	} {
		h.wfs[w.id] = createWorkflow(t, st, w.id, w.yaml, w.enabled, t0)
	}
	invalid := createWorkflow(t, st, "wf-invalid", webhookWorkflow("invalid", "{type: none}"), true, t0)
	invalid.Valid = false
	require.NoError(t, st.WorkflowUpdate(t.Context(), invalid))
	h.wfs["wf-invalid"] = invalid
	return h
}

// call is one webhook request.
type call struct {
	method, target, body string
	header               map[string]string
}

// invoke sends c to the webhook of workflow id.
func (h *webhookHarness) invoke(t *testing.T, id string, c call) (string, bool, error) {
	r := httptest.NewRequestWithContext(t.Context(), c.method, c.target, strings.NewReader(c.body))
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	return h.hooks.Invoke(t.Context(), h.wfs[id], r, []byte(c.body))
}

// basicAuth returns a Basic Authorization header value.
func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestWebhookInvoke(t *testing.T) {
	key1 := base64.StdEncoding.EncodeToString([]byte("k-1:s3cret"))
	key2 := base64.StdEncoding.EncodeToString([]byte("k-2:other"))
	post := func(body string, header map[string]string) call {
		return call{method: http.MethodPost, target: "/api/workflows/workflow/x/execute", body: body, header: header}
	}
	tests := []struct {
		name       string
		workflow   string
		call       call
		wantErr    error
		wantInputs map[string]any
		wantBy     string
	}{
		{"none, JSON body", "wf-none", post(`{"who": "ann", "count": 2}`, nil), nil,
			map[string]any{"who": "ann", "count": 2.0}, ""},
		{"none, GET query (apiKey stripped, number converted)", "wf-none",
			call{method: http.MethodGet, target: "/x/execute?who=bob&count=3&apiKey=zzz"}, nil,
			map[string]any{"who": "bob", "count": 3.0}, ""},
		{"missing required input", "wf-none", post(`{"count": 2}`, nil), engine.ErrInvalidInputs, nil, ""},
		{"body not an object", "wf-none", post(`[1, 2]`, nil), engine.ErrInvalidInputs, nil, ""},
		{"body not JSON", "wf-none", post(`who=ann`, nil), engine.ErrInvalidInputs, nil, ""},
		{"basic, env password", "wf-basic", post(`{"who": "ann"}`, map[string]string{"Authorization": basicAuth("alice", "from-env")}), nil,
			map[string]any{"who": "ann", "count": 1}, "alice"},
		{"basic, wrong password", "wf-basic", post(`{"who": "ann"}`, map[string]string{"Authorization": basicAuth("alice", "nope")}),
			trigger.ErrWebhookUnauthorized, nil, ""},
		{"basic, no credentials", "wf-basic", post(`{"who": "ann"}`, nil), trigger.ErrWebhookUnauthorized, nil, ""},
		{"basic, unset env password never matches", "wf-basic-unset", post(`{"who": "ann"}`, map[string]string{"Authorization": basicAuth("alice", "")}),
			trigger.ErrWebhookUnauthorized, nil, ""},
		{"apiKey, Authorization header", "wf-key", post(`{"who": "ann"}`, map[string]string{"Authorization": "ApiKey " + key1}), nil,
			map[string]any{"who": "ann", "count": 1}, "k-1"},
		{"apiKey, X-Api-Key header", "wf-key", post(`{"who": "ann"}`, map[string]string{"X-Api-Key": key1}), nil,
			map[string]any{"who": "ann", "count": 1}, "k-1"},
		{"apiKey, query parameter", "wf-key", call{method: http.MethodGet, target: "/x/execute?who=cy&apiKey=" + key1}, nil,
			map[string]any{"who": "cy", "count": 1}, "k-1"},
		{"apiKey, unknown key", "wf-key", post(`{"who": "ann"}`, map[string]string{"X-Api-Key": "bm9wZTpub3Bl"}),
			trigger.ErrWebhookUnauthorized, nil, ""},
		{"apiKey, other id than auth.id", "wf-key-id", post(`{"who": "ann"}`, map[string]string{"X-Api-Key": key1}),
			trigger.ErrWebhookUnauthorized, nil, ""},
		{"apiKey, the id of auth.id", "wf-key-id", post(`{"who": "ann"}`, map[string]string{"X-Api-Key": key2}), nil,
			map[string]any{"who": "ann", "count": 1}, "k-2"},
		{"no auth block requires an api key", "wf-default", post(`{"who": "ann"}`, nil), trigger.ErrWebhookUnauthorized, nil, ""},
		{"disabled", "wf-disabled", post(`{"who": "ann"}`, nil), trigger.ErrWorkflowDisabled, nil, ""},
		{"invalid", "wf-invalid", post(`{"who": "ann"}`, nil), trigger.ErrWorkflowInvalid, nil, ""},
		{"no webhook trigger", "wf-manual", post(`{"who": "ann"}`, nil), trigger.ErrNoWebhookTrigger, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newWebhookHarness(t)
			id, dup, err := h.invoke(t, tc.workflow, tc.call)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Empty(t, executions(t, h.st, tc.workflow))
				return
			}
			require.NoError(t, err)
			require.False(t, dup)
			ex, err := h.st.ExecutionGet(t.Context(), id)
			require.NoError(t, err)
			require.Equal(t, "webhook", ex.TriggeredBy)
			require.Equal(t, tc.wantBy, ex.ExecutedBy)
			var inputs map[string]any
			require.NoError(t, json.Unmarshal(ex.Inputs, &inputs))
			want, err := json.Marshal(tc.wantInputs)
			require.NoError(t, err)
			require.JSONEq(t, string(want), string(ex.Inputs))
			var event map[string]any
			require.NoError(t, json.Unmarshal(ex.Event, &event))
			require.Contains(t, event, "query")
			require.Contains(t, event, "headers")
			require.NotContains(t, event["headers"], "authorization")
			require.NotContains(t, event["headers"], "x-api-key")
		})
	}
}

func TestWebhookIdempotencyKey(t *testing.T) {
	h := newWebhookHarness(t)
	send := func(key, body string) (string, bool, error) {
		return h.invoke(t, "wf-none", call{method: http.MethodPost, target: "/x/execute", body: body,
			header: map[string]string{"Idempotency-Key": key}})
	}
	first, dup, err := send("order-1", `{"who": "ann"}`)
	require.NoError(t, err)
	require.False(t, dup)

	again, dup, err := send("order-1", `{"who": "someone else"}`)
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, first, again)

	other, dup, err := send("order-2", `{"who": "ann"}`)
	require.NoError(t, err)
	require.False(t, dup)
	require.NotEqual(t, first, other)

	// A failed start releases its key: the corrected retry starts.
	_, _, err = send("order-3", `{}`)
	require.ErrorIs(t, err, engine.ErrInvalidInputs)
	retried, dup, err := send("order-3", `{"who": "ann"}`)
	require.NoError(t, err)
	require.False(t, dup)
	require.Len(t, executions(t, h.st, "wf-none"), 3)

	// After the window (24h by default) the key starts a new run.
	h.clock.Advance(24*time.Hour + time.Second)
	later, dup, err := send("order-1", `{"who": "ann"}`)
	require.NoError(t, err)
	require.False(t, dup)
	require.NotContains(t, []string{first, other, retried}, later)
}

func TestWebhookIdempotencyKeyInProgress(t *testing.T) {
	h := newWebhookHarness(t)
	// Another node claimed the key and is creating its execution.
	_, claimed, err := h.st.IdempotencyClaim(t.Context(), "webhook:wf-none", "k", "pending:other-node", t0, t0.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, claimed)
	send := func() (string, bool, error) {
		return h.invoke(t, "wf-none", call{method: http.MethodPost, target: "/x/execute", body: `{"who": "ann"}`,
			header: map[string]string{"Idempotency-Key": "k"}})
	}
	_, _, err = send()
	require.ErrorIs(t, err, trigger.ErrIdempotencyInProgress)
	require.Empty(t, executions(t, h.st, "wf-none"))

	// That node died: once its lease is over the key is free again.
	h.clock.Advance(time.Minute)
	id, dup, err := send()
	require.NoError(t, err)
	require.False(t, dup)
	again, dup, err := send()
	require.NoError(t, err)
	require.True(t, dup)
	require.Equal(t, id, again)
}
