package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
)

// pushSummary is the Result message of a failed pushToService.
const pushSummary = "error pushing to jira"

// runPush serves `jira.pushToService`: it creates the incident, or updates the issue named
// by incident.externalId, then adds the comments; the output is Kibana's
// {id, title, pushedDate, url, comments}.
func runPush(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return failure(pushSummary, err)
	}
	r := &reader{m: call.Params}
	incident := r.obj("incident")
	comments := r.list("comments")
	ir := &reader{m: incident, prefix: "incident."}
	in := readIssue(ir, true)
	externalID := ir.str("externalId", false)
	if err := firstErr(r.err, ir.err); err != nil {
		return failure(pushSummary, err)
	}
	var id, key, pushed string
	if externalID == "" {
		out, cerr := c.create(ctx, in)
		id, key, pushed, err = out.ID, out.Key, nowISO(), cerr
	} else {
		id, key, pushed, err = c.update(ctx, externalID, in)
	}
	if err != nil {
		return failure(pushSummary, err)
	}
	data := map[string]any{"id": id, "title": key, "pushedDate": pushed, "url": c.browseURL(key)}
	if len(comments) > 0 {
		pushedComments, err := c.addComments(ctx, id, comments)
		if err != nil {
			return failure(fmt.Sprintf("error adding a comment to jira issue %s", key), err)
		}
		data["comments"] = pushedComments
	}
	return connector.OK(data)
}

// update changes the issue's fields and reads back its id, key and update time.
func (c *client) update(ctx context.Context, idOrKey string, in issue) (id, key, updated string, err error) {
	fields, err := in.fields(false)
	if err != nil {
		return "", "", "", err
	}
	path := "/issue/" + url.PathEscape(idOrKey)
	if err := c.do(ctx, http.MethodPut, path, map[string]any{"fields": fields}, nil); err != nil {
		return "", "", "", err
	}
	var got struct {
		ID     string `json:"id"`
		Key    string `json:"key"`
		Fields struct {
			Updated string `json:"updated"`
		} `json:"fields"`
	}
	if err := c.do(ctx, http.MethodGet, path+"?fields=updated", nil, &got); err != nil {
		return "", "", "", err
	}
	return got.ID, got.Key, isoTime(got.Fields.Updated), nil
}

// addComments posts each non-empty comment and returns [{commentId, externalCommentId,
// pushedDate}].
func (c *client) addComments(ctx context.Context, issueID string, comments []map[string]any) ([]any, error) {
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
		var got struct {
			ID      string `json:"id"`
			Created string `json:"created"`
		}
		path := "/issue/" + url.PathEscape(issueID) + "/comment"
		if err := c.do(ctx, http.MethodPost, path, map[string]any{"body": text}, &got); err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"commentId": commentID, "externalCommentId": got.ID, "pushedDate": isoTime(got.Created)})
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
