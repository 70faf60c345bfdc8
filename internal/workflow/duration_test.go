package workflow

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"2s500ms", 2500 * time.Millisecond, true},
		{"1w2d", 9 * 24 * time.Hour, true},
		{"500ms", 500 * time.Millisecond, true},
		{"0s", 0, true},
		{"", 0, false},
		{"30", 0, false},
		{"1.5h", 0, false},
		{"-1s", 0, false},
		{"30m1h", 0, false},
		{"1s1s", 0, false},
		{"1 h", 0, false},
		{"99999999999999999999w", 0, false},
		{"9999999w", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidDuration)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"10mb", 10 << 20, true},
		{"512 KB", 512 << 10, true},
		{"1.5gb", 3 << 29, true},
		{"100b", 100, true},
		{"10", 0, false},
		{"10tb", 0, false},
		{"mb", 0, false},
		{"99999999999999gb", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseByteSize(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidByteSize)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseEvery(t *testing.T) {
	for in, want := range map[string]time.Duration{"1m": time.Minute, "90s": 90 * time.Second, "2h": 2 * time.Hour, "1d": 24 * time.Hour, "120s": 2 * time.Minute} {
		got, ok := parseEvery(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"30s", "59s", "0m", "1w", "5", "1h30m"} {
		_, ok := parseEvery(in)
		require.False(t, ok, in)
	}
}
