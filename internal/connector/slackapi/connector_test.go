package slackapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/connectortest"
	"github.com/errand-dev/errand/internal/connector/slackapi"
	"github.com/errand-dev/errand/internal/httpclient"
)

// allowed is an allowedChannels config; ops-alerts was renamed since it was listed.
var allowed = []any{
	map[string]any{"id": "C01GENERAL1", "name": "general"},
	map[string]any{"id": "C02OPSALRT2", "name": "ops-alerts-old"},
}

func newCall(f *fakeSlack, config, params map[string]any) *connector.Call {
	cfg := map[string]any{"apiUrl": f.apiURL()}
	for k, v := range config {
		cfg[k] = v
	}
	return &connector.Call{
		Connector: &connector.Connector{ID: "c1", Name: "slack-bot", TypeID: slackapi.TypeID,
			Config: cfg, Secrets: map[string]any{"token": token}},
		Params: params,
		HTTP:   httpclient.New(httpclient.Options{}),
	}
}

func run(t *testing.T, f *fakeSlack, action string, config, params map[string]any) connector.Result {
	t.Helper()
	r := slackapi.Type().Actions[action].Run(context.Background(), newCall(f, config, params))
	requireNoSecret(t, r)
	return r
}

// requireNoSecret fails when the token appears anywhere in the result.
func requireNoSecret(t *testing.T, r connector.Result) {
	t.Helper()
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "s3cr3tT0ken")
	require.NotContains(t, fmt.Sprintf("%+v", r), "s3cr3tT0ken")
}

// requireAPIRequest checks the auth and content headers every Web API call carries.
func requireAPIRequest(t *testing.T, req request, method, path string) {
	t.Helper()
	require.Equal(t, method, req.Method)
	require.Equal(t, path, req.Path)
	require.Equal(t, "Bearer "+token, req.Header.Get("Authorization"))
	if method == http.MethodPost {
		require.Equal(t, "application/json; charset=utf-8", req.Header.Get("Content-Type"))
	}
}

func TestPostMessageSendsTheMessage(t *testing.T) {
	f := newFake(t)
	r := run(t, f, "postMessage", nil, map[string]any{
		"channelIds":   []any{"C01GENERAL1"},
		"text":         "Deploy <https://ci.example.com/1|#1> done & green",
		"blocks":       []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*done*"}}},
		"attachments":  `[{"color":"#36a64f","text":"ok"}]`,
		"thread_ts":    "1712340000.000100",
		"unfurl_links": false,
		"unfurl_media": "true",
	})
	require.Equal(t, connector.OK(map[string]any{"ok": true, "channel": "C01GENERAL1", "ts": "1712345678.123456",
		"message": map[string]any{"type": "message", "text": "Deploy <https://ci.example.com/1|#1> done & green", "user": "U0001", "ts": "1712345678.123456"}}), r)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	requireAPIRequest(t, reqs[0], http.MethodPost, "/api/chat.postMessage")
	require.Equal(t, `{"channel":"C01GENERAL1","text":"Deploy <https://ci.example.com/1|#1> done & green",`+
		`"blocks":[{"text":{"text":"*done*","type":"mrkdwn"},"type":"section"}],"attachments":[{"color":"#36a64f","text":"ok"}],`+
		`"thread_ts":"1712340000.000100","unfurl_links":false,"unfurl_media":true}`, reqs[0].Body)
}

func TestPostMessageChoosesTheChannel(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		params  map[string]any
		channel string   // the channel sent to chat.postMessage
		calls   []string // the paths called, in order
	}{
		{"channel id", nil, map[string]any{"channelIds": []any{"C01GENERAL1"}}, "C01GENERAL1", []string{"chat.postMessage"}},
		{"channel name is passed as a name", nil, map[string]any{"channelNames": []any{"#general"}}, "#general", []string{"chat.postMessage"}},
		{"legacy channels with an id", nil, map[string]any{"channels": []any{"C03RANDOM33"}}, "C03RANDOM33", []string{"chat.postMessage"}},
		{"legacy channels with a bare name", nil, map[string]any{"channels": []any{"random"}}, "#random", []string{"chat.postMessage"}},
		{"a single string", nil, map[string]any{"channel": "#random"}, "#random", []string{"chat.postMessage"}},
		{"names win over ids", nil, map[string]any{"channelNames": []any{"#random"}, "channelIds": []any{"C01GENERAL1"}}, "#random", []string{"chat.postMessage"}},
		{"allowed id", map[string]any{"allowedChannels": allowed}, map[string]any{"channelIds": []any{"C01GENERAL1"}}, "C01GENERAL1", []string{"chat.postMessage"}},
		{"allowed name resolves from the config", map[string]any{"allowedChannels": allowed}, map[string]any{"channelNames": []any{"#general"}}, "C01GENERAL1", []string{"chat.postMessage"}},
		{"renamed allowed channel resolves through conversations.list pages", map[string]any{"allowedChannels": allowed},
			map[string]any{"channelNames": []any{"#ops-alerts"}}, "C02OPSALRT2",
			[]string{"conversations.list", "conversations.list", "chat.postMessage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			tt.params["text"] = "hi"
			r := run(t, f, "postMessage", tt.config, tt.params)
			require.Equal(t, connector.StatusOK, r.Status, r.ServiceMessage)
			reqs := f.requests()
			require.Len(t, reqs, len(tt.calls))
			for i, call := range tt.calls {
				require.Equal(t, "/api/"+call, reqs[i].Path)
			}
			last := reqs[len(reqs)-1]
			requireAPIRequest(t, last, http.MethodPost, "/api/chat.postMessage")
			require.Equal(t, `{"channel":"`+tt.channel+`","text":"hi"}`, last.Body)
			if len(reqs) == 3 {
				requireAPIRequest(t, reqs[0], http.MethodGet, "/api/conversations.list")
				require.Equal(t, "exclude_archived=true&limit=200&types=public_channel%2Cprivate_channel", reqs[0].Query)
				require.Equal(t, "cursor=2&exclude_archived=true&limit=200&types=public_channel%2Cprivate_channel", reqs[1].Query)
			}
		})
	}
}

func TestPostMessageEnforcesAllowedChannels(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]any
		message string
	}{
		{"id not listed", map[string]any{"channelIds": []any{"C03RANDOM33"}}, "channel C03RANDOM33 is not in the connector's allowed channels"},
		{"name of a channel not listed", map[string]any{"channelNames": []any{"#random"}}, "channel #random is not in the connector's allowed channels"},
		{"name of no channel", map[string]any{"channels": []any{"#nowhere"}}, "channel #nowhere is not in the connector's allowed channels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			tt.params["text"] = "hi"
			r := run(t, f, "postMessage", map[string]any{"allowedChannels": allowed}, tt.params)
			require.Equal(t, connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: tt.message, ErrorSource: "user"}, r)
			for _, req := range f.requests() {
				require.NotEqual(t, "/api/chat.postMessage", req.Path)
			}
		})
	}
}

func TestPostMessageRejectsBadParams(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]any
		message string
	}{
		{"no channel", map[string]any{"text": "hi"}, "a channel is required"},
		{"two channels", map[string]any{"text": "hi", "channelIds": []any{"C01GENERAL1", "C03RANDOM33"}}, "channelIds names 2 channels"},
		{"name without #", map[string]any{"text": "hi", "channelNames": []any{"general"}}, `channelNames entries start with #: write "#general"`},
		{"no text", map[string]any{"channelIds": []any{"C01GENERAL1"}}, "text is required"},
		{"blocks not JSON", map[string]any{"channelIds": []any{"C01GENERAL1"}, "blocks": "[{"}, "blocks must be a list or JSON text"},
		{"unfurl not a boolean", map[string]any{"channelIds": []any{"C01GENERAL1"}, "text": "hi", "unfurl_links": "maybe"}, "unfurl_links must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := run(t, f, "postMessage", nil, tt.params)
			require.Equal(t, connector.StatusError, r.Status)
			require.Equal(t, connector.SourceUser, r.ErrorSource)
			require.Contains(t, r.Message, tt.message)
			require.Empty(t, f.requests())
		})
	}
}

func TestPostMessageMapsSlackErrors(t *testing.T) {
	const summary = "error posting slack message"
	tests := []struct {
		name   string
		status int
		body   string
		header []string
		want   connector.Result
	}{
		{"channel_not_found", 200, `{"ok":false,"error":"channel_not_found"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "channel_not_found", ErrorSource: "user", HTTPStatus: 200}},
		{"not_in_channel", 200, `{"ok":false,"error":"not_in_channel"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "not_in_channel", ErrorSource: "user", HTTPStatus: 200}},
		{"invalid_auth", 200, `{"ok":false,"error":"invalid_auth"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "invalid_auth", ErrorSource: "user", HTTPStatus: 200}},
		{"not_authed", 200, `{"ok":false,"error":"not_authed"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "not_authed", ErrorSource: "user", HTTPStatus: 200}},
		{"invalid_blocks with details", 200, `{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] missing required field: text [json-pointer:/blocks/0/text]"]}}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "invalid_blocks: [ERROR] missing required field: text [json-pointer:/blocks/0/text]", ErrorSource: "user", HTTPStatus: 200}},
		{"ratelimited 429", 429, `{"ok":false,"error":"ratelimited"}`, []string{"Retry-After", "30"},
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[429] ratelimited", Retry: true, RetryAfter: 30 * time.Second, ErrorSource: "framework", HTTPStatus: 429}},
		{"ratelimited in a 200", 200, `{"ok":false,"error":"ratelimited"}`, []string{"Retry-After", "3"},
			connector.Result{Status: "error", Message: summary, ServiceMessage: "ratelimited", Retry: true, RetryAfter: 3 * time.Second, ErrorSource: "framework", HTTPStatus: 200}},
		{"internal_error", 200, `{"ok":false,"error":"internal_error"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "internal_error", Retry: true, ErrorSource: "framework", HTTPStatus: 200}},
		{"503", 503, `{"ok":false,"error":"service_unavailable"}`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "[503] service_unavailable", Retry: true, ErrorSource: "framework", HTTPStatus: 503}},
		{"html from a proxy", 200, `<html>maintenance</html>`, nil,
			connector.Result{Status: "error", Message: summary, ServiceMessage: "invalid_response", Retry: true, ErrorSource: "framework", HTTPStatus: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.override = func(w http.ResponseWriter, _ *http.Request) {
				for i := 0; i+1 < len(tt.header); i += 2 {
					w.Header().Set(tt.header[i], tt.header[i+1])
				}
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}
			r := run(t, f, "postMessage", nil, map[string]any{"channelIds": []any{"C01GENERAL1"}, "text": "hi"})
			require.Equal(t, tt.want, r)
			require.Equal(t, tt.want.RetryAfter, r.RetryAfter)
			require.Len(t, f.requests(), 1)
		})
	}
}

func TestPostMessageWithAWrongToken(t *testing.T) {
	f := newFake(t)
	call := newCall(f, nil, map[string]any{"channelIds": []any{"C01GENERAL1"}, "text": "hi"})
	call.Connector.Secrets["token"] = "xoxb-wrong"
	r := slackapi.Type().Actions["postMessage"].Run(context.Background(), call)
	require.Equal(t, connector.Result{Status: "error", Message: "error posting slack message", ServiceMessage: "invalid_auth", ErrorSource: "user", HTTPStatus: 200}, r)
}

func TestPostBlockkit(t *testing.T) {
	f := newFake(t)
	r := run(t, f, "postBlockkit", nil, map[string]any{"channelIds": []any{"C01GENERAL1"},
		"text": `{"blocks":[{"type":"divider"}]}`})
	require.Equal(t, connector.StatusOK, r.Status, r.ServiceMessage)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	requireAPIRequest(t, reqs[0], http.MethodPost, "/api/chat.postMessage")
	require.Equal(t, `{"channel":"C01GENERAL1","blocks":[{"type":"divider"}]}`, reqs[0].Body)

	r = run(t, f, "postBlockkit", nil, map[string]any{"channelIds": []any{"C01GENERAL1"}, "text": "plain text"})
	require.Equal(t, connector.SourceUser, r.ErrorSource)
	require.Contains(t, r.Message, `text must be JSON holding {"blocks": [...]}`)
	require.Len(t, f.requests(), 1)
}

func TestGetChannels(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]any
		params map[string]any
		query  string
		ids    []any
	}{
		{"defaults", nil, map[string]any{}, "exclude_archived=true&limit=200&types=public_channel", []any{"C01GENERAL1", "C03RANDOM33"}},
		{"params", nil, map[string]any{"types": "private_channel", "exclude_archived": false, "limit": 2.0, "cursor": "2"},
			"cursor=2&exclude_archived=false&limit=2&types=private_channel", []any{"C02OPSALRT2"}},
		{"only allowed channels", map[string]any{"allowedChannels": allowed}, map[string]any{}, "exclude_archived=true&limit=200&types=public_channel", []any{"C01GENERAL1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := run(t, f, "getChannels", tt.config, tt.params)
			require.Equal(t, connector.StatusOK, r.Status, r.ServiceMessage)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			requireAPIRequest(t, reqs[0], http.MethodGet, "/api/conversations.list")
			require.Equal(t, tt.query, reqs[0].Query)
			var ids []any
			for _, ch := range r.Data.(map[string]any)["channels"].([]any) {
				ids = append(ids, ch.(map[string]any)["id"])
			}
			require.Equal(t, tt.ids, ids)
		})
	}
	f := newFake(t)
	r := run(t, f, "getChannels", nil, map[string]any{"limit": 5000.0})
	require.Equal(t, connector.UserError("limit must be between 1 and 1000"), r)
	require.Empty(t, f.requests())
}

func TestValidChannelID(t *testing.T) {
	f := newFake(t)
	r := run(t, f, "validChannelId", nil, map[string]any{"channelId": "C01GENERAL1"})
	require.Equal(t, connector.OK(map[string]any{"ok": true, "channel": map[string]any{"id": "C01GENERAL1", "name": "general", "is_private": false}}), r)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	requireAPIRequest(t, reqs[0], http.MethodGet, "/api/conversations.info")
	require.Equal(t, "channel=C01GENERAL1", reqs[0].Query)

	r = run(t, f, "validChannelId", nil, map[string]any{"channelId": "C09UNKNOWN9"})
	require.Equal(t, connector.Result{Status: "error", Message: "error validating slack channel id", ServiceMessage: "channel_not_found", ErrorSource: "user", HTTPStatus: 200}, r)

	r = run(t, f, "validChannelId", nil, map[string]any{})
	require.Equal(t, connector.UserError("channelId is required: the channel id to check"), r)
	require.Len(t, f.requests(), 2)
}

func TestSubActionForm(t *testing.T) {
	f := newFake(t)
	r := run(t, f, "", nil, map[string]any{"subAction": "postMessage",
		"subActionParams": map[string]any{"channelIds": []any{"C01GENERAL1"}, "text": "hi"}})
	require.Equal(t, connector.StatusOK, r.Status, r.ServiceMessage)
	reqs := f.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, `{"channel":"C01GENERAL1","text":"hi"}`, reqs[0].Body)

	r = run(t, f, "", nil, map[string]any{"subAction": "deleteEverything"})
	require.Equal(t, connector.UserError(`subAction "deleteEverything" is not one of getChannels, postBlockkit, postMessage, validChannelId`), r)
	require.Len(t, f.requests(), 1)
}

func TestConnectionTest(t *testing.T) {
	f := newFake(t)
	typ := slackapi.Type()
	require.NoError(t, typ.Test(context.Background(), newCall(f, nil, nil)))
	reqs := f.requests()
	require.Len(t, reqs, 1)
	requireAPIRequest(t, reqs[0], http.MethodPost, "/api/auth.test")
	require.Equal(t, `{}`, reqs[0].Body)

	call := newCall(f, nil, nil)
	call.Connector.Secrets["token"] = "xoxb-revoked"
	err := typ.Test(context.Background(), call)
	require.EqualError(t, err, "testing the Slack token: invalid_auth")
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		token   any
		wantErr string
	}{
		{"defaults", map[string]any{}, token, ""},
		{"allowed channels", map[string]any{"allowedChannels": allowed, "apiUrl": "https://slack.com/api"}, token, ""},
		{"loopback api", map[string]any{"apiUrl": "http://127.0.0.1:9999/api"}, token, ""},
		{"plain http api", map[string]any{"apiUrl": "http://slack.com/api"}, token, "apiUrl must be an absolute https URL"},
		{"not a slack token", map[string]any{}, "abc", "token must be a Slack token"},
		{"missing token", map[string]any{}, nil, "token must be a Slack token"},
		{"channel without id", map[string]any{"allowedChannels": []any{map[string]any{"name": "general"}}}, token, "allowedChannels[0] needs an id and a name"},
		{"too many channels", map[string]any{"allowedChannels": manyChannels(501)}, token, "allowedChannels has 501 channels; at most 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := slackapi.Type().ValidateConfig(tt.config, map[string]any{"token": tt.token})
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), "s3cr3tT0ken")
		})
	}
}

func manyChannels(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"id": fmt.Sprintf("C%09d", i), "name": fmt.Sprintf("c%d", i)}
	}
	return out
}

func TestSchemas(t *testing.T) {
	typ := slackapi.Type()
	for _, step := range []string{"slack_api", "slack_api.postMessage", "slack_api.postBlockkit", "slack_api.getChannels", "slack_api.validChannelId"} {
		found := false
		for name := range typ.Actions {
			found = found || typ.StepType(name) == step
		}
		require.True(t, found, step)
	}
	require.NoError(t, connectortest.Schema(t, typ.ConfigSchema).Validate(map[string]any{"allowedChannels": allowed}))
	require.NoError(t, connectortest.Schema(t, typ.SecretsSchema).Validate(map[string]any{"token": token}))
	post := connectortest.Schema(t, typ.Actions["postMessage"].ParamsSchema)
	require.NoError(t, post.Validate(map[string]any{"channels": []any{"#general"}, "text": "hi", "blocks": []any{}}))
	require.NoError(t, post.Validate(map[string]any{"channelNames": []any{"#general"}, "blocks": "[]"}))
	require.Error(t, post.Validate(map[string]any{"channelIds": []any{"C1"}}))
	require.Error(t, post.Validate(map[string]any{"channelIds": []any{"C1", "C2"}, "text": "hi"}))
	require.Error(t, post.Validate(map[string]any{"channelNames": []any{"general"}, "text": "hi"}))
	for name, action := range typ.Actions {
		require.NotNil(t, connectortest.Schema(t, action.ParamsSchema), name)
	}
}
