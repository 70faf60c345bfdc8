package httpclient

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDialContextAppliesTheEgressPolicy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	toLoopback := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	ctx := context.Background()

	open := New(Options{LookupIP: toLoopback})
	conn, err := open.DialContext(ctx, "tcp", net.JoinHostPort("smtp.example.com", port))
	require.NoError(t, err)
	_ = conn.Close()

	onlyMail := New(Options{AllowedHosts: []string{"mail.example.com"}, LookupIP: toLoopback})
	_, err = onlyMail.DialContext(ctx, "tcp", net.JoinHostPort("smtp.example.com", port))
	require.ErrorIs(t, err, ErrHostNotAllowed)

	private := New(Options{DenyPrivate: true, LookupIP: toLoopback})
	_, err = private.DialContext(ctx, "tcp", net.JoinHostPort("smtp.example.com", port))
	var denied *AddressDeniedError
	require.True(t, errors.As(err, &denied), "%v", err)

	metadata := New(Options{LookupIP: func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
	}})
	_, err = metadata.DialContext(ctx, "tcp", "smtp.example.com:25")
	require.True(t, errors.As(err, &denied), "%v", err)
}
