package httpclient_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

// forwardProxy is an httptest server acting as a forward HTTP proxy: it records each
// request (absolute-form target, proxy credentials) and answers it itself.
type forwardProxy struct {
	mu      sync.Mutex
	targets []string
	authz   []string
}

func (p *forwardProxy) serve(t *testing.T) string {
	t.Helper()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.targets = append(p.targets, r.Method+" "+r.RequestURI)
		p.authz = append(p.authz, r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		_, _ = io.WriteString(w, "via proxy")
	})
	return srv.URL
}

func TestDoProxyURL(t *testing.T) {
	origin := serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "direct") })
	dns := fakeDNS{
		"api.example":          {"93.184.215.14"},
		"private.example":      {"10.0.0.9"},
		"svc.internal.example": {"127.0.0.1"},
	}
	tests := []struct {
		name       string
		url        string
		opts       httpclient.Options
		wantBody   string // "" when the request must fail
		wantKind   error
		wantMsg    string
		wantTarget string // what the proxy saw, "" for nothing
	}{
		{name: "request goes through the proxy", url: "http://api.example/things?a=1",
			opts:     httpclient.Options{DenyPrivate: true},
			wantBody: "via proxy", wantTarget: "GET http://api.example/things?a=1"},
		{name: "target resolving to a private address is refused", url: "http://private.example/",
			opts:     httpclient.Options{DenyPrivate: true},
			wantKind: httpclient.ErrAddressDenied, wantMsg: `host "private.example" resolves to 10.0.0.9`},
		{name: "private target allowed without deny private", url: "http://private.example/x",
			wantBody: "via proxy", wantTarget: "GET http://private.example/x"},
		{name: "metadata literal refused before the proxy", url: "http://169.254.169.254/latest/",
			wantKind: httpclient.ErrAddressDenied, wantMsg: "a cloud metadata address"},
		{name: "name only the proxy resolves", url: "http://proxy-only.example/",
			wantBody: "via proxy", wantTarget: "GET http://proxy-only.example/"},
		{name: "name only the proxy resolves, deny private", url: "http://proxy-only.example/",
			opts:     httpclient.Options{DenyPrivate: true},
			wantKind: httpclient.ErrNetwork, wantMsg: "deny_private_addresses needs it resolved here"},
		{name: "bypassed host is reached directly", url: at(t, origin.URL, "svc.internal.example"),
			opts:     httpclient.Options{ProxyBypassHosts: []string{"*.internal.example"}},
			wantBody: "direct"},
		{name: "bypassed host still vetted", url: at(t, origin.URL, "svc.internal.example"),
			opts:     httpclient.Options{DenyPrivate: true, ProxyBypassHosts: []string{"*.internal.example"}},
			wantKind: httpclient.ErrAddressDenied, wantMsg: `host "svc.internal.example" resolves to 127.0.0.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := &forwardProxy{}
			tt.opts.ProxyURL = proxy.serve(t)
			tt.opts.LookupIP = dns.lookup
			resp, err := newClient(tt.opts).Do(context.Background(), &httpclient.Request{URL: tt.url})
			if tt.wantBody == "" {
				require.ErrorIs(t, err, tt.wantKind)
				require.Empty(t, proxy.targets, "nothing reached the proxy")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantBody, string(resp.Body))
			if tt.wantTarget == "" {
				require.Empty(t, proxy.targets)
			} else {
				require.Equal(t, []string{tt.wantTarget}, proxy.targets)
			}
		})
	}
}

func TestDoProxyCredentials(t *testing.T) {
	proxy := &forwardProxy{}
	proxyURL := strings.Replace(proxy.serve(t), "http://", "http://errand:s3cret@", 1)
	c := newClient(httpclient.Options{ProxyURL: proxyURL, LookupIP: fakeDNS{"api.example": {"93.184.215.14"}}.lookup})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: "http://api.example/"})
	require.NoError(t, err)
	require.Equal(t, []string{"Basic ZXJyYW5kOnMzY3JldA=="}, proxy.authz)
}
