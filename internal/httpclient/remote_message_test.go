package httpclient_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

func TestRemoteMessage(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"rfc 7807 detail and title", "application/problem+json", `{"title":"Bad Request","detail":"name is required"}`, "Bad Request: name is required"},
		{"rfc 7807 title only", "application/problem+json", `{"title":"Forbidden","status":403}`, "Forbidden"},
		{"jira", "application/json", `{"errorMessages":["Issue does not exist"],"errors":{"summary":"required","project":"invalid"}}`,
			"Issue does not exist; project: invalid; summary: required"},
		{"slack", "application/json", `{"ok":false,"error":"channel_not_found"}`, "channel_not_found"},
		{"oauth", "application/json", `{"error":"invalid_grant","error_description":"token expired"}`, "invalid_grant: token expired"},
		{"generic message", "application/json", `{"message":"Bad credentials","documentation_url":"x"}`, "Bad credentials"},
		{"nested error object", "application/json", `{"error":{"code":400,"message":"quota exceeded"}}`, "quota exceeded"},
		{"graphql errors", "application/json", `{"errors":[{"message":"a"},{"message":"b"}]}`, "a; b"},
		{"json without a message", "application/json", `{"code":17}`, `{"code":17}`},
		{"text", "text/plain", "upstream\n\tconnect error", "upstream connect error"},
		{"html title", "text/html", "<html><head><TITLE>502 Bad Gateway</TITLE></head><body>nginx</body></html>", "502 Bad Gateway"},
		{"html without title", "text/html; charset=utf-8", "<p>boom</p>", ""},
		{"binary", "application/octet-stream", "\xff\xfe\x00", ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, httpclient.RemoteMessage(tt.contentType, []byte(tt.body)))
		})
	}
}

func TestRemoteMessageTruncates(t *testing.T) {
	got := httpclient.RemoteMessage("text/plain", []byte(strings.Repeat("é", 600)))
	require.Equal(t, strings.Repeat("é", httpclient.MaxRemoteMessage)+"…", got)
}
