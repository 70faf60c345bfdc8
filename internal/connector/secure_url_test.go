package connector

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckSecureURL(t *testing.T) {
	for _, tc := range []struct{ raw, err string }{
		{"https://hooks.example.com/services/T/B/secret", ""},
		{"http://127.0.0.1:8080/hook", ""},
		{"http://localhost/hook", ""},
		{"http://hooks.example.com/services/T/B/secret", "webhookUrl must use https"},
		{"https://u:p@hooks.example.com/x", "webhookUrl must not contain user credentials"},
		{"/relative/secret", "webhookUrl is not a valid URL: give the full URL"},
		{"::nope", "webhookUrl is not a valid URL: give the full URL"},
	} {
		err := CheckSecureURL("webhookUrl", tc.raw, "give the full URL")
		if tc.err == "" {
			require.NoError(t, err, tc.raw)
			continue
		}
		require.EqualError(t, err, tc.err, tc.raw)
		require.NotContains(t, err.Error(), "secret", "the URL never appears in the error")
	}
}
