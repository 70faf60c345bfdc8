package jira

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
)

// issueType is one of a project's issue types.
type issueType struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// fieldMeta is createmeta's description of one field.
type fieldMeta struct {
	FieldID       string `json:"fieldId"`
	Key           string `json:"key"`
	Name          string `json:"name"`
	Required      bool   `json:"required"`
	Schema        any    `json:"schema"`
	AllowedValues []any  `json:"allowedValues"`
	DefaultValue  any    `json:"defaultValue"`
}

// runIssueTypes serves `jira.issueTypes`: [{id, name}] of the connector's project.
func runIssueTypes(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting jira issue types"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	types, err := c.issueTypes(ctx, c.projectKey)
	if err != nil {
		return failure(summary, err)
	}
	out := make([]any, 0, len(types))
	for _, t := range types {
		out = append(out, map[string]any{"id": t.ID, "name": t.Name})
	}
	return connector.OK(out)
}

// issueTypes lists a project's issue types from createmeta (Cloud answers `issueTypes`,
// Data Center `values`); Jira versions without that endpoint (404) give every issue type.
func (c *client) issueTypes(ctx context.Context, projectKey string) ([]issueType, error) {
	var meta struct {
		IssueTypes []issueType `json:"issueTypes"`
		Values     []issueType `json:"values"`
	}
	err := c.do(ctx, http.MethodGet, "/issue/createmeta/"+url.PathEscape(projectKey)+"/issuetypes?maxResults=100", nil, &meta)
	var he *httpclient.Error
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		var all []issueType
		err = c.do(ctx, http.MethodGet, "/issuetype", nil, &all)
		return all, err
	}
	return append(meta.IssueTypes, meta.Values...), err
}

// runFieldsByIssueType serves `jira.fieldsByIssueType` ({id}): the fields of one issue
// type, by field id.
func runFieldsByIssueType(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting jira fields"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	id := r.str("id", true)
	if r.err != nil {
		return failure(summary, r.err)
	}
	fields, err := c.fieldsByIssueType(ctx, id)
	if err != nil {
		return failure(summary, err)
	}
	return connector.OK(fields)
}

// fieldsByIssueType reads createmeta for one issue type (Cloud `fields`, Data Center
// `values`) as {fieldId: {id, name, required, schema, allowedValues, defaultValue}}.
func (c *client) fieldsByIssueType(ctx context.Context, issueTypeID string) (map[string]any, error) {
	var meta struct {
		Fields []fieldMeta `json:"fields"`
		Values []fieldMeta `json:"values"`
	}
	path := "/issue/createmeta/" + url.PathEscape(c.projectKey) + "/issuetypes/" + url.PathEscape(issueTypeID) + "?maxResults=200"
	if err := c.do(ctx, http.MethodGet, path, nil, &meta); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range append(meta.Fields, meta.Values...) {
		id := f.FieldID
		if id == "" {
			id = f.Key
		}
		allowed := f.AllowedValues
		if allowed == nil {
			allowed = []any{}
		}
		out[id] = map[string]any{"id": id, "name": f.Name, "required": f.Required, "schema": f.Schema,
			"allowedValues": allowed, "defaultValue": f.DefaultValue}
	}
	return out, nil
}

// runGetFields serves `jira.getFields`: the fields every issue type of the project has.
func runGetFields(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting jira fields"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	types, err := c.issueTypes(ctx, c.projectKey)
	if err != nil {
		return failure(summary, err)
	}
	var common map[string]any
	for _, t := range types {
		fields, err := c.fieldsByIssueType(ctx, t.ID)
		if err != nil {
			return failure(summary, err)
		}
		if common == nil {
			common = fields
			continue
		}
		for _, id := range sortedKeys(common) {
			if _, ok := fields[id]; !ok {
				delete(common, id)
			}
		}
	}
	if common == nil {
		common = map[string]any{}
	}
	return connector.OK(common)
}
