// Package api is Errand's REST API: Kibana-compatible Workflows (`/api/workflows…`) and
// Actions (`/api/actions…`) endpoints served with huma on the stdlib mux, the OpenAPI 3.1
// document at /api/openapi.json and a self-contained docs page at /api/docs, API-key auth
// with roles, problem+json errors, the audit log of mutating calls and server-sent events
// of live executions. Every path is also served under a `/s/{space}` prefix.
//
// Choices where Kibana leaves room (each documented at its handler):
//   - Create stores a workflow whose YAML parses but does not validate (valid: false), as
//     Kibana does; YAML that does not parse at all is answered 400 with the diagnostics.
//   - Delete is always a hard delete (the store has no soft delete); `force` is accepted.
//   - Connector configs are returned to admins only: /api/actions/* needs the admin role
//     except connector_types; GET /api/workflows/connectors lists instances to every role
//     and includes their config for admins only.
//   - Step test runs a generated workflow: the tested step preceded by one data.parseJson
//     step per mocked step of contextOverride.steps (see step_test_workflow.go).
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/events"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// Authenticator identifies the caller of a request (API key). It returns an error wrapping
// auth.ErrUnauthenticated or auth.ErrRateLimited when it cannot.
type Authenticator interface {
	Authenticate(r *http.Request) (*auth.Principal, error)
}

// Auditor writes one audit log entry; it must not fail the call (it logs its own errors).
type Auditor interface {
	Record(ctx context.Context, e *store.AuditEntry)
}

// Webhooks starts a workflow from a webhook request, checking the trigger's own auth
// (none, apiKey, basic, hmac) and its idempotency key. duplicate reports that the request
// repeated an earlier one and executionID is the first execution's id.
type Webhooks interface {
	Invoke(ctx context.Context, wf *store.Workflow, r *http.Request, body []byte) (executionID string, duplicate bool, err error)
}

// EventDispatcher starts every enabled workflow whose event or alert trigger matches event.
type EventDispatcher interface {
	Dispatch(ctx context.Context, event map[string]any) (executionIDs []string, err error)
}

// Deps are the API's collaborators. Store, Engine, Connectors and Registry are required.
// A nil Auth means no authentication (unit tests only; production wiring always passes
// one); a nil Audit, Webhooks, Events or Broker disables that feature.
type Deps struct {
	Store      store.Store
	Engine     *engine.Engine
	Connectors *connector.Service
	Registry   *connector.Registry
	Auth       Authenticator
	Audit      Auditor
	Webhooks   Webhooks
	Events     EventDispatcher
	Broker     *events.Broker
	Logger     *slog.Logger
	// Ready reports whether the service can take work (store reachable, queue started);
	// nil means always ready.
	Ready func(ctx context.Context) error
	// Version is reported in the OpenAPI document (default "dev").
	Version string
	// ResumeLinks signs the external resume links of waitForInput steps; nil makes a
	// signer with a random key per process (links die with the process and open only on
	// the node that minted them; see ResumeSigner).
	ResumeLinks *ResumeSigner
	// DisableResumeLinks turns the external resume routes off (Kibana's
	// hitlExternalResume.enabled: false); they answer 404.
	DisableResumeLinks bool
	// PublicURL is the server's base URL as users reach it (e.g. https://errand.example.com),
	// used in resume links; empty: the scheme and Host of the request that mints the link.
	PublicURL string
}

// server holds the dependencies the handlers share.
type server struct {
	Deps
	log   *slog.Logger
	vopts workflow.ValidateOptions
	// pollInterval is how often the SSE stream reads the store for progress made elsewhere.
	pollInterval int64 // milliseconds
	// usedLinks are the nonces of resume links used in this process.
	usedLinks *nonceSet
}

// New returns the API's handler: every route, behind the request, auth and audit
// middleware.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Version == "" {
		d.Version = "dev"
	}
	if d.ResumeLinks == nil {
		d.ResumeLinks = NewResumeSigner(nil)
	}
	s := &server{Deps: d, log: d.Logger, vopts: validateOptions(d.Engine), pollInterval: 500, usedLinks: newNonceSet()}
	if d.Broker != nil {
		// Live events come from the broker; the store poll only catches progress made on
		// another node, and thousands of open streams polling fast would load the store.
		s.pollInterval = 2000
	}
	installErrorModel()
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Errand API", d.Version)
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links in bodies: Kibana clients compare fields
	cfg.Info.Description = "Kibana-compatible Workflows and Actions (connectors) API of Errand."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"apiKey": {Type: "apiKey", In: "header", Name: "Authorization",
			Description: "`ApiKey base64(id:key)` or `Bearer id:key`"},
	}
	cfg.Security = []map[string][]string{{"apiKey": {}}}
	api := humago.New(mux, cfg)
	s.registerWorkflows(api)
	s.registerRuns(api)
	s.registerExecutions(api)
	s.registerExecutionSearch(api)
	s.registerExecutionTrace(api)
	s.registerResumeLinks(api, mux)
	s.registerWorkflowSteps(api)
	s.registerMeta(api)
	s.registerConnectors(api)
	s.registerConnectorTest(api)
	s.registerRaw(api, mux)
	return s.middleware(mux)
}

// validateOptions are the validation options of the engine's step types (the API must not
// import the server package, so it asks the engine).
func validateOptions(eng *engine.Engine) workflow.ValidateOptions {
	if eng == nil {
		return workflow.ValidateOptions{}
	}
	names := eng.StepTypes()
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return workflow.ValidateOptions{StepTypes: func(t string) bool { return set[t] }, StepTypeNames: names}
}
