package slack

import (
	"errors"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// maxErrorCode bounds the length of a bare Slack error body taken as its error code.
const maxErrorCode = 200

// failure turns an httpclient error into a Result without the request URL: the webhook URL
// is the secret, so the ServiceMessage is Slack's own answer ("[400] invalid_payload") or
// the kind of failure ("connection refused"), never the client's error text, which names the
// URL.
func failure(client *httpclient.Client, summary string, err error) connector.Result {
	r := connector.FromHTTPError(summary, err)
	var he *httpclient.Error
	switch {
	case !errors.As(err, &he):
		r.ServiceMessage = "the request to the Slack webhook failed"
	case he.RemoteMessage != "":
		// FromHTTPError already set "[status] remote message".
	case he.Status != 0:
		r.ServiceMessage = "[" + strconv.Itoa(he.Status) + "] " + statusDetail(client, he)
	default:
		r.ServiceMessage = "the Slack webhook could not be reached: " + he.Kind.Error()
	}
	return r
}

// statusDetail returns Slack's error code when the body is one (webhooks answer
// `invalid_payload` and the like as text/html, which the generic extraction skips), else
// the status text.
func statusDetail(client *httpclient.Client, he *httpclient.Error) string {
	if he.Response != nil {
		code := strings.TrimSpace(string(he.Response.Body))
		if code != "" && len(code) <= maxErrorCode && !strings.ContainsAny(code, "<>\n") {
			return client.Redact(code)
		}
	}
	return he.StatusText
}
