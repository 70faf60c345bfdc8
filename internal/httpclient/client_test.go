package httpclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

// fixedNow is the clock the tests give the client, so Retry-After dates are deterministic.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newClient(opts httpclient.Options) *httpclient.Client {
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	return httpclient.New(opts)
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// seen is what an echoing server received.
type seen struct {
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
}

// echo answers with what it received, as JSON.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header, string(body)})
}

func decodeSeen(t *testing.T, resp *httpclient.Response) seen {
	t.Helper()
	var s seen
	require.NoError(t, json.Unmarshal(resp.Body, &s))
	return s
}

func TestDoReturnsTheWholeResponse(t *testing.T) {
	srv := serve(t, echo)
	c := newClient(httpclient.Options{})
	resp, err := c.Do(context.Background(), &httpclient.Request{
		Method: http.MethodPost,
		URL:    srv.URL + "/things?a=1",
		Header: http.Header{"X-Trace": {"abc"}},
		Body:   []byte(`{"x":1}`),
	})
	require.NoError(t, err)
	require.Equal(t, 200, resp.Status)
	require.Equal(t, "OK", resp.StatusText)
	require.Equal(t, "application/json", resp.Headers.Get("Content-Type"))
	got := decodeSeen(t, resp)
	require.Equal(t, "POST", got.Method)
	require.Equal(t, "/things", got.Path)
	require.Equal(t, "a=1", got.Query)
	require.Equal(t, `{"x":1}`, got.Body)
	require.Equal(t, "abc", got.Header.Get("X-Trace"))
	require.Equal(t, httpclient.DefaultUserAgent, got.Header.Get("User-Agent"))
}

func TestDoRedirects(t *testing.T) {
	tests := []struct {
		code       int
		method     string
		wantMethod string
		wantBody   string
	}{
		{301, "POST", "GET", ""},
		{302, "POST", "GET", ""},
		{303, "POST", "GET", ""},
		{303, "PUT", "GET", ""},
		{307, "POST", "POST", "payload"},
		{308, "POST", "POST", "payload"},
		{308, "PATCH", "PATCH", "payload"},
		{302, "PUT", "PUT", "payload"},
		{301, "GET", "GET", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.code, tt.method), func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/old" {
					http.Redirect(w, r, "/new", tt.code)
					return
				}
				echo(w, r)
			})
			req := &httpclient.Request{Method: tt.method, URL: srv.URL + "/old"}
			if tt.method != "GET" {
				req.Body = []byte("payload")
				req.Header = http.Header{"Content-Type": {"text/plain"}}
			}
			resp, err := newClient(httpclient.Options{}).Do(context.Background(), req)
			require.NoError(t, err)
			require.Equal(t, 1, resp.Redirects)
			require.Equal(t, srv.URL+"/new", resp.URL)
			got := decodeSeen(t, resp)
			require.Equal(t, "/new", got.Path)
			require.Equal(t, tt.wantMethod, got.Method)
			require.Equal(t, tt.wantBody, got.Body)
			if tt.wantBody == "" {
				require.Empty(t, got.Header.Get("Content-Type"))
			} else {
				require.Equal(t, "text/plain", got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestDoRedirectStripsCredentialsWhenLeavingTheOrigin(t *testing.T) {
	other := serve(t, echo)
	same := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
		case "/stay":
			http.Redirect(w, r, "/landed", http.StatusFound)
		default:
			echo(w, r)
		}
	})
	header := http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"sid=1"}, "X-Keep": {"yes"}}
	c := newClient(httpclient.Options{})

	resp, err := c.Do(context.Background(), &httpclient.Request{URL: same.URL + "/away", Header: header})
	require.NoError(t, err)
	got := decodeSeen(t, resp)
	require.Empty(t, got.Header.Get("Authorization"))
	require.Empty(t, got.Header.Get("Cookie"))
	require.Equal(t, "yes", got.Header.Get("X-Keep"))

	resp, err = c.Do(context.Background(), &httpclient.Request{URL: same.URL + "/stay", Header: header})
	require.NoError(t, err)
	got = decodeSeen(t, resp)
	require.Equal(t, "Bearer s3cret", got.Header.Get("Authorization"))
	require.Equal(t, "sid=1", got.Header.Get("Cookie"))
	require.Equal(t, "Bearer s3cret", header.Get("Authorization"), "the caller's header is not modified")
}

func TestDoRedirectLimits(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	c := newClient(httpclient.Options{})

	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/loop", MaxRedirects: 3})
	require.ErrorIs(t, err, httpclient.ErrTooManyRedirects)
	require.Contains(t, err.Error(), "stopped after 3 redirects")
	require.Equal(t, int32(4), hits.Load())

	resp, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/loop", NoRedirects: true})
	require.ErrorIs(t, err, httpclient.ErrStatus)
	require.Equal(t, 302, resp.Status)
	require.Equal(t, "/loop", resp.Headers.Get("Location"))
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.False(t, herr.Retryable)
}

func TestDoStatusErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		retryAfter  string
		wantMsg     string
		retryable   bool
		wantAfter   time.Duration
	}{
		{"problem json", 404, "application/problem+json", `{"type":"about:blank","title":"Not Found","detail":"no issue ABC-1"}`, "",
			"HTTP 404 Not Found from GET %s/x: Not Found: no issue ABC-1", false, 0},
		{"bad request text", 400, "text/plain", "  missing\n field  ", "",
			"HTTP 400 Bad Request from GET %s/x: missing field", false, 0},
		{"request timeout", 408, "text/plain", "", "", "HTTP 408 Request Timeout from GET %s/x", true, 0},
		{"rate limited seconds", 429, "application/json", `{"message":"slow down"}`, "7",
			"HTTP 429 Too Many Requests from GET %s/x: slow down", true, 7 * time.Second},
		{"rate limited date", 429, "application/json", `{"ok":false,"error":"ratelimited"}`, fixedNow.Add(90 * time.Second).Format(http.TimeFormat),
			"HTTP 429 Too Many Requests from GET %s/x: ratelimited", true, 90 * time.Second},
		{"server error", 500, "text/html", "<html><title>Oops</title><body>stack</body></html>", "",
			"HTTP 500 Internal Server Error from GET %s/x: Oops", true, 0},
		{"unavailable", 503, "", "", "120", "HTTP 503 Service Unavailable from GET %s/x", true, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			resp, err := newClient(httpclient.Options{}).Do(context.Background(), &httpclient.Request{URL: srv.URL + "/x"})
			require.ErrorIs(t, err, httpclient.ErrStatus)
			require.Equal(t, tt.status, resp.Status)
			require.Equal(t, tt.body, string(resp.Body))
			var herr *httpclient.Error
			require.ErrorAs(t, err, &herr)
			require.Equal(t, fmt.Sprintf(tt.wantMsg, srv.URL), herr.Error())
			require.Equal(t, tt.retryable, herr.Retryable)
			require.Equal(t, tt.wantAfter, herr.RetryAfter)
			require.Same(t, resp, herr.Response)
		})
	}
}

func TestDoBodyCap(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: the cap is found while reading
		}
		_, _ = io.WriteString(w, big)
	})
	c := newClient(httpclient.Options{MaxBodyBytes: 1024})
	for _, path := range []string{"/sized", "/chunked"} {
		t.Run(path, func(t *testing.T) {
			_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + path})
			require.ErrorIs(t, err, httpclient.ErrBodyTooLarge)
			require.Contains(t, err.Error(), "exceeds the 1kb size limit; configure 'max-step-size' to raise it")
		})
	}
	resp, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/sized", MaxBodyBytes: 2048})
	require.NoError(t, err)
	require.Len(t, resp.Body, 2048)
	_, err = c.Do(context.Background(), &httpclient.Request{URL: srv.URL, MaxBodyBytes: 100, BodyLimitHint: "fetcher.max_content_length"})
	require.ErrorContains(t, err, "exceeds the 100b size limit; configure 'fetcher.max_content_length'")
}

func TestDoTimeoutAndCancellation(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // never answers; returns once the client gives up
	})
	c := newClient(httpclient.Options{})

	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL, Timeout: 20 * time.Millisecond})
	<-arrived
	require.ErrorIs(t, err, httpclient.ErrTimeout)
	require.ErrorContains(t, err, "timed out after 20ms")
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.True(t, herr.Retryable)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err = c.Do(ctx, &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrCancelled)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorAs(t, err, &herr)
	require.False(t, herr.Retryable)

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &httpclient.Request{URL: srv.URL})
	<-arrived
	require.ErrorIs(t, err, httpclient.ErrTimeout)
	require.ErrorContains(t, err, "the deadline passed")
}

func TestDoConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	_, err = newClient(httpclient.Options{}).Do(context.Background(), &httpclient.Request{URL: "http://" + addr + "/"})
	require.ErrorIs(t, err, httpclient.ErrConnectionRefused)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.True(t, herr.Retryable)
}

func TestDoInvalidRequests(t *testing.T) {
	c := newClient(httpclient.Options{})
	for _, u := range []string{"ftp://example.com/x", "/relative", "http://", "http://a b"} {
		t.Run(u, func(t *testing.T) {
			_, err := c.Do(context.Background(), &httpclient.Request{URL: u})
			require.ErrorIs(t, err, httpclient.ErrInvalidRequest)
		})
	}
	_, err := c.Do(context.Background(), &httpclient.Request{Method: "BAD METHOD", URL: "http://127.0.0.1:1/"})
	require.ErrorIs(t, err, httpclient.ErrInvalidRequest)
}

func TestDoRedactsErrors(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"token tok-123 is invalid"}`)
	})
	c := newClient(httpclient.Options{Redact: func(s string) string { return strings.ReplaceAll(s, "tok-123", "[REDACTED]") }})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/?token=tok-123"})
	require.ErrorIs(t, err, httpclient.ErrStatus)
	require.NotContains(t, err.Error(), "tok-123")
	require.Equal(t, "HTTP 401 Unauthorized from GET "+srv.URL+"/?token=[REDACTED]: token [REDACTED] is invalid", err.Error())
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.NotContains(t, herr.URL, "tok-123")
	require.NotContains(t, herr.RemoteMessage, "tok-123")
}

func TestDoAllowedHosts(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:1/elsewhere", http.StatusFound)
	})
	c := newClient(httpclient.Options{AllowedHosts: []string{"127.0.0.1"}})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrHostNotAllowed, "a redirect is vetted too")
	require.ErrorContains(t, err, `host "localhost" is not in the allowed hosts`)

	_, err = c.Do(context.Background(), &httpclient.Request{URL: "http://example.com/"})
	require.ErrorIs(t, err, httpclient.ErrHostNotAllowed)
}

func TestDoDialControlVetsConnections(t *testing.T) {
	srv := serve(t, echo)
	refuse := errors.New("private address")
	c := newClient(httpclient.Options{DialControl: func(network, address string, _ syscall.RawConn) error {
		return fmt.Errorf("dialing %s: %w", address, refuse)
	}})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrNetwork)
	require.ErrorIs(t, err, refuse)
}

func TestDoTLSVerification(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newClient(httpclient.Options{})

	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrNetwork)
	require.ErrorContains(t, err, "skip_ssl_verification")
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.False(t, herr.Retryable, "a bad certificate stays bad")

	resp, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL, InsecureSkipVerify: true})
	require.NoError(t, err)
	require.Equal(t, 200, resp.Status)
}

func TestDoReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(httpclient.Options{})
	for range 20 {
		_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), conns.Load())

	for range 3 {
		_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL, DisableKeepAlive: true})
		require.NoError(t, err)
	}
	require.Equal(t, int32(4), conns.Load())
}

func TestDoLogsRedactedRequests(t *testing.T) {
	srv := serve(t, echo)
	var buf bytes.Buffer
	c := newClient(httpclient.Options{
		Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Redact: func(s string) string { return strings.ReplaceAll(s, "k3y", "[REDACTED]") },
	})
	_, err := c.Do(context.Background(), &httpclient.Request{Method: "PUT", URL: srv.URL + "/?api_key=k3y"})
	require.NoError(t, err)
	line := buf.String()
	require.Contains(t, line, `msg="outbound http request" method=PUT url="`+srv.URL+`/?api_key=[REDACTED]"`)
	require.Contains(t, line, "status=200 redirects=0")
	require.NotContains(t, line, "k3y")
}
