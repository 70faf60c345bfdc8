// Package storetest is the one conformance suite every store driver must pass. A driver's
// own test calls Exercise with a function that opens a fresh, empty store; the suite checks
// every method of store.Store: round trips of every field, sentinel errors, ordering,
// pagination, leases, conditional updates, transaction rollback and concurrent writers.
// ExerciseShared adds the cases that need two handles on one database (exactly-once claims
// across nodes).
package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// Exercise runs the conformance suite. open must return a new, empty store for each call
// (each subtest gets its own) and close it when t ends.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"Handle", handleCases},
		{"Workflow", workflowCases},
		{"Execution", executionCases},
		{"Lease", leaseCases},
		{"StepExecution", stepCases},
		{"Log", logCases},
		{"Concurrency", concurrencyCases},
		{"Connector", connectorCases},
		{"APIKey", apiKeyCases},
		{"Audit", auditCases},
		{"Trigger", triggerCases},
		{"StepExecutionMany", []testCase{{"UpsertMany", testStepExecutionUpsertMany}}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.cases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
			}
		})
	}
}

// testCase is one subtest of the suite, run against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, s store.Store)
}

var handleCases = []testCase{
	{"DialectAndDB", func(t *testing.T, s store.Store) {
		require.Contains(t, []string{"sqlite", "postgres"}, s.Dialect())
		require.NotNil(t, s.DB())
		require.NoError(t, s.DB().PingContext(t.Context()))
	}},
}

// base is the suite's reference time: UTC with a microsecond fraction, the finest precision
// every driver keeps.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// at returns base shifted by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// raw returns s as raw JSON, keeping its exact bytes.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// newWorkflow returns a workflow with every field set.
func newWorkflow(id, name string) *store.Workflow {
	return &store.Workflow{
		ID: id, Name: name, Description: "Description of " + name,
		Enabled: true, Valid: true, YAML: "name: " + name + "\nsteps: []\n",
		Tags:      []string{"ops", "ünïcode"},
		CreatedAt: at(0), CreatedBy: "alice",
		UpdatedAt: at(time.Minute), UpdatedBy: "bob",
	}
}

// newExecution returns an execution with every field set.
func newExecution(id, workflowID, status string, created time.Time) *store.Execution {
	return &store.Execution{
		ID: id, WorkflowID: workflowID, WorkflowName: "wf " + workflowID,
		YAML: "name: x\n", Status: status,
		Inputs:      raw(`{"z": 1,  "a": [true, null, "\u00e9"]}`),
		Event:       raw(`{"alert":{"id":"a-1"}}`),
		Output:      raw(`[1,2.50,"three"]`),
		Error:       raw(`{"type":"HttpError","message":"boom"}`),
		Metadata:    raw(`{}`),
		TriggeredBy: "manual", ExecutedBy: "carol", IsTestRun: true,
		ConcurrencyKey: "key-1", ParentExecutionID: "parent-1", CancelRequested: true,
		CreatedAt: created, StartedAt: ptr(created.Add(time.Second)),
		FinishedAt: ptr(created.Add(2 * time.Second)), ResumeAt: ptr(created.Add(time.Hour)),
		LeaseOwner: "node-a", LeaseUntil: ptr(created.Add(3 * time.Second)),
	}
}

// newBareExecution returns an execution with only the required fields set.
func newBareExecution(id, workflowID, status string, created time.Time) *store.Execution {
	return &store.Execution{ID: id, WorkflowID: workflowID, Status: status, CreatedAt: created}
}

// newStep returns a step execution of executionID at path with every field set but ID.
func newStep(executionID, path string, seq int) *store.StepExecution {
	return &store.StepExecution{
		ExecutionID: executionID, Path: path, StepName: "step-" + path, StepType: "http",
		Attempt: 1, Seq: seq, Status: store.StatusCompleted,
		Input: raw(`{"url":"https://example.test"}`), Output: raw(`{"status": 200}`),
		Error: raw(`null`), State: raw(`{"i":3}`),
		StartedAt: at(time.Duration(seq) * time.Second), FinishedAt: ptr(at(time.Duration(seq)*time.Second + 250*time.Millisecond)),
		DurationMs: 250,
	}
}

// mustCreateExecution creates e or fails the test.
func mustCreateExecution(t *testing.T, s store.Store, e *store.Execution) {
	t.Helper()
	require.NoError(t, s.ExecutionCreate(t.Context(), store.ExecutionCreateParams{Execution: e}))
}

// executionIDs returns the IDs of list, in order.
func executionIDs(list []*store.Execution) []string {
	ids := make([]string, 0, len(list))
	for _, e := range list {
		ids = append(ids, e.ID)
	}
	return ids
}

// seqID names the i-th record of a kind, sortable as text.
func seqID(kind string, i int) string { return fmt.Sprintf("%s-%03d", kind, i) }
