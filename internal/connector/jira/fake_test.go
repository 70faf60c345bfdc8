package jira_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// received is one request the fake Jira got.
type received struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// fakeJira answers like Jira's REST API v2: real paths, status codes and error bodies.
// dataCenter switches to Data Center's shapes (no /search/jql, createmeta `values`).
type fakeJira struct {
	t          *testing.T
	auth       string
	dataCenter bool
	noMeta     bool // createmeta answers 404 (old Jira)
	throttle   bool // every call answers 429

	mu     sync.Mutex
	reqs   []received
	issues map[string]map[string]any // by id and by key
	next   int
	srv    *httptest.Server
}

func newFakeJira(t *testing.T, auth string) *fakeJira {
	t.Helper()
	f := &fakeJira{t: t, auth: auth, issues: map[string]map[string]any{}, next: 10001}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeJira) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.reqs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func jiraError(w http.ResponseWriter, status int, messages []string, fields map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"errorMessages": messages, "errors": fields})
}

func (f *fakeJira) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, received{r.Method, r.URL.RequestURI(), r.Header.Clone(), string(body)})
	switch {
	case f.throttle:
		w.Header().Set("Retry-After", "30")
		jiraError(w, 429, []string{"Rate limit exceeded."}, nil)
	case r.Header.Get("Authorization") != f.auth:
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, "Client must be authenticated to access this resource.")
	default:
		f.route(w, r, body)
	}
}

func (f *fakeJira) route(w http.ResponseWriter, r *http.Request, body []byte) {
	p := strings.TrimPrefix(r.URL.Path, "/rest/api/2")
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case r.Method == "GET" && p == "/myself":
		writeJSON(w, 200, map[string]any{"accountId": "5b10a2844c20165700ede21g", "displayName": "Errand Bot"})
	case r.Method == "POST" && p == "/issue":
		f.createIssue(w, body)
	case len(parts) == 2 && parts[0] == "issue":
		f.issue(w, r, parts[1], body)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "issue" && parts[2] == "comment":
		if f.issues[parts[1]] == nil {
			jiraError(w, 404, []string{"Issue does not exist or you do not have permission to see it."}, nil)
			return
		}
		f.next++
		writeJSON(w, 201, map[string]any{"id": fmt.Sprint(f.next), "created": "2026-03-01T13:00:00.000+0100"})
	case r.Method == "POST" && (p == "/search/jql" && !f.dataCenter || p == "/search" && f.dataCenter):
		f.search(w, body)
	case r.Method == "GET" && strings.HasPrefix(p, "/issue/createmeta/") && !f.noMeta:
		f.createmeta(w, parts)
	case r.Method == "GET" && p == "/issuetype":
		writeJSON(w, 200, []any{map[string]any{"id": "1", "name": "Bug"}, map[string]any{"id": "3", "name": "Task"}})
	default:
		w.WriteHeader(404)
	}
}

func (f *fakeJira) createIssue(w http.ResponseWriter, body []byte) {
	var req struct {
		Fields map[string]any `json:"fields"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		jiraError(w, 400, []string{"Unexpected character in the request body."}, nil)
		return
	}
	if s, _ := req.Fields["summary"].(string); s == "" {
		jiraError(w, 400, nil, map[string]string{"summary": "You must specify a summary of the issue."})
		return
	}
	if strings.Contains(req.Fields["summary"].(string), "\n") {
		jiraError(w, 400, nil, map[string]string{"summary": "The summary is invalid because it contains newline characters."})
		return
	}
	if project, _ := req.Fields["project"].(map[string]any); project["key"] != "ENG" {
		jiraError(w, 400, nil, map[string]string{"project": "valid project is required"})
		return
	}
	f.next++
	id, key := fmt.Sprint(f.next), fmt.Sprintf("ENG-%d", f.next-10000)
	doc := map[string]any{"id": id, "key": key, "fields": req.Fields}
	req.Fields["created"], req.Fields["updated"] = "2026-03-01T12:00:00.000+0000", "2026-03-01T12:00:00.000+0000"
	f.issues[id], f.issues[key] = doc, doc
	writeJSON(w, 201, map[string]any{"id": id, "key": key, "self": f.srv.URL + "/rest/api/2/issue/" + id})
}

func (f *fakeJira) issue(w http.ResponseWriter, r *http.Request, idOrKey string, body []byte) {
	doc := f.issues[idOrKey]
	if doc == nil {
		jiraError(w, 404, []string{"Issue does not exist or you do not have permission to see it."}, nil)
		return
	}
	switch r.Method {
	case "GET":
		writeJSON(w, 200, doc)
	case "PUT":
		var req struct {
			Fields map[string]any `json:"fields"`
		}
		_ = json.Unmarshal(body, &req)
		fields := doc["fields"].(map[string]any)
		for k, v := range req.Fields {
			fields[k] = v
		}
		fields["updated"] = "2026-03-02T09:30:00.000+0200"
		w.WriteHeader(204)
	}
}

func (f *fakeJira) search(w http.ResponseWriter, body []byte) {
	var req struct {
		JQL string `json:"jql"`
	}
	_ = json.Unmarshal(body, &req)
	var out []any
	for k, doc := range f.issues {
		if k == doc["id"] {
			summary := doc["fields"].(map[string]any)["summary"]
			quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(fmt.Sprint(summary))
			if strings.Contains(req.JQL, `summary ~"`+quoted+`"`) {
				out = append(out, map[string]any{"id": doc["id"], "key": doc["key"], "fields": map[string]any{"summary": summary}})
			}
		}
	}
	writeJSON(w, 200, map[string]any{"issues": out, "isLast": true})
}

// createmeta answers /issue/createmeta/ENG/issuetypes[/<id>].
func (f *fakeJira) createmeta(w http.ResponseWriter, parts []string) {
	if parts[2] != "ENG" {
		jiraError(w, 404, []string{"No project could be found with key '" + parts[2] + "'."}, nil)
		return
	}
	list := "issueTypes"
	if f.dataCenter {
		list = "values"
	}
	if len(parts) == 4 {
		writeJSON(w, 200, map[string]any{list: []any{map[string]any{"id": "10001", "name": "Task"}, map[string]any{"id": "10002", "name": "Bug"}}})
		return
	}
	list = "fields"
	if f.dataCenter {
		list = "values"
	}
	fields := []any{
		map[string]any{"fieldId": "summary", "name": "Summary", "required": true, "schema": map[string]any{"type": "string"}},
		map[string]any{"fieldId": "priority", "name": "Priority", "required": false,
			"allowedValues": []any{map[string]any{"id": "1", "name": "High"}}, "defaultValue": map[string]any{"id": "1", "name": "High"}},
	}
	if parts[4] == "10002" {
		fields = append(fields, map[string]any{"fieldId": "customfield_10020", "name": "Severity", "required": true})
	}
	writeJSON(w, 200, map[string]any{"startAt": 0, "maxResults": 50, "total": len(fields), list: fields})
}
