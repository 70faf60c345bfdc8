package trigger

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/template"
	"github.com/errand-dev/errand/internal/workflow"
)

// WebhooksOptions configures Webhooks. Zero fields take the documented defaults.
type WebhooksOptions struct {
	// Clock is the time of HMAC windows and idempotency claims (default the system clock).
	Clock Clock
	// APIKeyCheck validates the API key of a request to an `auth: {type: apiKey}` webhook; it reads
	// the "Authorization: ApiKey ..." header (X-Api-Key and ?apiKey= are moved there first).
	// Nil: such webhooks always answer ErrWebhookUnauthorized.
	APIKeyCheck func(r *http.Request) error
	// LookupEnv resolves ${env:NAME} secrets (default os.LookupEnv).
	LookupEnv func(name string) (string, bool)
	// Templates renders idempotency key expressions (default: Kibana's limits).
	Templates *template.Engine
	// IdempotencyWindow is how long an idempotency key is remembered when the trigger sets
	// no window (default 24h).
	IdempotencyWindow time.Duration
	// PendingLease is how long a claimed idempotency key stays "in progress" while its
	// execution is being created (default 1m); a request crashed within it frees the key then.
	PendingLease time.Duration
	// Logger receives failures that do not fail the request (default slog.Default()).
	Logger *slog.Logger
}

// withDefaults fills the zero fields of o.
func (o WebhooksOptions) withDefaults() WebhooksOptions {
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.LookupEnv == nil {
		o.LookupEnv = os.LookupEnv
	}
	if o.Templates == nil {
		o.Templates = template.New(template.DefaultLimits())
	}
	if o.IdempotencyWindow <= 0 {
		o.IdempotencyWindow = 24 * time.Hour
	}
	if o.PendingLease <= 0 {
		o.PendingLease = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Webhooks runs workflows that have a `webhook` trigger when their URL is called
// (GET|POST /api/workflows/workflow/{id}/execute). It is safe for concurrent use.
//
// Inputs are the query parameters of a GET (apiKey removed; a value is converted to the
// number or boolean the input declares) or the JSON object body of a POST. The run's `event`
// is {body, query, headers} with credential headers left out.
type Webhooks struct {
	st   Store
	eng  Starter
	opts WebhooksOptions
	defs *definitions
}

// NewWebhooks returns the webhook intake over st, starting executions with eng.
func NewWebhooks(st Store, eng Starter, opts WebhooksOptions) *Webhooks {
	return &Webhooks{st: st, eng: eng, opts: opts.withDefaults(), defs: newDefinitions()}
}

// Invoke authenticates r against wf's webhook trigger and starts wf with the request's
// inputs. With an idempotency key (see idempotency), a repeat within the window returns the
// first execution's id and duplicate=true. Errors: ErrWorkflowInvalid, ErrNoWebhookTrigger,
// ErrWebhookUnauthorized, ErrWorkflowDisabled, ErrIdempotencyInProgress, and the engine's
// ErrInvalidInputs.
func (h *Webhooks) Invoke(ctx context.Context, wf *store.Workflow, r *http.Request, body []byte) (string, bool, error) {
	parsed := h.defs.parse(wf)
	if parsed == nil {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, ErrWorkflowInvalid)
	}
	t := webhookTrigger(parsed)
	if t == nil {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, ErrNoWebhookTrigger)
	}
	who, err := h.authenticate(ctx, wf.ID, t.Auth, r, body)
	if err != nil {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, err)
	}
	id, dup, err := h.run(ctx, wf, parsed, r, body, who)
	if err != nil && who.replayScope != "" {
		if rerr := h.st.IdempotencyRelease(ctx, who.replayScope, who.replayKey); rerr != nil {
			h.opts.Logger.Error("webhook: releasing a signature record", "workflow", wf.ID, "error", rerr)
		}
	}
	return id, dup, err
}

// run starts an authenticated request, once per idempotency key.
func (h *Webhooks) run(ctx context.Context, wf *store.Workflow, parsed *workflow.Workflow, r *http.Request, body []byte, who *caller) (string, bool, error) {
	if !wf.Enabled {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, ErrWorkflowDisabled)
	}
	req, err := readRequest(r, body, parsed.Inputs)
	if err != nil {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, err)
	}
	start := func() (*store.Execution, error) {
		return h.eng.Start(ctx, engine.StartParams{
			Workflow: wf, Inputs: req.inputs, Event: req.event, TriggeredBy: "webhook", ExecutedBy: who.name,
		})
	}
	key, window, err := h.idempotency(wf, r, req)
	if err != nil {
		return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, err)
	}
	if key == "" {
		ex, err := start()
		if err != nil {
			return "", false, fmt.Errorf("invoking the webhook of workflow %q: %w", wf.ID, err)
		}
		return ex.ID, false, nil
	}
	return h.startOnce(ctx, "webhook:"+wf.ID, key, window, start)
}

// webhookTrigger returns wf's first webhook trigger, or nil.
func webhookTrigger(wf *workflow.Workflow) *workflow.Trigger {
	for _, t := range wf.Triggers {
		if t.Type == "webhook" {
			return t
		}
	}
	return nil
}

// request is what a webhook call carries: the run's inputs and event.
type request struct {
	inputs map[string]any
	event  map[string]any
}

// readRequest builds the inputs and event of a webhook call.
func readRequest(r *http.Request, body []byte, inputs *workflow.InputSchema) (*request, error) {
	query := map[string]any{}
	for k, vs := range r.URL.Query() {
		if k == "apiKey" || len(vs) == 0 {
			continue
		}
		if len(vs) == 1 {
			query[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = v
		}
		query[k] = list
	}
	var parsedBody any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &parsedBody); err != nil {
			return nil, fmt.Errorf("decoding the webhook body as JSON: %w: %w", engine.ErrInvalidInputs, err)
		}
	}
	req := &request{event: map[string]any{"body": parsedBody, "query": query, "headers": eventHeaders(r.Header)}}
	if r.Method == http.MethodGet {
		req.inputs = coerceQuery(query, inputs)
		return req, nil
	}
	switch b := parsedBody.(type) {
	case nil:
		req.inputs = map[string]any{}
	case map[string]any:
		req.inputs = b
	default:
		return nil, fmt.Errorf("reading the webhook body: %w: the body must be a JSON object of inputs", engine.ErrInvalidInputs)
	}
	return req, nil
}
