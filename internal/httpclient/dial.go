package httpclient

import (
	"context"
	"fmt"
	"net"
)

// DialContext opens a connection under the client's egress policy — allowed hosts, and the
// address policy checked on the resolved address — for connectors that speak a protocol
// other than HTTP (SMTP), so that one policy covers every outbound connection.
func (c *Client) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", address, err)
	}
	if !c.hosts.allows(host) {
		return nil, fmt.Errorf("dialing %s: %w: host %q is not allowed; add it to %s to allow it",
			address, ErrHostNotAllowed, host, c.opts.SettingNames.AllowedHosts)
	}
	return c.dialer.DialContext(ctx, network, address)
}
