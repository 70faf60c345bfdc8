package servicenow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
)

// pushSummary is the Result message of a failed pushToService.
const pushSummary = "error pushing to servicenow"

// incidentFields are the incident's fields a step sets by name.
var incidentFields = []string{"short_description", "description", "impact", "urgency", "severity",
	"category", "subcategory", "correlation_id", "correlation_display"}

// runPush serves `servicenow.pushToService`: it creates an incident (POST to the Table
// API), or updates the one named by incident.externalId / incidentId (PATCH), then writes
// each comment to work_notes; the output is {id, title, pushedDate, url, comments?}.
func runPush(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return failure(pushSummary, err)
	}
	r := &reader{m: call.Params}
	incident := r.obj("incident")
	comments := r.list("comments")
	externalID := r.str("incidentId", false)
	ir := &reader{m: incident, prefix: "incident."}
	fields := map[string]any{}
	for k, v := range ir.obj("additional_fields") {
		fields[k] = v
	}
	for _, name := range incidentFields {
		if v := ir.str(name, name == "short_description"); v != "" {
			fields[name] = v
		}
	}
	if id := ir.str("externalId", false); id != "" {
		externalID = id
	}
	if r.err != nil || ir.err != nil {
		return failure(pushSummary, firstErr(r.err, ir.err))
	}
	var rec record
	if externalID == "" {
		err = c.do(ctx, http.MethodPost, tablePath, fields, &rec)
	} else {
		err = c.do(ctx, http.MethodPatch, tablePath+"/"+url.PathEscape(externalID), fields, &rec)
	}
	if err != nil {
		return failure(pushSummary, err)
	}
	data := c.pushed(rec)
	if len(comments) > 0 {
		pushedComments, err := c.addComments(ctx, rec.SysID, comments)
		if err != nil {
			return failure(fmt.Sprintf("error adding a comment to servicenow incident %s", rec.Number), err)
		}
		data["comments"] = pushedComments
	}
	return connector.OK(data)
}

// addComments writes each non-empty comment to the incident's work notes.
func (c *client) addComments(ctx context.Context, sysID string, comments []map[string]any) ([]any, error) {
	out := []any{}
	for i, item := range comments {
		r := &reader{m: item, prefix: fmt.Sprintf("comments[%d].", i)}
		text, commentID := r.str("comment", false), r.str("commentId", false)
		if r.err != nil {
			return nil, r.err
		}
		if text == "" {
			continue
		}
		var rec record
		if err := c.do(ctx, http.MethodPatch, tablePath+"/"+url.PathEscape(sysID), map[string]any{"work_notes": text}, &rec); err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"commentId": commentID, "pushedDate": isoTime(rec.SysUpdatedOn)})
	}
	return out, nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
