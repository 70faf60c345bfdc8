package httpclient_test

import (
	"context"
	"net/http"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

func TestNewCheckedRejectsInvalidOptions(t *testing.T) {
	ca := newTestCA(t)
	certPEM, keyPEM, _ := ca.issue(t, "client", 0)
	_, otherKeyPEM, _ := ca.issue(t, "other", 0)
	tests := []struct {
		name    string
		opts    httpclient.Options
		wantErr string // "" for valid options
	}{
		{name: "zero options", opts: httpclient.Options{}},
		{name: "full TLS options", opts: httpclient.Options{TLS: &httpclient.TLSOptions{
			VerificationMode: httpclient.VerifyCertificate, CAPEM: ca.pem, ClientCertPEM: certPEM, ClientKeyPEM: keyPEM}}},
		{name: "CA that is not PEM", opts: httpclient.Options{TLS: &httpclient.TLSOptions{CAPEM: []byte("not a pem")}},
			wantErr: "reading the TLS CA: no PEM certificate found"},
		{name: "client certificate without key", opts: httpclient.Options{TLS: &httpclient.TLSOptions{ClientCertPEM: certPEM}},
			wantErr: "reading the TLS client certificate and key"},
		{name: "client key of another certificate", opts: httpclient.Options{TLS: &httpclient.TLSOptions{
			ClientCertPEM: certPEM, ClientKeyPEM: otherKeyPEM}},
			wantErr: "private key does not match public key"},
		{name: "unknown verification mode", opts: httpclient.Options{TLS: &httpclient.TLSOptions{VerificationMode: "strict"}},
			wantErr: `unknown TLS verification mode "strict" (use full, certificate or none)`},
		{name: "proxy scheme", opts: httpclient.Options{ProxyURL: "ftp://proxy:21"},
			wantErr: `invalid proxy URL "ftp://proxy:21": the scheme must be http, https, socks5 or socks5h`},
		{name: "proxy without host", opts: httpclient.Options{ProxyURL: "http://"},
			wantErr: "no host"},
		{name: "proxy password not echoed", opts: httpclient.Options{ProxyURL: "ftp://u:hunter2@proxy"},
			wantErr: "ftp://u:xxxxx@proxy"},
		{name: "zero allowed address", opts: httpclient.Options{AllowedAddresses: []netip.Prefix{{}}},
			wantErr: "invalid allowed address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := httpclient.NewChecked(tt.opts)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.ErrorIs(t, err, httpclient.ErrInvalidOptions)
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestNewWithInvalidOptionsFailsEveryRequest(t *testing.T) {
	var hits atomic.Int32
	srv := serve(t, func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	c := httpclient.New(httpclient.Options{TLS: &httpclient.TLSOptions{CAPEM: []byte("garbage")}})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrInvalidOptions)
	require.ErrorContains(t, err, "the HTTP client's settings are invalid: reading the TLS CA")
	var herr *httpclient.Error
	require.ErrorAs(t, err, &herr)
	require.False(t, herr.Retryable)
	require.Zero(t, hits.Load(), "no request is sent without the TLS settings asked for")
}

func TestDoRequestTimeoutShortensOrExtendsTheDefault(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/held":
			<-release
		default:
			<-r.Context().Done() // answers never: only a timeout ends the request
		}
	})

	// Shorten: the default would wait an hour; the request's own timeout ends it.
	c := newClient(httpclient.Options{Timeout: time.Hour})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/never", Timeout: 20 * time.Millisecond})
	require.ErrorIs(t, err, httpclient.ErrTimeout)
	require.ErrorContains(t, err, "timed out after 20ms")

	// Extend: a held request with a long timeout outlives a default-timeout request that
	// started after it and timed out; then it is answered and succeeds.
	c = newClient(httpclient.Options{Timeout: 20 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/held", Timeout: time.Hour})
		done <- err
	}()
	_, err = c.Do(context.Background(), &httpclient.Request{URL: srv.URL + "/never"})
	require.ErrorIs(t, err, httpclient.ErrTimeout)
	require.ErrorContains(t, err, "timed out after 20ms")
	close(release)
	require.NoError(t, <-done)
}
