package trigger

import (
	"context"
	"fmt"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// Store is what the triggers read and write: stored workflows and the exactly-once records
// of ticks and idempotency keys. store.Store satisfies it.
type Store interface {
	WorkflowGet(ctx context.Context, id string) (*store.Workflow, error)
	WorkflowList(ctx context.Context, p store.WorkflowListParams) ([]*store.Workflow, int, error)
	store.TriggerStore
}

// Starter starts executions; *engine.Engine satisfies it. Start validates the workflow and
// the inputs and refuses disabled workflows.
type Starter interface {
	Start(ctx context.Context, p engine.StartParams) (*store.Execution, error)
}

// listPage is how many workflows one WorkflowList call returns while scanning.
const listPage = 100

// enabledWorkflows lists every enabled stored workflow, page by page.
func enabledWorkflows(ctx context.Context, st Store) ([]*store.Workflow, error) {
	enabled := true
	var out []*store.Workflow
	for offset := 0; ; offset += listPage {
		page, total, err := st.WorkflowList(ctx, store.WorkflowListParams{Enabled: &enabled, Limit: listPage, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("listing enabled workflows: %w", err)
		}
		out = append(out, page...)
		if len(page) < listPage || offset+len(page) >= total {
			return out, nil
		}
	}
}
