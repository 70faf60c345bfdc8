package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
)

// summaryClose is the Result message of a failed closeAlert.
const summaryClose = "error closing opsgenie alert"

const closeAlertParamsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "alias": {"type": "string", "minLength": 1, "description": "The alias the alert was created with."},
    "user": {"type": "string", "maxLength": 100},
    "source": {"type": "string", "maxLength": 100},
    "note": {"type": "string", "maxLength": 25000}
  },
  "required": ["alias"],
  "additionalProperties": false
}`

// closeRequest is the close-alert request body.
type closeRequest struct {
	User   string `json:"user,omitempty"`
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

// closeAlertAction serves `opsgenie.closeAlert`.
func closeAlertAction() *connector.Action {
	return &connector.Action{Name: "closeAlert", ParamsSchema: json.RawMessage(closeAlertParamsSchema), Run: closeAlert}
}

// closeAlert sends POST /v2/alerts/<alias>/close?identifierType=alias; the alias is hashed
// the way createAlert hashed it. Output: {result, took, requestId}.
func closeAlert(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return connector.UserError(err.Error())
	}
	a := alias(str(call.Params, "alias"))
	if a == "" {
		return connector.UserError("alias is required: the alias the alert was created with")
	}
	body := closeRequest{User: str(call.Params, "user"), Source: str(call.Params, "source"), Note: str(call.Params, "note")}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"user", body.User, maxUser}, {"source", body.Source, maxSource}, {"note", body.Note, maxNote}} {
		if n := len([]rune(f.value)); n > f.max {
			return connector.UserError(fmt.Sprintf("%s is %d characters long; Opsgenie allows %d", f.name, n, f.max))
		}
	}
	return c.post(ctx, summaryClose, "/v2/alerts/"+url.PathEscape(a)+"/close?identifierType=alias", body)
}
