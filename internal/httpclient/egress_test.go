package httpclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

// fakeDNS answers host names from a map, so tests choose what a name resolves to.
type fakeDNS map[string][]string

func (f fakeDNS) lookup(_ context.Context, host string) ([]netip.Addr, error) {
	texts, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	addrs := make([]netip.Addr, len(texts))
	for i, s := range texts {
		addrs[i] = netip.MustParseAddr(s)
	}
	return addrs, nil
}

// at returns srv's URL with its host replaced by name (the port kept).
func at(t *testing.T, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	u.Host = net.JoinHostPort(name, u.Port())
	return u.String()
}

// dialLog records the addresses the client dials, refusing every one but allow so that a
// broken policy fails the test instead of reaching the network.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
	allow string
}

var errTestDialRefused = errors.New("test dial refused")

func (d *dialLog) control(_, address string, _ syscall.RawConn) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, address)
	if address != d.allow {
		return errTestDialRefused
	}
	return nil
}

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestDoDenyPrivateVetsResolvedAddresses(t *testing.T) {
	srv := serve(t, echo)
	tests := []struct {
		name    string
		url     string
		dns     fakeDNS
		opts    httpclient.Options
		wantErr string // "" for a 200
	}{
		{name: "private name allowed by default", url: at(t, srv.URL, "evil.example"),
			dns: fakeDNS{"evil.example": {"127.0.0.1"}}},
		{name: "private name denied", url: at(t, srv.URL, "evil.example"),
			dns:  fakeDNS{"evil.example": {"127.0.0.1"}},
			opts: httpclient.Options{DenyPrivate: true},
			wantErr: `host "evil.example" resolves to 127.0.0.1, a loopback address, denied by ` +
				`deny_private_addresses; add 127.0.0.1 to allowed_addresses to allow it`},
		{name: "IPv4-mapped loopback denied", url: at(t, srv.URL, "evil.example"),
			dns:     fakeDNS{"evil.example": {"::ffff:127.0.0.1"}},
			opts:    httpclient.Options{DenyPrivate: true},
			wantErr: `resolves to 127.0.0.1, a loopback address`},
		{name: "every address denied", url: at(t, srv.URL, "evil.example"),
			dns:     fakeDNS{"evil.example": {"10.0.0.1", "192.168.0.1"}},
			opts:    httpclient.Options{DenyPrivate: true},
			wantErr: `resolves to 10.0.0.1 (as are all 2 addresses it resolves to), a private address`},
		{name: "IP literal denied", url: srv.URL,
			opts:    httpclient.Options{DenyPrivate: true},
			wantErr: `host "127.0.0.1" resolves to 127.0.0.1, a loopback address`},
		{name: "listed address allowed", url: at(t, srv.URL, "internal.example"),
			dns:  fakeDNS{"internal.example": {"127.0.0.1"}},
			opts: httpclient.Options{DenyPrivate: true, AllowedAddresses: prefixes("127.0.0.0/8")}},
		{name: "IP literal in allowed hosts allowed", url: srv.URL,
			opts: httpclient.Options{DenyPrivate: true, AllowedHosts: []string{"127.0.0.1"}}},
		{name: "setting names are the caller's", url: srv.URL,
			opts: httpclient.Options{DenyPrivate: true, SettingNames: httpclient.SettingNames{
				DenyPrivate: "egress.deny_private", AllowedAddresses: "egress.allowed_addresses"}},
			wantErr: `denied by egress.deny_private; add 127.0.0.1 to egress.allowed_addresses`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.LookupIP = tt.dns.lookup
			resp, err := newClient(tt.opts).Do(context.Background(), &httpclient.Request{URL: tt.url})
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, 200, resp.Status)
				return
			}
			require.ErrorIs(t, err, httpclient.ErrAddressDenied)
			require.ErrorContains(t, err, tt.wantErr)
			var herr *httpclient.Error
			require.ErrorAs(t, err, &herr)
			require.False(t, herr.Retryable, "a denied address stays denied")
			var denied *httpclient.AddressDeniedError
			require.ErrorAs(t, err, &denied)
			require.False(t, denied.Metadata)
		})
	}
}

func TestDoDialsOnlyVettedAddresses(t *testing.T) {
	srv := serve(t, echo)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	dials := &dialLog{allow: "127.0.0.1:" + port}
	c := newClient(httpclient.Options{
		DenyPrivate:      true,
		AllowedAddresses: prefixes("127.0.0.1/32"),
		LookupIP:         fakeDNS{"mixed.example": {"10.0.0.1", "169.254.169.254", "127.0.0.1"}}.lookup,
		DialControl:      dials.control,
	})
	resp, err := c.Do(context.Background(), &httpclient.Request{URL: at(t, srv.URL, "mixed.example")})
	require.NoError(t, err)
	require.Equal(t, 200, resp.Status)
	require.Equal(t, []string{"127.0.0.1:" + port}, dials.addrs, "denied addresses are never dialed")
}

func TestDoDeniesMetadataAddressesUnlessListed(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		opts   httpclient.Options
		listed bool
	}{
		{name: "literal", url: "http://169.254.169.254/latest/meta-data/"},
		{name: "name resolving to it", url: "http://meta.example/computeMetadata/v1/"},
		{name: "IPv6 twin", url: "http://[fd00:ec2::254]/latest/meta-data/"},
		{name: "allowed hosts wildcard does not list it", url: "http://169.254.169.254/",
			opts: httpclient.Options{AllowedHosts: []string{"*"}}},
		{name: "listed in allowed addresses", url: "http://meta.example/", listed: true,
			opts: httpclient.Options{AllowedAddresses: prefixes("169.254.169.254/32")}},
		{name: "listed in allowed hosts", url: "http://169.254.169.254/", listed: true,
			opts: httpclient.Options{AllowedHosts: []string{"169.254.169.254"}}},
		{name: "listed beats deny private", url: "http://169.254.169.254/", listed: true,
			opts: httpclient.Options{DenyPrivate: true, AllowedAddresses: prefixes("169.254.169.254/32")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The listed cases dial the metadata address; the DialControl refuses the
			// connection, which proves the policy let it through without leaving the host.
			dials := &dialLog{}
			tt.opts.DialControl = dials.control
			tt.opts.LookupIP = fakeDNS{"meta.example": {"169.254.169.254"}}.lookup
			_, err := newClient(tt.opts).Do(context.Background(), &httpclient.Request{URL: tt.url})
			if tt.listed {
				require.ErrorIs(t, err, errTestDialRefused)
				require.Equal(t, []string{"169.254.169.254:80"}, dials.addrs)
				return
			}
			require.ErrorIs(t, err, httpclient.ErrAddressDenied)
			require.ErrorContains(t, err, "a cloud metadata address, denied always; add")
			require.ErrorContains(t, err, "to allowed_addresses to allow it")
			var denied *httpclient.AddressDeniedError
			require.ErrorAs(t, err, &denied)
			require.True(t, denied.Metadata)
			require.Empty(t, dials.addrs)
		})
	}
}

func TestDoVetsEveryRedirectHop(t *testing.T) {
	var hits atomic.Int32
	var target string
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, target, http.StatusFound)
	})
	dns := fakeDNS{"good.example": {"127.0.0.1"}, "evil.example": {"10.0.0.7"}, "meta.example": {"169.254.169.254"}}
	tests := []struct {
		name     string
		target   string
		opts     httpclient.Options
		wantKind error
		wantMsg  string
	}{
		{name: "to a private address", target: "http://evil.example/admin",
			opts:     httpclient.Options{DenyPrivate: true, AllowedAddresses: prefixes("127.0.0.1/32")},
			wantKind: httpclient.ErrAddressDenied, wantMsg: `host "evil.example" resolves to 10.0.0.7, a private address`},
		{name: "to the metadata address", target: "http://meta.example/latest/meta-data/iam/",
			wantKind: httpclient.ErrAddressDenied, wantMsg: `host "meta.example" resolves to 169.254.169.254`},
		{name: "to a host not allowed", target: "http://evil.example/admin",
			opts:     httpclient.Options{AllowedHosts: []string{"good.example"}},
			wantKind: httpclient.ErrHostNotAllowed,
			wantMsg:  `host "evil.example" is not in the allowed hosts; add it to allowed_hosts to allow it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			target = tt.target
			dials := &dialLog{allow: strings.TrimPrefix(srv.URL, "http://")}
			tt.opts.LookupIP, tt.opts.DialControl = dns.lookup, dials.control
			_, err := newClient(tt.opts).Do(context.Background(), &httpclient.Request{URL: at(t, srv.URL, "good.example")})
			require.ErrorIs(t, err, tt.wantKind)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Equal(t, int32(1), hits.Load(), "the first hop was sent, the redirect refused")
			require.Equal(t, []string{dials.allow}, dials.addrs, "the redirect target was never dialed")
		})
	}
}
