package httpcall_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

func TestParseBuildsTheRequest(t *testing.T) {
	p, err := httpcall.Parse(map[string]any{
		"method":  "post",
		"headers": map[string]any{"X-Count": float64(3), "X-None": nil},
		"query":   map[string]any{"tag": []any{"a", "b"}, "skip": nil},
		"body":    map[string]any{"a": 1},
		"timeout": float64(1500),
		"fetcher": map[string]any{"max_redirects": "2", "max_content_length": 100, "keep_alive": false},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, "tag=a&tag=b", p.Query.Encode())
	req := p.Request("http://h/x", 1<<20, 0)
	require.Equal(t, &httpclient.Request{
		Method: "POST", URL: "http://h/x",
		Header:  http.Header{"X-Count": {"3"}, "Content-Type": {"application/json"}},
		Body:    []byte(`{"a":1}`),
		Timeout: 1500 * time.Millisecond, MaxRedirects: 2, DisableKeepAlive: true,
		MaxBodyBytes: 100, BodyLimitHint: "fetcher.max_content_length",
	}, req)

	req = httpcall.NewParams().Request("http://h", 0, time.Second)
	require.Equal(t, time.Duration(-1), req.Timeout, "the step's deadline on ctx governs")
	require.False(t, req.NoRedirects)
}

func TestParseErrors(t *testing.T) {
	own := map[string]func(any) error{"url": func(any) error { return nil }}
	tests := []struct {
		name string
		with map[string]any
		want string
	}{
		{"unknown", map[string]any{"url": 1, "header": nil}, "with.header is not a parameter of the http step"},
		{"method", map[string]any{"method": "HEAD"}, `with.method: "HEAD" is not supported; use one of GET, POST, PUT, PATCH, DELETE`},
		{"query", map[string]any{"query": "a=1"}, "with.query: want an object of names to values, got a string"},
		{"first in order", map[string]any{"timeout": 0, "fetcher": map[string]any{"x": 1, "keep_alive": 2}},
			"with.fetcher: keep_alive: want true or false, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpcall.Parse(tt.with, own)
			var perr *httpcall.ParamError
			require.ErrorAs(t, err, &perr)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestOutput(t *testing.T) {
	resp := &httpclient.Response{Status: 201, StatusText: "Created",
		Headers: http.Header{"Content-Type": {"text/plain"}, "X-Multi": {"a", "b"}},
		Body:    []byte(` {"id":9007199254740993,"n":1.5} `)}
	require.Equal(t, map[string]any{
		"status": 201, "statusText": "Created",
		"headers": map[string]any{"content-type": "text/plain", "x-multi": "a, b"},
		"data":    map[string]any{"id": 9007199254740993, "n": 1.5},
	}, httpcall.Output(resp))
}
