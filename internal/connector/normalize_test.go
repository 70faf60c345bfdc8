package connector

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNormalizeMatchesJSONRoundTrip checks that normalize's fast path gives what a JSON
// round trip gives, and that the values it cannot shape still take the round trip.
func TestNormalizeMatchesJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
	}{
		{"plain", map[string]any{"path": "/v1", "n": 2, "f": 1.5, "ok": true, "none": nil}},
		{"nested", map[string]any{"body": map[string]any{"list": []any{1, "a", map[string]any{"x": int64(3)}}}}},
		{"nil nested", map[string]any{"m": map[string]any(nil), "l": []any(nil)}},
		{"float32", map[string]any{"f": float32(0.1)}},
		{"typed map", map[string]any{"h": map[string]string{"a": "b"}}},
		{"struct", map[string]any{"s": struct{ A int }{A: 1}}},
		{"invalid utf-8", map[string]any{"s": "a\xffb"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal(b, &want))
			got, err := normalize(tc.in)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
	_, err := normalize(map[string]any{"nan": math.NaN()})
	require.Error(t, err, "NaN cannot be a JSON value")
}
