package store

import (
	"context"
	"time"
)

// API key roles, from least to most privileged.
const (
	RoleViewer = "viewer" // read
	RoleEditor = "editor" // workflows and runs
	RoleAdmin  = "admin"  // connectors and keys too
)

// APIKey is a stored API key. Only a hash of the secret part is kept.
type APIKey struct {
	ID         string // the public part, sent as "id:key"
	Name       string
	Role       string
	Hash       []byte // SHA-256 of the secret part
	CreatedAt  time.Time
	CreatedBy  string
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// AuditEntry is one mutating call: who, what, when.
type AuditEntry struct {
	ID         int64
	Time       time.Time
	Actor      string // API key id (and name) or "anonymous"
	Method     string
	Path       string
	Resource   string // the workflow, execution or connector id touched, when known
	Status     int    // HTTP status answered
	RemoteAddr string
	RequestID  string
}

// APIKeyStore keeps API keys. ErrNotFound for unknown ids; ErrConflict on duplicate ids.
// Times are kept in UTC with microsecond precision.
type APIKeyStore interface {
	// APIKeyCreate stores k; a zero CreatedAt is set to now (written back into k).
	APIKeyCreate(ctx context.Context, k *APIKey) error
	APIKeyGet(ctx context.Context, id string) (*APIKey, error)
	APIKeyList(ctx context.Context) ([]*APIKey, error) // by CreatedAt, then ID
	// APIKeyRevoke sets RevokedAt (idempotent: revoking twice keeps the first time).
	APIKeyRevoke(ctx context.Context, id string, at time.Time) error
	// APIKeyTouch sets LastUsedAt (best effort; callers may throttle it). It never moves
	// LastUsedAt back, so touches arriving out of order from several nodes keep the latest.
	APIKeyTouch(ctx context.Context, id string, at time.Time) error
}

// AuditStore keeps the audit log of mutating API calls.
type AuditStore interface {
	// AuditAppend stores e and sets its ID; a zero Time is set to now (written back into e).
	AuditAppend(ctx context.Context, e *AuditEntry) error
	// AuditList returns one page (limit 0: 100) of entries, newest Time first (ties: the
	// last appended first), and how many entries there are.
	AuditList(ctx context.Context, limit, offset int) ([]*AuditEntry, int, error)
}

// TriggerStore makes schedules and webhooks exactly-once across restarts and nodes.
type TriggerStore interface {
	// TickClaim records that the tick at `at` of trigger `key` of a workflow is being
	// started by this caller. It returns false (and no error) when another caller, on this
	// node or another, already claimed that tick.
	TickClaim(ctx context.Context, workflowID, key string, at time.Time) (bool, error)
	// TickSetExecution records the execution a claimed tick started (ErrNotFound when the
	// tick was never claimed).
	TickSetExecution(ctx context.Context, workflowID, key string, at time.Time, executionID string) error
	// TickPrune deletes ticks claimed before `before`, keeping each trigger's latest tick
	// (TickLast must still answer); it returns how many it deleted.
	TickPrune(ctx context.Context, before time.Time) (int, error)
	// TickLast returns the latest claimed tick of a trigger (zero time when none).
	TickLast(ctx context.Context, workflowID, key string) (time.Time, error)
	// IdempotencyClaim claims key within scope until expiresAt for executionID. When the
	// key is already claimed and unexpired it returns the first claim's execution id and
	// false; an expired claim (expiresAt at or before now) is replaced. A successful claim
	// returns "" and true. Concurrent claims of one key, on any node, have exactly
	// one winner.
	IdempotencyClaim(ctx context.Context, scope, key, executionID string, now, expiresAt time.Time) (existing string, claimed bool, err error)
	// IdempotencyRelease drops a claim (the start it guarded failed); releasing a key that
	// is not claimed is not an error.
	IdempotencyRelease(ctx context.Context, scope, key string) error
	// IdempotencyDeleteExpired removes claims expired at or before now (the ones a claim
	// would replace); returns how many.
	IdempotencyDeleteExpired(ctx context.Context, now time.Time) (int, error)
}
