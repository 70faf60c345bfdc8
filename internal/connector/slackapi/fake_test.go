package slackapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// token is the bot token the fake accepts.
const token = "xoxb-1111-2222-s3cr3tT0ken"

// request is what the fake Slack received.
type request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// fakeSlack answers like the Web API: Bearer auth, 200 {"ok":false,"error":...} for API
// errors, conversations.list in pages of two channels. override, when set, answers instead.
type fakeSlack struct {
	mu       sync.Mutex
	reqs     []request
	srv      *httptest.Server
	channels []map[string]any
	override http.HandlerFunc
}

func newFake(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{channels: []map[string]any{
		{"id": "C01GENERAL1", "name": "general", "is_private": false},
		{"id": "C03RANDOM33", "name": "random", "is_private": false},
		{"id": "C02OPSALRT2", "name": "ops-alerts", "is_private": true},
	}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api" }

func (f *fakeSlack) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
	override := f.override
	f.mu.Unlock()
	if override != nil {
		override(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	switch strings.TrimPrefix(r.URL.Path, "/api/") {
	case "chat.postMessage":
		f.postMessage(w, body)
	case "conversations.list":
		f.list(w, r)
	case "conversations.info":
		f.info(w, r)
	case "auth.test":
		reply(w, map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "errand", "team_id": "T0001", "user_id": "U0001", "bot_id": "B0001"})
	default:
		reply(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, body []byte) {
	var msg map[string]any
	if err := json.Unmarshal(body, &msg); err != nil {
		reply(w, map[string]any{"ok": false, "error": "invalid_json"})
		return
	}
	channel, _ := msg["channel"].(string)
	id := ""
	for _, ch := range f.channels {
		if ch["id"] == channel || "#"+ch["name"].(string) == channel {
			id = ch["id"].(string)
		}
	}
	if id == "" {
		reply(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	reply(w, map[string]any{"ok": true, "channel": id, "ts": "1712345678.123456",
		"message": map[string]any{"type": "message", "text": msg["text"], "user": "U0001", "ts": "1712345678.123456"}})
}

// list serves two channels a page; the cursor is the index of the next page.
func (f *fakeSlack) list(w http.ResponseWriter, r *http.Request) {
	start := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		start = int(c[0] - '0')
	}
	end := min(start+2, len(f.channels))
	next := ""
	if end < len(f.channels) {
		next = string(rune('0' + end))
	}
	page := make([]any, 0, 2)
	for _, ch := range f.channels[start:end] {
		page = append(page, ch)
	}
	reply(w, map[string]any{"ok": true, "channels": page, "response_metadata": map[string]any{"next_cursor": next}})
}

func (f *fakeSlack) info(w http.ResponseWriter, r *http.Request) {
	for _, ch := range f.channels {
		if ch["id"] == r.URL.Query().Get("channel") {
			reply(w, map[string]any{"ok": true, "channel": ch})
			return
		}
	}
	reply(w, map[string]any{"ok": false, "error": "channel_not_found"})
}

func reply(w http.ResponseWriter, doc map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(doc)
}
