// Package connectortest is what the tests of the connector packages share: a fake service
// that records every request a connector sends it (Fake) and answers with a canned response
// (Answer), an exact check of the one request a step sent (RequireOneRequest), and checks of
// a connector's results, config validation and JSON-Schema specs. It exists so that each
// connector's tests say what its service does and what it must be sent, not how to record
// a request; only _test files import it.
package connectortest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request a Fake received.
type Request struct {
	Method string
	// Path is the path as sent (escaped), without the query.
	Path     string
	RawQuery string
	Header   http.Header
	Body     string
}

// Fake is an httptest server standing in for a connector's service: it records every
// request, then hands it to the answer handler (with the body readable again).
type Fake struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL  string
	mu   sync.Mutex
	reqs []Request
}

// NewFake starts a Fake answering with answer; it stops when the test ends.
func NewFake(t testing.TB, answer http.HandlerFunc) *Fake {
	t.Helper()
	f := &Fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, Request{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Requests returns the requests received so far, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

// Answer returns a handler writing status, content type (none when ""), body and extra
// header name, value pairs.
func Answer(status int, contentType, body string, headers ...string) http.HandlerFunc {
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

// URI is the path and query as sent, what net/http calls the request URI ("/v1/x?a=b").
func (r Request) URI() string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}
