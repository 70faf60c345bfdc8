// Package trigger starts workflows by themselves: schedules (every, rrule), alert and event
// intake, and webhooks (with auth, HMAC signatures, replay windows and idempotency keys).
package trigger

import "errors"

var (
	// ErrNoWebhookTrigger means the workflow has no webhook trigger (HTTP 404).
	ErrNoWebhookTrigger = errors.New("the workflow has no webhook trigger")
	// ErrWebhookUnauthorized means the webhook's auth check failed (HTTP 401).
	ErrWebhookUnauthorized = errors.New("webhook authentication failed")
	// ErrWorkflowDisabled means the workflow is disabled (HTTP 400, Kibana's message).
	//lint:ignore ST1005 the API answers Kibana's exact message
	ErrWorkflowDisabled = errors.New("Workflow is disabled. Enable it to run it.")
	// ErrWorkflowInvalid means the workflow is not valid (HTTP 400, Kibana's message).
	//lint:ignore ST1005 the API answers Kibana's exact message
	ErrWorkflowInvalid = errors.New("Workflow is not valid.")
)

var (
	// ErrIdempotencyInProgress means another request with the same idempotency key is being
	// started right now; the client may retry shortly (HTTP 409).
	ErrIdempotencyInProgress = errors.New("a request with this idempotency key is in progress")
	// ErrSchedulerRunning means Start was called on a Scheduler that is already running.
	ErrSchedulerRunning = errors.New("the scheduler is already running")
)
