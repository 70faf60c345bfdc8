package workflow

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWebhookTriggerHMACAndIdempotency(t *testing.T) {
	src := `name: hook
triggers:
  - type: webhook
    auth:
      type: hmac
      secret: ${env:HOOK_SECRET}
      header: X-Signature
      timestampHeader: X-Timestamp
      tolerance: 5m
    idempotency:
      key: "{{ event.body.id }}"
      window: 24h
steps:
  - name: say
    type: console
    with:
      message: hi
`
	wf, diags := Parse([]byte(src))
	require.Empty(t, diags)
	require.Equal(t, "hmac", wf.Triggers[0].Auth["type"])
	require.Equal(t, "{{ event.body.id }}", wf.Triggers[0].Idempotency["key"])

	bad := `name: hook
triggers:
  - type: webhook
    auth:
      type: hmac
      tolerance: soon
    idempotency:
      windw: 1h
steps:
  - name: say
    type: console
    with:
      message: hi
`
	_, diags = Parse([]byte(bad))
	require.Len(t, diags, 2)
	require.Contains(t, diags[0].Message, "auth.tolerance")
	require.Equal(t, 6, diags[0].Line)
	require.Contains(t, diags[1].Message, "window")
	require.Equal(t, 8, diags[1].Line)
}
