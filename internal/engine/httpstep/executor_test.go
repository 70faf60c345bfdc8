package httpstep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/httpstep"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/workflow"
)

// fixedNow is the client's clock, so Retry-After dates give exact delays.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logLine is one line written through the step logger.
type logLine struct {
	level, message string
	data           map[string]any
}

// recorder is a StepLogger that keeps what it is given.
type recorder struct {
	mu    sync.Mutex
	lines []logLine
}

func (r *recorder) Log(level, message string, data map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, logLine{level, message, data})
}

func newExecutor() engine.StepExecutor {
	return httpstep.New(httpclient.New(httpclient.Options{Now: func() time.Time { return fixedNow }}))
}

func run(t *testing.T, with map[string]any) (map[string]any, *engine.StepError) {
	t.Helper()
	return runInput(t, context.Background(), engine.StepInput{With: with, MaxOutputBytes: 1 << 20})
}

func runInput(t *testing.T, ctx context.Context, in engine.StepInput) (map[string]any, *engine.StepError) {
	t.Helper()
	if in.Step == nil {
		in.Step = &workflow.Step{Name: "call", Type: "http"}
	}
	out, err := newExecutor().Run(ctx, in)
	if err != nil {
		require.Nil(t, out)
		se, ok := err.(*engine.StepError)
		require.True(t, ok, "the error is a *engine.StepError: %T %v", err, err)
		return nil, se
	}
	m, ok := out.(map[string]any)
	require.True(t, ok)
	_, err = json.Marshal(m)
	require.NoError(t, err, "the output is JSON-encodable")
	return m, nil
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// received is what the echo server saw.
type received struct {
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
}

// echo answers with the request it received as JSON.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header, string(body)})
}

// echoed decodes the echo server's answer from a step output.
func echoed(t *testing.T, out map[string]any) received {
	t.Helper()
	b, err := json.Marshal(out["data"])
	require.NoError(t, err)
	var r received
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

func TestRunDecodesResponses(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    any
	}{
		{"json", "application/json; charset=utf-8", `{"id":7,"tags":["a"],"ok":true,"n":null}`,
			map[string]any{"id": float64(7), "tags": []any{"a"}, "ok": true, "n": nil}},
		{"problem json type", "application/vnd.api+json", `[1.5]`, []any{1.5}},
		{"json scalar by type", "application/json", `"hello"`, "hello"},
		{"sniffed json", "text/plain", ` {"a":1} `, map[string]any{"a": float64(1)}},
		{"big integers stay exact", "application/json", `{"id":9007199254740993}`, map[string]any{"id": 9007199254740993}},
		{"text", "text/html", "<html>hi</html>", "<html>hi</html>"},
		{"invalid json kept as text", "application/json", `{"a":`, `{"a":`},
		{"two documents are text", "", `{"a":1}{"b":2}`, `{"a":1}{"b":2}`},
		{"empty", "application/json", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				w.Header().Add("X-Multi", "a")
				w.Header().Add("X-Multi", "b")
				_, _ = io.WriteString(w, tt.body)
			})
			out, serr := run(t, map[string]any{"url": srv.URL})
			require.Nil(t, serr)
			require.Equal(t, 200, out["status"])
			require.Equal(t, "OK", out["statusText"])
			headers := out["headers"].(map[string]any)
			require.Equal(t, tt.contentType, headers["content-type"])
			require.Equal(t, "a, b", headers["x-multi"])
			require.Equal(t, tt.want, out["data"])
		})
	}
}

func TestRunBuildsTheRequest(t *testing.T) {
	tests := []struct {
		name      string
		with      map[string]any
		wantQuery string
		wantBody  string
		wantType  string
		wantHdr   map[string]string
	}{
		{"get defaults", map[string]any{}, "", "", "", map[string]string{"User-Agent": httpclient.DefaultUserAgent}},
		{"object body is json", map[string]any{"method": "POST", "body": map[string]any{"b": 2, "a": "x"}},
			"", `{"a":"x","b":2}`, "application/json", nil},
		{"array body is json", map[string]any{"method": "PUT", "body": []any{1, "two"}}, "", `[1,"two"]`, "application/json", nil},
		{"json string body", map[string]any{"method": "POST", "body": `{"raw":true}`}, "", `{"raw":true}`, "application/json", nil},
		{"text string body", map[string]any{"method": "post", "body": "a=1&b=2"}, "", "a=1&b=2", "text/plain; charset=utf-8", nil},
		{"content type kept", map[string]any{"method": "PATCH", "body": map[string]any{"a": 1},
			"headers": map[string]any{"content-type": "application/json; charset=utf-8"}}, "", `{"a":1}`, "application/json; charset=utf-8", nil},
		{"headers stringified", map[string]any{"headers": map[string]any{"X-Count": float64(3), "X-Flag": true, "X-Ratio": 0.5, "X-None": nil, "User-Agent": "me"}},
			"", "", "", map[string]string{"X-Count": "3", "X-Flag": "true", "X-Ratio": "0.5", "X-None": "", "User-Agent": "me"}},
		{"query merged", map[string]any{"query": map[string]any{"q": "a b", "n": float64(2), "tag": []any{"x", "y"}, "skip": nil}},
			"page=1&n=2&q=a+b&tag=x&tag=y", "", "", nil},
		{"delete with body", map[string]any{"method": "DELETE", "body": map[string]any{"id": 1}}, "", `{"id":1}`, "application/json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, echo)
			with := map[string]any{"url": srv.URL + "/v1/things"}
			if tt.name == "query merged" {
				with["url"] = srv.URL + "/v1/things?page=1"
			}
			for k, v := range tt.with {
				with[k] = v
			}
			out, serr := run(t, with)
			require.Nil(t, serr)
			got := echoed(t, out)
			require.Equal(t, "/v1/things", got.Path)
			require.Equal(t, tt.wantQuery, got.Query)
			require.Equal(t, tt.wantBody, got.Body)
			require.Equal(t, tt.wantType, got.Header.Get("Content-Type"))
			for k, v := range tt.wantHdr {
				require.Equal(t, v, got.Header.Get(k), k)
			}
		})
	}
}

func TestRunLogsTheRequest(t *testing.T) {
	srv := serve(t, echo)
	rec := &recorder{}
	_, serr := runInput(t, context.Background(), engine.StepInput{
		With: map[string]any{"url": srv.URL + "/x", "method": "POST", "query": map[string]any{"a": "1"}},
		Log:  rec,
	})
	require.Nil(t, serr)
	require.Len(t, rec.lines, 1)
	require.Equal(t, "info", rec.lines[0].level)
	require.Equal(t, "Making HTTP POST request to "+srv.URL+"/x?a=1", rec.lines[0].message)
}

func TestRunRedirects(t *testing.T) {
	tests := []struct {
		code               int
		wantMethod, wantBd string
	}{
		{301, "GET", ""}, {302, "GET", ""}, {303, "GET", ""},
		{307, "POST", `{"a":1}`}, {308, "POST", `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/old" {
					http.Redirect(w, r, "/new", tt.code)
					return
				}
				echo(w, r)
			})
			out, serr := run(t, map[string]any{"url": srv.URL + "/old", "method": "POST", "body": map[string]any{"a": 1}})
			require.Nil(t, serr)
			got := echoed(t, out)
			require.Equal(t, "/new", got.Path)
			require.Equal(t, tt.wantMethod, got.Method)
			require.Equal(t, tt.wantBd, got.Body)

			_, serr = run(t, map[string]any{"url": srv.URL + "/old", "fetcher": map[string]any{"follow_redirects": false}})
			require.NotNil(t, serr)
			require.Equal(t, "HttpRequestError", serr.Type)
			require.Equal(t, tt.code, serr.Details["status"])
			require.Equal(t, "/new", serr.Details["headers"].(map[string]any)["location"])

			_, serr = run(t, map[string]any{"url": srv.URL + "/old", "fetcher": map[string]any{"max_redirects": 0}})
			require.NotNil(t, serr)
			require.Equal(t, tt.code, serr.Details["status"])
		})
	}
}

func TestRunRedirectLimitAndCrossOrigin(t *testing.T) {
	other := serve(t, echo)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/1":
			http.Redirect(w, r, "/2", http.StatusFound)
		case "/2":
			http.Redirect(w, r, other.URL+"/3", http.StatusTemporaryRedirect)
		}
	})
	with := map[string]any{"url": srv.URL + "/1", "headers": map[string]any{"Authorization": "Bearer t0k", "Cookie": "a=b", "X-Keep": "1"}}
	out, serr := run(t, with)
	require.Nil(t, serr)
	got := echoed(t, out)
	require.Equal(t, "/3", got.Path)
	require.Empty(t, got.Header.Get("Authorization"))
	require.Empty(t, got.Header.Get("Cookie"))
	require.Equal(t, "1", got.Header.Get("X-Keep"))

	with["fetcher"] = map[string]any{"max_redirects": float64(1)}
	_, serr = run(t, with)
	require.NotNil(t, serr)
	require.Equal(t, "HttpRequestError", serr.Type)
	require.Contains(t, serr.Message, "stopped after 1 redirects")
	require.True(t, serr.Permanent)
}

func TestRunFailsOnErrorStatuses(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		wantMessage string
		wantData    any
		permanent   bool
		retryAfter  time.Duration
	}{
		{"404 problem", 404, map[string]string{"Content-Type": "application/problem+json"},
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"Issue ENG-9 does not exist"}`,
			"HTTP 404 Not Found from GET %s/rest/issue/ENG-9: Not Found: Issue ENG-9 does not exist",
			map[string]any{"type": "about:blank", "title": "Not Found", "status": float64(404), "detail": "Issue ENG-9 does not exist"}, true, 0},
		{"400 jira", 400, map[string]string{"Content-Type": "application/json"},
			`{"errorMessages":[],"errors":{"summary":"You must specify a summary of the issue."}}`,
			"HTTP 400 Bad Request from GET %s/rest/issue/ENG-9: summary: You must specify a summary of the issue.",
			map[string]any{"errorMessages": []any{}, "errors": map[string]any{"summary": "You must specify a summary of the issue."}}, true, 0},
		{"429 seconds", 429, map[string]string{"Content-Type": "application/json", "Retry-After": "30"},
			`{"ok":false,"error":"ratelimited"}`, "HTTP 429 Too Many Requests from GET %s/rest/issue/ENG-9: ratelimited",
			map[string]any{"ok": false, "error": "ratelimited"}, false, 30 * time.Second},
		{"429 date", 429, map[string]string{"Retry-After": fixedNow.Add(5 * time.Minute).Format(http.TimeFormat)},
			"", "HTTP 429 Too Many Requests from GET %s/rest/issue/ENG-9", "", false, 5 * time.Minute},
		{"408", 408, nil, "", "HTTP 408 Request Timeout from GET %s/rest/issue/ENG-9", "", false, 0},
		{"500", 500, map[string]string{"Content-Type": "text/plain"}, "database is down",
			"HTTP 500 Internal Server Error from GET %s/rest/issue/ENG-9: database is down", "database is down", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			_, serr := run(t, map[string]any{"url": srv.URL + "/rest/issue/ENG-9"})
			require.NotNil(t, serr)
			require.Equal(t, "HttpRequestError", serr.Type)
			require.Equal(t, fmt.Sprintf(tt.wantMessage, srv.URL), serr.Message)
			require.Equal(t, tt.status, serr.Details["status"])
			require.Equal(t, http.StatusText(tt.status), serr.Details["statusText"])
			require.Contains(t, serr.Details["headers"], "date")
			require.Equal(t, tt.wantData, serr.Details["data"])
			require.Equal(t, tt.permanent, serr.Permanent)
			require.Equal(t, tt.retryAfter, serr.RetryAfter)
			_, err := json.Marshal(serr)
			require.NoError(t, err)
		})
	}
}

func TestRunTransportFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := ln.Addr().String()
	require.NoError(t, ln.Close())

	arrived := make(chan struct{}, 1)
	hang := serve(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})

	t.Run("connection refused", func(t *testing.T) {
		_, serr := run(t, map[string]any{"url": "http://" + closedAddr + "/"})
		require.NotNil(t, serr)
		require.Equal(t, "ConnectionRefused", serr.Type)
		require.False(t, serr.Permanent)
		require.Contains(t, serr.Message, "connection refused")
	})
	t.Run("with.timeout", func(t *testing.T) {
		_, serr := run(t, map[string]any{"url": hang.URL, "timeout": "20ms"})
		<-arrived
		require.NotNil(t, serr)
		require.Equal(t, "TimeoutError", serr.Type)
		require.Equal(t, fmt.Sprintf("GET %s timed out after 20ms", hang.URL), serr.Message)
	})
	t.Run("step timeout on ctx", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, serr := runInput(t, ctx, engine.StepInput{With: map[string]any{"url": hang.URL}, Timeout: 20 * time.Millisecond})
		<-arrived
		require.NotNil(t, serr)
		require.Equal(t, "TimeoutError", serr.Type)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, serr := runInput(t, ctx, engine.StepInput{With: map[string]any{"url": hang.URL}})
		require.NotNil(t, serr)
		require.Equal(t, "HttpRequestCancelledError", serr.Type)
		require.True(t, serr.Permanent)
	})
}

func TestRunCapsTheBody(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(make([]byte, 4096))
	})
	_, serr := runInput(t, context.Background(), engine.StepInput{With: map[string]any{"url": srv.URL}, MaxOutputBytes: 1024})
	require.NotNil(t, serr)
	require.Equal(t, "HttpResponseTooLargeError", serr.Type)
	require.Equal(t, fmt.Sprintf("response body of GET %s exceeds the 1kb size limit; configure 'max-step-size' to raise it", srv.URL), serr.Message)
	require.True(t, serr.Permanent)

	_, serr = runInput(t, context.Background(), engine.StepInput{
		With:           map[string]any{"url": srv.URL, "fetcher": map[string]any{"max_content_length": 2000}},
		MaxOutputBytes: 1 << 20,
	})
	require.NotNil(t, serr)
	require.Contains(t, serr.Message, "exceeds the 2000b size limit; configure 'fetcher.max_content_length'")

	out, serr := runInput(t, context.Background(), engine.StepInput{With: map[string]any{"url": srv.URL}, MaxOutputBytes: 4096})
	require.Nil(t, serr)
	require.Len(t, out["data"], 4096)
}

func TestRunSkipSSLVerification(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	_, serr := run(t, map[string]any{"url": srv.URL})
	require.NotNil(t, serr)
	require.Equal(t, "HttpRequestError", serr.Type)
	require.True(t, serr.Permanent)
	require.Contains(t, serr.Message, "skip_ssl_verification")

	out, serr := run(t, map[string]any{"url": srv.URL, "fetcher": map[string]any{"skip_ssl_verification": "true"}})
	require.Nil(t, serr)
	require.Equal(t, 200, out["status"])
}

func TestRunRejectsConnectors(t *testing.T) {
	_, serr := runInput(t, context.Background(), engine.StepInput{
		Step: &workflow.Step{Name: "call", Type: "http", ConnectorID: "my-api"},
		With: map[string]any{"path": "/x"},
	})
	require.NotNil(t, serr)
	require.Equal(t, `connector-id "my-api": connectors are not available yet; remove connector-id and give the full url in with.url`, serr.Message)
	require.True(t, serr.Permanent)
}

func TestRunValidatesWith(t *testing.T) {
	tests := []struct {
		name string
		with map[string]any
		want string
	}{
		{"missing url", map[string]any{}, "with.url: is required (the full URL to call)"},
		{"url not a string", map[string]any{"url": 5}, "with.url: want a string, got a number"},
		{"relative url", map[string]any{"url": "/x"}, `with.url: "/x" is not an absolute http or https URL`},
		{"ftp url", map[string]any{"url": "ftp://h/x"}, `with.url: "ftp://h/x" is not an absolute http or https URL`},
		{"bad method", map[string]any{"url": "http://h", "method": "HEAD"}, `with.method: "HEAD" is not supported; use one of GET, POST, PUT, PATCH, DELETE`},
		{"method type", map[string]any{"url": "http://h", "method": true}, "with.method: want a string, got a boolean"},
		{"headers type", map[string]any{"url": "http://h", "headers": []any{"a"}}, "with.headers: want an object of names to values, got an array"},
		{"header name", map[string]any{"url": "http://h", "headers": map[string]any{"Bad Name": "x"}}, `with.headers: "Bad Name" is not a valid header name`},
		{"header injection", map[string]any{"url": "http://h", "headers": map[string]any{"X": "a\r\nB: c"}}, `with.headers: the value of "X" contains a line break`},
		{"query type", map[string]any{"url": "http://h", "query": "a=1"}, "with.url: merging with.query: want an object of names to values, got a string"},
		{"timeout", map[string]any{"url": "http://h", "timeout": "soon"}, `with.timeout: "soon" is not a positive duration like "30s" or "1m30s"`},
		{"fetcher option", map[string]any{"url": "http://h", "fetcher": map[string]any{"retries": 3}},
			"with.fetcher: retries: unknown fetcher option (use skip_ssl_verification, follow_redirects, max_redirects, max_content_length or keep_alive)"},
		{"fetcher bool", map[string]any{"url": "http://h", "fetcher": map[string]any{"follow_redirects": "maybe"}}, "with.fetcher: follow_redirects: want true or false, got a string"},
		{"fetcher length", map[string]any{"url": "http://h", "fetcher": map[string]any{"max_content_length": 0}}, "with.fetcher: max_content_length: 0 is not a positive number of bytes"},
		{"unknown key", map[string]any{"url": "http://h", "header": map[string]any{}}, "with.header is not a parameter of the http step"},
		{"path without connector", map[string]any{"url": "http://h", "path": "/x"}, "with.path needs connector-id (it is appended to the connector's URL); give the full url instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, serr := run(t, tt.with)
			require.NotNil(t, serr)
			require.Equal(t, "ValidationError", serr.Type)
			require.Equal(t, tt.want, serr.Message)
			require.True(t, serr.Permanent)
		})
	}
}
