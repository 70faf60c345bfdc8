package jira

import (
	"context"

	"github.com/errand-dev/errand/internal/connector"
)

// createSummary is the Result message of a failed create.
const createSummary = "error creating jira issue"

// runCreate serves the bare `jira` step, the seed's form: projectKey, issueType, summary,
// description (plus priority, labels, parent, otherFields) create an issue, and the step
// outputs {id, key, url}.
func runCreate(ctx context.Context, call *connector.Call) connector.Result {
	c, err := newClient(call)
	if err != nil {
		return failure(createSummary, err)
	}
	r := &reader{m: call.Params}
	in := readIssue(r, true)
	if r.err != nil {
		return failure(createSummary, r.err)
	}
	out, err := c.create(ctx, in)
	if err != nil {
		return failure(createSummary, err)
	}
	return connector.OK(map[string]any{"id": out.ID, "key": out.Key, "url": c.browseURL(out.Key)})
}
