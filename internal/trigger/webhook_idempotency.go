package trigger

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v4"

	"github.com/errand-dev/errand/internal/store"
)

// pendingPrefix marks an idempotency claim whose execution is still being created.
const pendingPrefix = "pending:"

// idempotencySettings is a webhook trigger's `idempotency: {key, window}` block.
type idempotencySettings struct {
	Key    string `yaml:"key"`    // Liquid over {event: {body, query, headers}}
	Window string `yaml:"window"` // a Go duration such as "24h"
}

// idempotency returns the idempotency key of a call and how long to remember it: the
// Idempotency-Key header, else the trigger's `idempotency.key` rendered over the event
// ("" when neither gives one: no deduplication).
func (h *Webhooks) idempotency(wf *store.Workflow, r *http.Request, req *request) (string, time.Duration, error) {
	cfg := webhookIdempotency(wf.YAML)
	window := h.opts.IdempotencyWindow
	if cfg.Window != "" {
		d, err := time.ParseDuration(cfg.Window)
		if err != nil || d <= 0 {
			return "", 0, fmt.Errorf("parsing the idempotency window %q: not a positive duration", cfg.Window)
		}
		window = d
	}
	if key := strings.TrimSpace(r.Header.Get("Idempotency-Key")); key != "" {
		return key, window, nil
	}
	if cfg.Key == "" {
		return "", window, nil
	}
	key, err := h.opts.Templates.Render(cfg.Key, map[string]any{"event": req.event})
	if err != nil {
		return "", 0, fmt.Errorf("rendering the idempotency key: %w", err)
	}
	return strings.TrimSpace(key), window, nil
}

// webhookIdempotency reads the `idempotency` block of the first webhook trigger from the
// YAML itself: the workflow model does not carry it.
func webhookIdempotency(src string) idempotencySettings {
	var doc struct {
		Triggers []struct {
			Type        string              `yaml:"type"`
			Idempotency idempotencySettings `yaml:"idempotency"`
		} `yaml:"triggers"`
	}
	if yaml.Unmarshal([]byte(src), &doc) != nil {
		return idempotencySettings{}
	}
	for _, t := range doc.Triggers {
		if t.Type == "webhook" {
			return t.Idempotency
		}
	}
	return idempotencySettings{}
}

// startOnce starts at most one execution per (scope, key) within window.
//
// The key is first claimed with a pending marker that expires after PendingLease; the
// winner starts the execution and then publishes its id by claiming the key again with a
// "now" at the end of that lease, which replaces its own (then expired) pending claim in one
// store call. A caller that finds the published id gets it back as a duplicate; one that
// finds a pending marker gets ErrIdempotencyInProgress. A failed start releases the key.
func (h *Webhooks) startOnce(ctx context.Context, scope, key string, window time.Duration, start func() (*store.Execution, error)) (string, bool, error) {
	now := h.opts.Clock.Now()
	leaseEnd := now.Add(h.opts.PendingLease)
	existing, claimed, err := h.st.IdempotencyClaim(ctx, scope, key, pendingPrefix+uuid.NewString(), now, leaseEnd)
	if err != nil {
		return "", false, fmt.Errorf("claiming idempotency key %q in %q: %w", key, scope, err)
	}
	if !claimed {
		if strings.HasPrefix(existing, pendingPrefix) {
			return "", false, fmt.Errorf("claiming idempotency key %q in %q: %w", key, scope, ErrIdempotencyInProgress)
		}
		return existing, true, nil
	}
	ex, err := start()
	if err != nil {
		if rerr := h.st.IdempotencyRelease(ctx, scope, key); rerr != nil {
			h.opts.Logger.Error("webhook: releasing an idempotency key", "scope", scope, "error", rerr)
		}
		return "", false, fmt.Errorf("starting the run of idempotency key %q: %w", key, err)
	}
	publishAt := leaseEnd.Add(time.Millisecond)
	if _, ok, err := h.st.IdempotencyClaim(ctx, scope, key, ex.ID, publishAt, now.Add(window)); err != nil || !ok {
		h.opts.Logger.Error("webhook: recording the execution of an idempotency key", "scope", scope, "execution", ex.ID, "claimed", ok, "error", err)
	}
	return ex.ID, false, nil
}
