package email_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/email"
	"github.com/errand-dev/errand/internal/httpclient"
)

// TestSMTPObeysTheEgressPolicy checks that mail goes through the connector client's egress
// policy: a host outside the allowed hosts, or a private address while private addresses
// are denied, is refused before any SMTP command is sent.
func TestSMTPObeysTheEgressPolicy(t *testing.T) {
	s := startSMTP(t, &smtpServer{noTLS: true})
	conn := connectorFor(t, s, map[string]any{"hasAuth": false})
	params := map[string]any{"to": []any{"soc@example.com"}, "subject": "s", "message": "m"}
	for name, opts := range map[string]httpclient.Options{
		"host not allowed":  {AllowedHosts: []string{"mail.example.com"}},
		"private addresses": {DenyPrivate: true},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res := email.Type().Actions[""].Run(ctx, &connector.Call{Connector: conn, Params: params, HTTP: httpclient.New(opts)})
		cancel()
		require.Equal(t, connector.StatusError, res.Status, name)
		require.Empty(t, s.commands(), "%s: nothing reached the SMTP server", name)
	}
}
