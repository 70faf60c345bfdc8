package httpclient

import (
	"net/netip"

	"code.dny.dev/ssrf"
)

// metadataPrefixes are the cloud instance-metadata and credential endpoints. They are denied
// whatever DenyPrivate says, because one request to them from a server hands out the
// machine's cloud credentials, and nothing a workflow legitimately calls lives there. Listing
// the address in Options.AllowedAddresses (or as an IP literal in Options.AllowedHosts)
// allows it.
//
// 100.100.100.200 (Alibaba Cloud) is included on purpose: it sits in the CGNAT range, so a
// network that really serves something there is rare, and that network can list it.
var metadataPrefixes = []netip.Prefix{
	netip.MustParsePrefix("169.254.169.254/32"), // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack
	netip.MustParsePrefix("169.254.170.2/32"),   // AWS ECS task-role credentials
	netip.MustParsePrefix("169.254.170.23/32"),  // AWS EKS Pod Identity agent
	netip.MustParsePrefix("fd00:ec2::254/128"),  // AWS instance metadata over IPv6
	netip.MustParsePrefix("fd00:ec2::23/128"),   // AWS EKS Pod Identity agent over IPv6
	netip.MustParsePrefix("100.100.100.200/32"), // Alibaba Cloud
}

// nat64Prefix is the well-known NAT64 prefix: a gateway turns 64:ff9b::a9fe:a9fe into
// 169.254.169.254, so such an address is vetted as the IPv4 address it embeds (public IPv4
// hosts stay reachable from IPv6-only networks with DenyPrivate; private ones do not).
var nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")

// addressPolicy decides which resolved IP addresses a connection may be made to.
type addressPolicy struct {
	denyPrivate bool
	// allowed are the explicitly listed addresses: Options.AllowedAddresses and the IP
	// literals of Options.AllowedHosts. They pass every other check.
	allowed []netip.Prefix
	// guard classifies non-public addresses (code.dny.dev/ssrf: the IANA special-purpose
	// registries, CGNAT, multicast, and every IPv6 address outside 2000::/3).
	guard *ssrf.Guardian
}

// newAddressPolicy builds the policy of opts.
func newAddressPolicy(opts Options) *addressPolicy {
	p := &addressPolicy{
		denyPrivate: opts.DenyPrivate,
		allowed:     append([]netip.Prefix(nil), opts.AllowedAddresses...),
		guard:       ssrf.New(ssrf.WithAnyNetwork(), ssrf.WithAnyPort()),
	}
	for _, h := range opts.AllowedHosts {
		if a, err := netip.ParseAddr(trimBrackets(h)); err == nil {
			a = a.Unmap().WithZone("")
			p.allowed = append(p.allowed, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return p
}

// denial returns why addr may not be contacted ("a loopback address"), and whether the
// denial is the always-on metadata rule; an empty reason means the address is allowed.
func (p *addressPolicy) denial(addr netip.Addr) (reason string, metadata bool) {
	addr = addr.Unmap()
	if p.listed(addr.WithZone("")) {
		return "", false
	}
	if nat64Prefix.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:]))
	}
	plain := addr.WithZone("")
	if p.listed(plain) {
		return "", false
	}
	if isMetadata(plain) {
		return "a cloud metadata address", true
	}
	if p.denyPrivate && p.guard.SafeAddr(addr) != nil {
		return describe(addr), false
	}
	return "", false
}

// listed reports whether addr is in the explicitly allowed addresses.
func (p *addressPolicy) listed(addr netip.Addr) bool {
	for _, pfx := range p.allowed {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// isMetadata reports whether addr is a cloud metadata endpoint.
func isMetadata(addr netip.Addr) bool {
	for _, pfx := range metadataPrefixes {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// cgnatPrefix is the shared address space of carrier-grade NAT (RFC 6598).
var cgnatPrefix = netip.MustParsePrefix("100.64.0.0/10")

// describe names the kind of a non-public address for an error message.
func describe(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsMulticast():
		return "a multicast address"
	case cgnatPrefix.Contains(addr):
		return "a shared (CGNAT) address"
	default:
		return "a non-public address"
	}
}

// trimBrackets turns "[::1]" into "::1".
func trimBrackets(s string) string {
	if len(s) > 1 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
