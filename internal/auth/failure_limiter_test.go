package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

func TestFailedAttemptsAreRateLimited(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	keys := NewKeys(stores(t)[0].st, KeysOptions{Now: clk.Now})
	token, _, err := keys.Create(ctx, "ci", store.RoleViewer, nil, "test")
	require.NoError(t, err)
	wrong := "ApiKey " + EncodeToken("NoSuchKey", "wrong-secret")
	const attacker = "198.51.100.7"

	for i := range 10 {
		_, err := keys.Authenticate(request(attacker, wrong))
		require.ErrorIs(t, err, ErrUnauthenticated, "failure %d", i+1)
		require.Zero(t, RetryAfter(err))
	}
	_, err = keys.Authenticate(request(attacker, wrong))
	require.ErrorIs(t, err, ErrRateLimited, "the 11th failure within a minute")
	require.NotErrorIs(t, err, ErrUnauthenticated)
	require.Equal(t, 6*time.Second, RetryAfter(err), "one failure more is allowed every 6s")
	require.ErrorContains(t, err, "retry in 6s")
	var ra interface{ RetryAfter() time.Duration } // what the API reads for the Retry-After header
	require.ErrorAs(t, fmtWrap(err), &ra)
	require.Equal(t, 6*time.Second, ra.RetryAfter())

	p, err := keys.Authenticate(request(attacker, "ApiKey "+token))
	require.NoError(t, err, "a valid key is never limited")
	require.Equal(t, store.RoleViewer, p.Role)

	_, err = keys.Authenticate(request("198.51.100.8", wrong))
	require.ErrorIs(t, err, ErrUnauthenticated, "another client has its own allowance")
	require.NotErrorIs(t, err, ErrRateLimited)

	clk.Add(6 * time.Second)
	_, err = keys.Authenticate(request(attacker, wrong))
	require.NotErrorIs(t, err, ErrRateLimited, "one token came back")
	_, err = keys.Authenticate(request(attacker, wrong))
	require.ErrorIs(t, err, ErrRateLimited)

	clk.Add(time.Minute)
	for i := range 10 {
		_, err := keys.Authenticate(request(attacker, "Basic dXNlcjpwdw=="))
		require.ErrorIs(t, err, ErrUnauthenticated, "malformed headers count as failures too: %d", i+1)
		require.NotErrorIs(t, err, ErrRateLimited, "a minute later the allowance is full again: %d", i+1)
	}
	_, err = keys.Authenticate(request(attacker, "Basic dXNlcjpwdw=="))
	require.ErrorIs(t, err, ErrRateLimited)
}

func TestMissingCredentialsAreNotLimited(t *testing.T) {
	keys := NewKeys(stores(t)[0].st, KeysOptions{Now: newClock().Now})
	for range 30 {
		_, err := keys.Authenticate(request("203.0.113.1", ""))
		require.ErrorIs(t, err, ErrUnauthenticated)
		require.NotErrorIs(t, err, ErrRateLimited)
	}
}

func TestFailureLimiterForgetsIdleClients(t *testing.T) {
	clk := newClock()
	lim := newFailureLimiter(10, time.Minute)
	for i := range sweepThreshold {
		require.Zero(t, lim.fail(fmt.Sprintf("192.0.2.%d", i), clk.Now()))
	}
	require.Len(t, lim.buckets, sweepThreshold)
	clk.Add(time.Minute)
	require.Zero(t, lim.fail("new", clk.Now()))
	require.Len(t, lim.buckets, 1, "full buckets are dropped once the threshold is reached")
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"not a rate limit", ErrUnauthenticated, 0},
		{"rounded up", &RateLimitError{Wait: 1500 * time.Millisecond}, 2 * time.Second},
		{"at least a second", &RateLimitError{Wait: time.Millisecond}, time.Second},
		{"wrapped", fmtWrap(&RateLimitError{Wait: 6 * time.Second}), 6 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, RetryAfter(tc.err))
		})
	}
}
