package httpclient

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddressPolicyDenial(t *testing.T) {
	tests := []struct {
		addr        string
		denyPrivate bool
		allowed     []string // AllowedAddresses
		hosts       []string // AllowedHosts
		want        string   // reason, "" for allowed
	}{
		{addr: "8.8.8.8", denyPrivate: true, want: ""},
		{addr: "2606:4700:4700::1111", denyPrivate: true, want: ""},
		{addr: "::ffff:8.8.8.8", denyPrivate: true, want: ""},
		{addr: "127.0.0.1", want: ""},
		{addr: "127.0.0.1", denyPrivate: true, want: "a loopback address"},
		{addr: "::1", denyPrivate: true, want: "a loopback address"},
		{addr: "::ffff:127.0.0.1", denyPrivate: true, want: "a loopback address"},
		{addr: "10.1.2.3", denyPrivate: true, want: "a private address"},
		{addr: "172.16.0.1", denyPrivate: true, want: "a private address"},
		{addr: "192.168.1.1", denyPrivate: true, want: "a private address"},
		{addr: "fd12:3456::1", denyPrivate: true, want: "a private address"},
		{addr: "169.254.1.1", denyPrivate: true, want: "a link-local address"},
		{addr: "fe80::1%eth0", denyPrivate: true, want: "a link-local address"},
		{addr: "0.0.0.0", denyPrivate: true, want: "an unspecified address"},
		{addr: "::", denyPrivate: true, want: "an unspecified address"},
		{addr: "224.0.0.1", denyPrivate: true, want: "a multicast address"},
		{addr: "ff02::1", denyPrivate: true, want: "a multicast address"},
		{addr: "100.64.0.1", denyPrivate: true, want: "a shared (CGNAT) address"},
		{addr: "198.18.0.1", denyPrivate: true, want: "a non-public address"},
		{addr: "10.1.2.3", denyPrivate: true, allowed: []string{"10.0.0.0/8"}, want: ""},
		{addr: "10.1.2.3", denyPrivate: true, hosts: []string{"10.1.2.3"}, want: ""},
		{addr: "::1", denyPrivate: true, hosts: []string{"[::1]"}, want: ""},
		{addr: "169.254.169.254", want: "a cloud metadata address"},
		{addr: "::ffff:169.254.169.254", want: "a cloud metadata address"},
		{addr: "fd00:ec2::254", want: "a cloud metadata address"},
		{addr: "169.254.170.2", want: "a cloud metadata address"},
		{addr: "100.100.100.200", want: "a cloud metadata address"},
		{addr: "64:ff9b::a9fe:a9fe", want: "a cloud metadata address"},
		{addr: "64:ff9b::808:808", denyPrivate: true, want: ""},
		{addr: "64:ff9b::a00:1", denyPrivate: true, want: "a private address"},
		{addr: "64:ff9b::a00:1", denyPrivate: true, allowed: []string{"64:ff9b::/96"}, want: ""},
		{addr: "169.254.169.254", denyPrivate: true, allowed: []string{"169.254.0.0/16"}, want: ""},
		{addr: "169.254.169.254", hosts: []string{"169.254.169.254"}, want: ""},
		{addr: "169.254.169.254", hosts: []string{"*"}, want: "a cloud metadata address"},
		{addr: "fd00:ec2::254", allowed: []string{"fd00:ec2::254/128"}, want: ""},
	}
	for _, tt := range tests {
		opts := Options{DenyPrivate: tt.denyPrivate, AllowedHosts: tt.hosts}
		for _, a := range tt.allowed {
			opts.AllowedAddresses = append(opts.AllowedAddresses, netip.MustParsePrefix(a))
		}
		reason, metadata := newAddressPolicy(opts).denial(netip.MustParseAddr(tt.addr))
		require.Equal(t, tt.want, reason, "%s with %+v", tt.addr, tt)
		require.Equal(t, tt.want == "a cloud metadata address", metadata, tt.addr)
	}
}
