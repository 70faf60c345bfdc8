package server

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/trigger"
)

const hmacWebhook = `version: "1"
name: signed-hook
triggers:
  - type: webhook
    auth:
      type: hmac
      secret: whsec-test-value
    idempotency:
      key: "{{ event.body.id }}"
      window: 1h
steps:
  - name: note
    type: console
    with:
      message: "got {{ event.body.id }}"
`

// postSigned sends body to the webhook with the given timestamp and signature headers.
func postSigned(t *testing.T, svc *Service, wfID string, body []byte, ts, sig string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", "http://"+svc.Addr()+"/api/workflows/workflow/"+wfID+"/execute", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if ts != "" {
		req.Header.Set("X-Errand-Timestamp", ts)
	}
	if sig != "" {
		req.Header.Set("X-Errand-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestWebhookHMACReplayAndIdempotency drives a signed webhook through `errand serve`:
// valid, wrongly signed, stale and replayed requests, and a duplicate idempotency key.
func TestWebhookHMACReplayAndIdempotency(t *testing.T) {
	svc := startService(t, t.TempDir())
	defer svc.Stop()
	body, _ := json.Marshal(map[string]any{"yaml": hmacWebhook})
	code, wf := call(t, svc, svc.BootstrapToken, "POST", "/api/workflows/workflow", string(body))
	require.Equal(t, http.StatusOK, code, "%v", wf)
	require.Equal(t, true, wf["valid"], "%v", wf)
	id := wf["id"].(string)

	sign := func(ts string, payload []byte) string {
		return "sha256=" + hex.EncodeToString(trigger.Sign("whsec-test-value", ts, payload))
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	first := []byte(`{"id":"evt-1"}`)
	code, out := postSigned(t, svc, id, first, now, sign(now, first))
	require.Equal(t, http.StatusOK, code, "%v", out)
	firstExec := out["workflowExecutionId"].(string)
	require.NotEmpty(t, firstExec)

	code, out = postSigned(t, svc, id, first, now, sign(now, first))
	require.Equal(t, http.StatusUnauthorized, code, "an exact replay is refused: %v", out)

	code, _ = postSigned(t, svc, id, first, now, sign(now, []byte(`{"id":"evt-2"}`)))
	require.Equal(t, http.StatusUnauthorized, code, "a signature of another body is refused")
	code, _ = postSigned(t, svc, id, first, now, "")
	require.Equal(t, http.StatusUnauthorized, code, "an unsigned request is refused")
	old := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	code, _ = postSigned(t, svc, id, first, old, sign(old, first))
	require.Equal(t, http.StatusUnauthorized, code, "a timestamp outside the window is refused")

	later := strconv.FormatInt(time.Now().Unix()+1, 10)
	code, out = postSigned(t, svc, id, first, later, sign(later, first))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.Equal(t, firstExec, out["workflowExecutionId"], "the same idempotency key returns the first execution")
	require.Equal(t, true, out["duplicate"])

	second := []byte(`{"id":"evt-2"}`)
	code, out = postSigned(t, svc, id, second, later, sign(later, second))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.NotEqual(t, firstExec, out["workflowExecutionId"])
}
