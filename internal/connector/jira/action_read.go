package jira

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// maxSearchResults bounds jira.issues.
const maxSearchResults = 50

// issueDoc is Jira's issue representation.
type issueDoc struct {
	ID     string         `json:"id"`
	Key    string         `json:"key"`
	Fields map[string]any `json:"fields"`
}

// runGetIncident serves `jira.getIncident` ({externalId}, or {id} as the editor schema
// has it): the issue's fields with its id, key and url.
func runGetIncident(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting jira issue"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	id := r.str("externalId", false)
	if id == "" {
		id = r.str("id", true)
	}
	if r.err != nil {
		return failure(summary, r.err)
	}
	var doc issueDoc
	if err := c.do(ctx, http.MethodGet, "/issue/"+url.PathEscape(id), nil, &doc); err != nil {
		return failure(summary, err)
	}
	data := map[string]any{}
	for k, v := range doc.Fields {
		data[k] = v
	}
	data["id"], data["key"], data["url"] = doc.ID, doc.Key, c.browseURL(doc.Key)
	for _, k := range []string{"created", "updated"} {
		if s, ok := data[k].(string); ok {
			data[k] = isoTime(s)
		}
	}
	return connector.OK(data)
}

// runIssue serves `jira.issue` ({id}): {id, key, title}.
func runIssue(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting jira issue"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	id := r.str("id", true)
	if r.err != nil {
		return failure(summary, r.err)
	}
	var doc issueDoc
	if err := c.do(ctx, http.MethodGet, "/issue/"+url.PathEscape(id)+"?fields=summary", nil, &doc); err != nil {
		return failure(summary, err)
	}
	return connector.OK(map[string]any{"id": doc.ID, "key": doc.Key, "title": doc.Fields["summary"]})
}

// runIssues serves `jira.issues` ({title}): the project's issues whose summary matches,
// as [{id, key, title}].
func runIssues(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error searching jira issues"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	title := r.str("title", true)
	if r.err != nil {
		return failure(summary, r.err)
	}
	docs, err := c.search(ctx, `project="`+jqlEscape(c.projectKey)+`" and summary ~"`+jqlEscape(title)+`"`)
	if err != nil {
		return failure(summary, err)
	}
	out := make([]any, 0, len(docs))
	for _, d := range docs {
		out = append(out, map[string]any{"id": d.ID, "key": d.Key, "title": d.Fields["summary"]})
	}
	return connector.OK(out)
}

// search runs a JQL query on Jira Cloud's /search/jql, falling back to /search (Server and
// Data Center, where /search/jql does not exist) when the former answers 404.
func (c *client) search(ctx context.Context, jql string) ([]issueDoc, error) {
	body := map[string]any{"jql": jql, "fields": []string{"summary"}, "maxResults": maxSearchResults}
	var out struct {
		Issues []issueDoc `json:"issues"`
	}
	err := c.do(ctx, http.MethodPost, "/search/jql", body, &out)
	var he *httpclient.Error
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		err = c.do(ctx, http.MethodPost, "/search", body, &out)
	}
	return out.Issues, err
}

// jqlEscape escapes a value for a double-quoted JQL string.
func jqlEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
