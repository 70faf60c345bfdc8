package httpclient

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHostPolicyAllows(t *testing.T) {
	tests := []struct {
		policy hostPolicy
		host   string
		want   bool
	}{
		{nil, "anything.example", true},
		{hostPolicy{"*"}, "anything.example", true},
		{hostPolicy{"api.example.com"}, "API.example.com", true},
		{hostPolicy{"api.example.com"}, "api.example.com.", true},
		{hostPolicy{"api.example.com"}, "example.com", false},
		{hostPolicy{"*.example.com"}, "a.b.example.com", true},
		{hostPolicy{"*.example.com"}, "example.com", false},
		{hostPolicy{"*.example.com"}, "badexample.com", false},
		{hostPolicy{"a.test", " b.test "}, "b.test", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.policy.allows(tt.host), "%v allows %q", tt.policy, tt.host)
	}
}

func TestTransportIsTunedForManyConcurrentRequests(t *testing.T) {
	c := New(Options{})
	tr := c.newTransport(transportKey{keepAlive: true})
	require.Equal(t, DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	require.False(t, tr.DisableKeepAlives)
	require.Zero(t, tr.MaxConnsPerHost, "no cap on concurrent connections per host")
	require.Equal(t, 8, New(Options{MaxIdleConnsPerHost: 8}).newTransport(transportKey{}).MaxIdleConnsPerHost)
}
