package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// Resume link lifetimes: the default, and the bounds a caller may ask for. A link never
// outlives the step's own input deadline.
const (
	defaultLinkTTL = time.Hour
	maxLinkTTL     = 7 * 24 * time.Hour
)

// nonceSet remembers the nonces of links used in this process until they expire, so that
// two answers racing on one link resume the step once. (Across nodes the step record,
// which holds the input once given, refuses the second answer.)
type nonceSet struct {
	mu   sync.Mutex
	used map[string]time.Time
}

func newNonceSet() *nonceSet { return &nonceSet{used: map[string]time.Time{}} }

// claim marks nonce used and reports whether it was free.
func (n *nonceSet) claim(nonce string, expires, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, exp := range n.used {
		if !now.Before(exp) {
			delete(n.used, k)
		}
	}
	if _, ok := n.used[nonce]; ok {
		return false
	}
	n.used[nonce] = expires
	return true
}

// release frees a nonce whose use failed for a reason other than the link itself.
func (n *nonceSet) release(nonce string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.used, nonce)
}

type resumeLinkInput struct {
	ExecutionID string `path:"executionId"`
	StepID      string `path:"stepId" doc:"The waitForInput step's name"`
	Body        *struct {
		ExpiresInSeconds int `json:"expiresInSeconds,omitempty" minimum:"60" maximum:"604800" doc:"Lifetime (default 3600); capped by the step's own timeout"`
	}
	base string
}

// Resolve records the base URL of the request (the link points back at this server).
func (in *resumeLinkInput) Resolve(ctx huma.Context) []error {
	scheme := "http"
	if ctx.TLS() != nil || ctx.Header("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	in.base = scheme + "://" + ctx.Host()
	return nil
}

type resumeLinkOutput struct {
	Body struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
		KeyID     string    `json:"kid"`
	}
}

// registerResumeLinks adds the link-minting route and §8 rows 13-14.
func (s *server) registerResumeLinks(api huma.API, mux *http.ServeMux) {
	if s.DisableResumeLinks {
		return
	}
	huma.Register(api, op("createResumeLink", http.MethodPost, "/api/workflows/executions/{executionId}/steps/{stepId}/resume/link",
		"Mint a short-lived, single-use external link that answers a waitForInput step"), s.createResumeLink)
	const path = "/api/workflows/executions/{executionId}/steps/{stepId}/resume/external"
	mux.HandleFunc("GET "+path, s.resumeForm)
	mux.HandleFunc("POST "+path, s.resumeSubmit)
	oapi := api.OpenAPI()
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		oapi.AddOperation(&huma.Operation{OperationID: "externalResume" + m, Method: m, Path: path,
			Summary:  map[string]string{"GET": "The HTML form of an external resume link", "POST": "Answer an external resume link (JSON or form) with an HTML confirmation"}[m],
			Security: []map[string][]string{},
			Parameters: []*huma.Param{{Name: "token", In: "query", Required: true, Schema: &huma.Schema{Type: "string"}},
				{Name: "kid", In: "query", Schema: &huma.Schema{Type: "string"}}},
			Responses: map[string]*huma.Response{"200": {Description: "text/html"}, "401": {Description: "invalid token"},
				"410": {Description: "expired or used link"}}})
	}
}

// createResumeLink mints a link for the step record now waiting for input.
func (s *server) createResumeLink(ctx context.Context, in *resumeLinkInput) (*resumeLinkOutput, error) {
	setResource(ctx, in.ExecutionID)
	ex, err := s.execution(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	rec, deadline, err := s.waitingStep(ctx, ex, in.StepID, "")
	if err != nil {
		return nil, fmt.Errorf("minting a resume link for step %q of execution %q: %w", in.StepID, ex.ID, err)
	}
	ttl := defaultLinkTTL
	if in.Body != nil && in.Body.ExpiresInSeconds > 0 {
		ttl = min(time.Duration(in.Body.ExpiresInSeconds)*time.Second, maxLinkTTL)
	}
	exp := time.Now().Add(ttl).Truncate(time.Second)
	if !deadline.IsZero() && deadline.Before(exp) {
		exp = deadline.Truncate(time.Second)
	}
	token, err := s.ResumeLinks.Mint(ResumeClaims{ExecutionID: ex.ID, StepID: in.StepID, StepExecutionID: rec.ID, ExpiresAt: exp.Unix()})
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(s.PublicURL, "/")
	if base == "" {
		base = in.base
	}
	out := &resumeLinkOutput{}
	out.Body.URL = base + "/api/workflows/executions/" + url.PathEscape(ex.ID) + "/steps/" + url.PathEscape(in.StepID) +
		"/resume/external?" + url.Values{"token": {token}, "kid": {s.ResumeLinks.KeyID()}}.Encode()
	out.Body.ExpiresAt, out.Body.KeyID = exp.UTC(), s.ResumeLinks.KeyID()
	return out, nil
}

// waitingStep finds the record of step stepID that waits for input in ex (recordID, when
// set, must be that record) and its input deadline. A step that no longer waits wraps
// engine.ErrNotWaitingForInput.
func (s *server) waitingStep(ctx context.Context, ex *store.Execution, stepID, recordID string) (*store.StepExecution, time.Time, error) {
	if ex.Status != store.StatusWaitingForInput {
		return nil, time.Time{}, fmt.Errorf("execution is %s: %w", ex.Status, engine.ErrNotWaitingForInput)
	}
	recs, err := s.Store.StepExecutionList(ctx, ex.ID)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("listing steps of execution %q: %w", ex.ID, err)
	}
	for _, rec := range recs {
		if rec.StepName != stepID || rec.StepType != "waitForInput" || store.IsTerminal(rec.Status) ||
			recordID != "" && rec.ID != recordID {
			continue
		}
		var state struct {
			Deadline time.Time       `json:"deadline"`
			Input    json.RawMessage `json:"input"`
		}
		_ = json.Unmarshal(rec.State, &state)
		if state.Input != nil {
			break
		}
		return rec, state.Deadline, nil
	}
	return nil, time.Time{}, fmt.Errorf("step %q does not wait for input: %w", stepID, engine.ErrNotWaitingForInput)
}

// linkTarget checks a request's link and returns its claims and the waiting step record.
// Any link that can no longer be answered wraps errLinkGone.
func (s *server) linkTarget(r *http.Request) (*ResumeClaims, *store.StepExecution, error) {
	q := r.URL.Query()
	if kid := q.Get("kid"); kid != "" && kid != s.ResumeLinks.KeyID() {
		return nil, nil, fmt.Errorf("%w: the link was signed with another key (%s)", errLinkInvalid, kid)
	}
	c, err := s.ResumeLinks.Verify(q.Get("token"), time.Now())
	if err != nil {
		return nil, nil, err
	}
	if c.ExecutionID != r.PathValue("executionId") || c.StepID != r.PathValue("stepId") {
		return nil, nil, fmt.Errorf("%w: the token is for another step", errLinkInvalid)
	}
	ex, err := s.Store.ExecutionGet(r.Context(), c.ExecutionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: the execution no longer exists", errLinkGone)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("getting execution %q: %w", c.ExecutionID, err)
	}
	rec, _, err := s.waitingStep(r.Context(), ex, c.StepID, c.StepExecutionID)
	if errors.Is(err, engine.ErrNotWaitingForInput) {
		return nil, nil, fmt.Errorf("%w: this step was already answered or no longer waits (%w)", errLinkGone, err)
	}
	return c, rec, err
}
