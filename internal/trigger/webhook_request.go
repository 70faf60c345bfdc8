package trigger

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/errand-dev/errand/internal/workflow"
)

// credentialHeaders are left out of a webhook run's event: it is stored with the execution.
var credentialHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "x-api-key": true,
}

// eventHeaders returns the request headers for the event, names in lower case, one value as
// a string and several as a list, credentials left out.
func eventHeaders(hdr http.Header) map[string]any {
	out := map[string]any{}
	for name, vs := range hdr {
		name = strings.ToLower(name)
		if credentialHeaders[name] || len(vs) == 0 {
			continue
		}
		if len(vs) == 1 {
			out[name] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = v
		}
		out[name] = list
	}
	return out
}

// coerceQuery converts query strings to the number or boolean an input declares, so that
// ?count=3 satisfies `type: number`; values that do not convert are left for the engine's
// validation to report.
func coerceQuery(query map[string]any, schema *workflow.InputSchema) map[string]any {
	out := make(map[string]any, len(query))
	for k, v := range query {
		out[k] = v
		s, ok := v.(string)
		if !ok || schema == nil {
			continue
		}
		prop, _ := schema.Properties[k].(map[string]any)
		switch prop["type"] {
		case "number", "integer":
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				out[k] = n
			}
		case "boolean":
			if b, err := strconv.ParseBool(s); err == nil {
				out[k] = b
			}
		}
	}
	return out
}
