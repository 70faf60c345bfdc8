// Package store defines Errand's persistence seam: the Store interface, its records and its
// sentinel errors. Drivers live in sqlite/ and postgres/ and pass the one conformance suite in
// storetest/. Drivers store what they are given; they never see secrets in clear text.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Execution statuses (Kibana's ExecutionStatus), shared by executions and step executions.
const (
	StatusPending         = "pending"
	StatusWaiting         = "waiting"
	StatusWaitingForInput = "waiting_for_input"
	StatusWaitingForChild = "waiting_for_child"
	StatusRunning         = "running"
	StatusQueued          = "queued"
	StatusCompleted       = "completed"
	StatusFailed          = "failed"
	StatusCancelled       = "cancelled"
	StatusTimedOut        = "timed_out"
	StatusSkipped         = "skipped"
)

// IsTerminal reports whether status is final.
func IsTerminal(status string) bool {
	switch status {
	case StatusCompleted, StatusFailed, StatusCancelled, StatusTimedOut, StatusSkipped:
		return true
	}
	return false
}

// Workflow is a stored workflow definition.
type Workflow struct {
	ID          string
	Name        string
	Description string
	Enabled     bool
	Valid       bool
	YAML        string
	Tags        []string
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string
}

// Execution is one run of a workflow. JSON fields hold raw JSON (nil when absent).
type Execution struct {
	ID                string
	WorkflowID        string
	WorkflowName      string
	YAML              string // the workflow as it was when the run started
	Status            string
	Inputs            json.RawMessage
	Event             json.RawMessage
	Output            json.RawMessage
	Error             json.RawMessage // {type, message, details?}
	Metadata          json.RawMessage
	TriggeredBy       string // manual | scheduled | alert | webhook | api | workflow
	ExecutedBy        string
	IsTestRun         bool
	ConcurrencyKey    string
	ParentExecutionID string
	CancelRequested   bool
	CreatedAt         time.Time
	StartedAt         *time.Time
	FinishedAt        *time.Time
	ResumeAt          *time.Time // when a waiting execution is due again
	LeaseOwner        string     // node running it now ("" when none)
	LeaseUntil        *time.Time
}

// StepExecution is one attempt of one step in one scope (a foreach iteration, a retry
// attempt, a parallel branch each have their own record).
type StepExecution struct {
	ID          string
	ExecutionID string
	// Path identifies the step's place in the run, unique per execution, stable across
	// replays: e.g. "loop[2]/fetch#1" (step fetch, iteration 2 of loop, attempt 1).
	Path       string
	StepName   string
	StepType   string
	Attempt    int // 1-based
	Seq        int // global order of first start within the execution
	Status     string
	Input      json.RawMessage
	Output     json.RawMessage
	Error      json.RawMessage
	State      json.RawMessage // engine state (loop progress, wait deadline ...)
	StartedAt  time.Time
	FinishedAt *time.Time
	DurationMs int64
}

// LogEntry is one line of an execution's log.
type LogEntry struct {
	ID          int64
	ExecutionID string
	StepPath    string
	StepName    string
	Level       string // debug | info | warn | error
	Message     string
	Data        json.RawMessage
	Timestamp   time.Time
}

// Connector is a stored connector. Secrets holds the ciphertext only (the connector
// service encrypts and decrypts; drivers never see clear secrets).
type Connector struct {
	ID               string
	Name             string // unique among stored connectors
	TypeID           string // ".slack", ".jira" ...
	Config           json.RawMessage
	Secrets          []byte // ciphertext; nil when the connector has no secrets
	IsMissingSecrets bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// WorkflowListParams filters WorkflowList. Zero values mean no filter.
type WorkflowListParams struct {
	Query   string // substring of name or description
	Enabled *bool
	Limit   int // 0: 100
	Offset  int
}

// ExecutionListParams filters ExecutionList, newest first. Zero values mean no filter; the
// filters set all apply.
type ExecutionListParams struct {
	WorkflowID string
	Statuses   []string
	// ParentExecutionID keeps the children a workflow step started from that execution.
	ParentExecutionID string
	// TestRun keeps test runs (true) or production runs (false).
	TestRun    *bool
	ExecutedBy string
	// StartedAfter keeps executions whose StartedAt is at or after this time, and
	// StartedBefore those whose StartedAt is before it (a half-open range). Either one
	// leaves out executions that have not started yet.
	StartedAfter  *time.Time
	StartedBefore *time.Time
	Limit         int // 0: 100
	Offset        int
}

// ExecutionUpdateParams sets the non-nil fields of one execution.
type ExecutionUpdateParams struct {
	ID              string
	Status          *string
	Output          json.RawMessage
	Error           json.RawMessage
	StartedAt       *time.Time
	FinishedAt      *time.Time
	ResumeAt        **time.Time // set to a nil pointer to clear
	CancelRequested *bool
	// IfStatusIn, when set, makes the update apply only while the current status is one of
	// these; ErrConflict is returned otherwise.
	IfStatusIn []string
}

// ExecutionCreateParams creates an execution. InTx, when set, runs inside the same
// transaction (the queue inserts its job there, so row and job exist together or not at all).
type ExecutionCreateParams struct {
	Execution *Execution
	InTx      func(ctx context.Context, tx *sql.Tx) error
}

// Store is the persistence seam. Every method takes ctx first and one params value. The
// service's records (API keys, audit log, trigger ticks, idempotency keys) are part of it, so
// the server can use them on any store.
type Store interface {
	APIKeyStore
	AuditStore
	TriggerStore

	WorkflowCreate(ctx context.Context, w *Workflow) error // ErrConflict on duplicate id
	WorkflowGet(ctx context.Context, id string) (*Workflow, error)
	WorkflowGetByName(ctx context.Context, name string) (*Workflow, error) // ErrNotFound; ErrAmbiguous
	WorkflowUpdate(ctx context.Context, w *Workflow) error
	WorkflowDelete(ctx context.Context, id string) error
	WorkflowList(ctx context.Context, p WorkflowListParams) ([]*Workflow, int, error) // rows, total

	ExecutionCreate(ctx context.Context, p ExecutionCreateParams) error
	ExecutionGet(ctx context.Context, id string) (*Execution, error)
	ExecutionUpdate(ctx context.Context, p ExecutionUpdateParams) error
	ExecutionList(ctx context.Context, p ExecutionListParams) ([]*Execution, int, error)
	// ExecutionLease takes or renews the lease of an execution for owner until the given
	// time. It fails with ErrLeased when another owner holds an unexpired lease.
	ExecutionLease(ctx context.Context, id, owner string, until time.Time) error
	// ExecutionRelease drops owner's lease (no error when it is not held).
	ExecutionRelease(ctx context.Context, id, owner string) error
	// ExecutionRenewLeases extends every lease owner holds; returns how many.
	ExecutionRenewLeases(ctx context.Context, owner string, until time.Time) (int, error)
	// ExecutionListOrphaned lists non-terminal executions in status running whose lease
	// expired before now (their worker died).
	ExecutionListOrphaned(ctx context.Context, now time.Time, limit int) ([]*Execution, error)
	ExecutionDeleteBefore(ctx context.Context, before time.Time, limit int) (int, error)

	// StepExecutionUpsert inserts or replaces the record with the same (ExecutionID, Path).
	StepExecutionUpsert(ctx context.Context, s *StepExecution) error
	// StepExecutionUpsertMany upserts every record in one transaction: all or none.
	StepExecutionUpsertMany(ctx context.Context, recs []*StepExecution) error
	StepExecutionList(ctx context.Context, executionID string) ([]*StepExecution, error) // by Seq
	StepExecutionGet(ctx context.Context, id string) (*StepExecution, error)
	// StepExecutionListByWorkflow returns one page (limit 0: 100) of the step executions of
	// every run of a workflow, newest StartedAt first, and how many there are.
	StepExecutionListByWorkflow(ctx context.Context, workflowID string, limit, offset int) ([]*StepExecution, int, error)

	// ConnectorCreate stores a new connector; ErrConflict when the id or the name is taken.
	ConnectorCreate(ctx context.Context, c *Connector) error
	ConnectorGet(ctx context.Context, id string) (*Connector, error)
	ConnectorGetByName(ctx context.Context, name string) (*Connector, error)
	ConnectorList(ctx context.Context) ([]*Connector, error) // by name
	// ConnectorUpdate replaces name, config, secrets and flags of an existing connector
	// (ErrNotFound; ErrConflict when the new name is taken).
	ConnectorUpdate(ctx context.Context, c *Connector) error
	ConnectorDelete(ctx context.Context, id string) error

	LogAppend(ctx context.Context, entries []*LogEntry) error
	LogList(ctx context.Context, executionID string, limit, offset int) ([]*LogEntry, int, error)

	// DB is the underlying handle, for the queue (River) which shares the database.
	DB() *sql.DB
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}
