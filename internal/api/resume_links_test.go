package api_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/api"
)

// linkEnv is an API whose resume links are signed with a key the test knows.
func linkEnv(t *testing.T) (*env, *api.ResumeSigner) {
	t.Helper()
	signer := api.NewResumeSigner([]byte("test resume key"))
	e := newEnv(t, func(d *api.Deps) { d.ResumeLinks = signer })
	e.createWorkflow(reviewYAML, "review")
	return e, signer
}

// waitingReview starts the review workflow and waits until it asks for input.
func (e *env) waitingReview() string {
	e.t.Helper()
	id := e.run("review", map[string]any{})
	e.waitStatus(id, "waiting_for_input")
	return id
}

// mintLink asks the API for a resume link and returns its path and query.
func (e *env) mintLink(id string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/api/workflows/executions/"+id+"/steps/review/resume/link", editorKey, map[string]any{"expiresInSeconds": 600})
	require.Equal(e.t, http.StatusOK, res.status, string(res.body))
	body := res.json(e.t)
	link, err := url.Parse(body["url"].(string))
	require.NoError(e.t, err)
	require.Equal(e.t, e.srv.URL, "http://"+link.Host)
	exp, err := time.Parse(time.RFC3339, body["expiresAt"].(string))
	require.NoError(e.t, err)
	require.True(e.t, exp.After(time.Now()) && exp.Before(time.Now().Add(11*time.Minute)), "expiresAt %s", exp)
	return link.RequestURI()
}

// post sends a form or JSON answer to a link without an API key.
func (e *env) post(path, contentType, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", contentType)
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// requirePage checks an HTML answer and returns its text.
func requirePage(t *testing.T, res response, status int) string {
	t.Helper()
	require.Equal(t, status, res.status, string(res.body))
	require.Equal(t, "text/html; charset=utf-8", res.header.Get("Content-Type"))
	require.Contains(t, res.header.Get("Content-Security-Policy"), "default-src 'none'")
	require.Equal(t, "no-referrer", res.header.Get("Referrer-Policy"))
	page := string(res.body)
	require.NotContains(t, page, "<script")
	require.NotContains(t, page, "src=")
	return page
}

func TestResumeLinkFormFlow(t *testing.T) {
	e, _ := linkEnv(t)
	id := e.waitingReview()
	link := e.mintLink(id)

	form := requirePage(t, e.do(http.MethodGet, link, "", nil), http.StatusOK)
	require.Contains(t, form, "Approve the deploy?")
	for _, field := range []string{`type="checkbox" id="f-approved" name="approved"`, `type="number" step="1" id="f-count"`,
		`type="text" id="f-reason"`, "Go ahead", `<form method="post"`} {
		require.Contains(t, form, field)
	}

	bad := requirePage(t, e.post(link, "application/x-www-form-urlencoded", "approved=true&count=many"), http.StatusBadRequest)
	require.Contains(t, bad, "field count")

	done := requirePage(t, e.post(link, "application/x-www-form-urlencoded", "approved=false&approved=true&reason=ship+it&count=3"), http.StatusOK)
	require.Contains(t, done, "Thank you")
	ex := e.waitDone(id)
	require.Equal(t, "completed", ex["status"])
	steps := ex["stepExecutions"].([]any)
	require.Equal(t, map[string]any{"approved": true, "reason": "ship it", "count": 3.0}, steps[0].(map[string]any)["output"])

	requirePage(t, e.post(link, "application/x-www-form-urlencoded", "approved=true"), http.StatusGone)
	requirePage(t, e.do(http.MethodGet, link, "", nil), http.StatusGone)
}

func TestResumeLinkJSONAnswer(t *testing.T) {
	e, _ := linkEnv(t)
	id := e.waitingReview()
	link := e.mintLink(id)
	requirePage(t, e.post(link, "application/json", `[1]`), http.StatusBadRequest)
	requirePage(t, e.post(link, "application/json", `{"approved": false, "reason": "not now"}`), http.StatusOK)
	ex := e.waitDone(id)
	require.Equal(t, map[string]any{"approved": false, "reason": "not now"}, ex["stepExecutions"].([]any)[0].(map[string]any)["output"])
	requirePage(t, e.post(link, "application/json", `{"approved": true}`), http.StatusGone)
}

func TestResumeLinkRefusals(t *testing.T) {
	e, signer := linkEnv(t)
	id := e.waitingReview()
	link := e.mintLink(id)
	u, err := url.Parse(link)
	require.NoError(t, err)
	token := u.Query().Get("token")
	base := "/api/workflows/executions/" + id + "/steps/review/resume/external?token="
	expired, err := signer.Mint(api.ResumeClaims{ExecutionID: id, StepID: "review", StepExecutionID: "any", ExpiresAt: time.Now().Add(-time.Minute).Unix()})
	require.NoError(t, err)
	otherKey, err := api.NewResumeSigner([]byte("another key")).Mint(api.ResumeClaims{ExecutionID: id, StepID: "review", ExpiresAt: time.Now().Add(time.Hour).Unix()})
	require.NoError(t, err)
	tests := []struct {
		name, path string
		status     int
	}{
		{"no token", "/api/workflows/executions/" + id + "/steps/review/resume/external", http.StatusUnauthorized},
		{"tampered token", base + token[:len(token)-2] + "xx", http.StatusUnauthorized},
		{"signed with another key", base + url.QueryEscape(otherKey), http.StatusUnauthorized},
		{"another kid", base + url.QueryEscape(token) + "&kid=ffffffff", http.StatusUnauthorized},
		{"another step in the path", "/api/workflows/executions/" + id + "/steps/after/resume/external?token=" + token, http.StatusUnauthorized},
		{"expired", base + url.QueryEscape(expired), http.StatusGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requirePage(t, e.do(http.MethodGet, tt.path, "", nil), tt.status)
			requirePage(t, e.post(tt.path, "application/x-www-form-urlencoded", "approved=true"), tt.status)
		})
	}
	require.Equal(t, "waiting_for_input", e.do(http.MethodGet, "/api/workflows/executions/"+id, viewerKey, nil).json(t)["status"])
}

func TestResumeLinkMinting(t *testing.T) {
	e, _ := linkEnv(t)
	e.createWorkflow(helloYAML, "hello")
	done := e.run("hello", map[string]any{})
	e.waitDone(done)
	id := e.waitingReview()
	tests := []struct {
		name, path, key string
		status          int
	}{
		{"no key", id + "/steps/review", "", http.StatusUnauthorized},
		{"viewer", id + "/steps/review", viewerKey, http.StatusForbidden},
		{"missing execution", "nope/steps/review", editorKey, http.StatusNotFound},
		{"a step that does not wait", id + "/steps/after", editorKey, http.StatusConflict},
		{"a finished execution", done + "/steps/greet", editorKey, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireProblem(t, e.do(http.MethodPost, "/api/workflows/executions/"+tt.path+"/resume/link", tt.key, nil), tt.status)
		})
	}
	res := e.do(http.MethodPost, "/api/workflows/executions/"+id+"/steps/review/resume/link", editorKey, nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	exp, err := time.Parse(time.RFC3339, res.json(t)["expiresAt"].(string))
	require.NoError(t, err)
	require.True(t, exp.After(time.Now().Add(50*time.Minute)), "default lifetime is an hour: %s", exp)
}

func TestResumeLinksDisabled(t *testing.T) {
	e := newEnv(t, func(d *api.Deps) { d.DisableResumeLinks = true })
	res := e.do(http.MethodGet, "/api/workflows/executions/x/steps/y/resume/external?token=t", "", nil)
	require.Equal(t, http.StatusNotFound, res.status)
}
