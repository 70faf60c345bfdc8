package jira

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// numericRe matches an issue type given by id.
var numericRe = regexp.MustCompile(`^[0-9]+$`)

// namedFields are the issue fields set by name; otherFields may not repeat them.
var namedFields = []string{"project", "issuetype", "summary", "description", "priority", "labels", "parent"}

// issue is what a step asks to create or change.
type issue struct {
	projectKey  string
	issueType   string // a name ("Task") or an id ("10002")
	summary     string
	description string
	priority    string
	labels      []string
	parent      string
	otherFields map[string]any
}

// readIssue reads the issue fields of a step's params.
func readIssue(r *reader, summaryRequired bool) issue {
	return issue{
		projectKey:  r.str("projectKey", false),
		issueType:   r.str("issueType", false),
		summary:     r.str("summary", summaryRequired),
		description: r.str("description", false),
		priority:    r.str("priority", false),
		labels:      r.strs("labels"),
		parent:      r.str("parent", false),
		otherFields: r.obj("otherFields"),
	}
}

// fields builds Jira's `fields` object. On create the project is set; on update only the
// fields given are.
func (in issue) fields(create bool) (map[string]any, error) {
	f := map[string]any{}
	for k, v := range in.otherFields {
		for _, named := range namedFields {
			if strings.EqualFold(k, named) {
				return nil, fmt.Errorf("%w: otherFields.%s: set %s with its own parameter", errBadParam, k, named)
			}
		}
		f[k] = v
	}
	for _, label := range in.labels {
		if strings.ContainsAny(label, " \t\r\n") {
			return nil, fmt.Errorf("%w: labels: %q contains whitespace, which Jira does not allow in a label", errBadParam, label)
		}
	}
	if create {
		f["project"] = map[string]any{"key": in.projectKey}
	}
	setIf(f, "summary", singleLine(in.summary), in.summary != "")
	setIf(f, "description", in.description, in.description != "")
	setIf(f, "issuetype", issueTypeRef(in.issueType), in.issueType != "")
	setIf(f, "priority", map[string]any{"name": in.priority}, in.priority != "")
	setIf(f, "labels", in.labels, in.labels != nil)
	setIf(f, "parent", map[string]any{"key": in.parent}, in.parent != "")
	return f, nil
}

func setIf(m map[string]any, k string, v any, ok bool) {
	if ok {
		m[k] = v
	}
}

// issueTypeRef refers to an issue type by id when it is numeric, else by name.
func issueTypeRef(t string) map[string]any {
	if numericRe.MatchString(t) {
		return map[string]any{"id": t}
	}
	return map[string]any{"name": t}
}

// singleLine replaces line breaks, which Jira refuses in a summary, as Kibana does.
func singleLine(s string) string {
	return strings.NewReplacer("\r\n", ", ", "\n", ", ", "\r", ", ").Replace(s)
}

// created is Jira's answer to POST /issue.
type created struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// create creates the issue; without an issue type it takes the project's first one, as
// Kibana does.
func (c *client) create(ctx context.Context, in issue) (created, error) {
	if in.projectKey == "" {
		in.projectKey = c.projectKey
	}
	if in.issueType == "" {
		types, err := c.issueTypes(ctx, in.projectKey)
		if err != nil {
			return created{}, fmt.Errorf("finding the project's first issue type: %w", err)
		}
		if len(types) == 0 {
			return created{}, fmt.Errorf("%w: issueType is required: project %s lists no issue types", errBadParam, in.projectKey)
		}
		in.issueType = types[0].ID
	}
	fields, err := in.fields(true)
	if err != nil {
		return created{}, err
	}
	var out created
	err = c.do(ctx, http.MethodPost, "/issue", map[string]any{"fields": fields}, &out)
	return out, err
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
