package teams

import (
	"errors"
	"strconv"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// failure turns an httpclient error into a Result without the request URL: the webhook URL
// is the secret, so the ServiceMessage is Teams' own answer ("[400] Bad payload received by
// generic incoming webhook.") or the kind of failure ("connection refused"), never the
// client's error text, which names the URL.
func failure(summary string, err error) connector.Result {
	r := connector.FromHTTPError(summary, err)
	var he *httpclient.Error
	switch {
	case !errors.As(err, &he):
		r.ServiceMessage = "the request to the Teams webhook failed"
	case he.RemoteMessage != "":
		// FromHTTPError already set "[status] remote message".
	case he.Status != 0:
		r.ServiceMessage = "[" + strconv.Itoa(he.Status) + "] " + he.StatusText
	default:
		r.ServiceMessage = "the Teams webhook could not be reached: " + he.Kind.Error()
	}
	return r
}
