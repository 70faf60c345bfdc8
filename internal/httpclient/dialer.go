package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// proxyDialKey marks, in a request's context, the address of the proxy the request goes
// through: the connection to the proxy is not vetted (the proxy is the operator's choice
// and often lives on a private network); the request's target was vetted instead.
type proxyDialKey struct{}

// guardedDialer resolves a host name itself, vets every resolved address against the
// address policy and connects only to an address it has vetted. Because the check and the
// connection use the same address, DNS rebinding (a name that resolves to a public address
// when checked and to a private one when dialed) cannot pass. Every redirect hop that opens
// a connection comes through here.
type guardedDialer struct {
	dialer *net.Dialer
	policy *addressPolicy
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// DialContext connects to address ("host:port") through the first vetted address that
// answers, in the resolver's order.
func (d *guardedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if proxy, _ := ctx.Value(proxyDialKey{}).(string); proxy != "" && proxy == address {
		return d.dialer.DialContext(ctx, network, address)
	}
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", address, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: invalid port: %w", address, err)
	}
	addrs, err := d.allowedAddrs(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		if (network == "tcp4" && !a.Is4()) || (network == "tcp6" && !a.Is6()) {
			continue
		}
		conn, err := d.dialer.DialContext(ctx, network, netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("dialing %s: no %s address", address, network)
	}
	return nil, errors.Join(errs...)
}

// allowedAddrs resolves host (an IP literal resolves to itself) and keeps the addresses the
// policy allows. When it allows none, the error is an *AddressDeniedError naming the first.
func (d *guardedDialer) allowedAddrs(ctx context.Context, host string) ([]netip.Addr, error) {
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var allowed []netip.Addr
	var denied *AddressDeniedError
	for _, a := range addrs {
		a = a.Unmap()
		reason, metadata := d.policy.denial(a)
		if reason == "" {
			allowed = append(allowed, a)
		} else if denied == nil {
			denied = &AddressDeniedError{Host: host, Address: a, Reason: reason, Metadata: metadata}
		}
	}
	if len(allowed) == 0 {
		denied.Resolved = len(addrs)
		return nil, denied
	}
	return allowed, nil
}

// resolve returns host's addresses: the literal itself, or what the lookup function finds.
func (d *guardedDialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := d.lookup(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolving %s: %w", host, errNoAddresses)
	}
	return addrs, nil
}

// lookupNetIP is the default resolver: the system's, both address families.
func lookupNetIP(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}
