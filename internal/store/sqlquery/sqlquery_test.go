package sqlquery

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

// testCodec encodes times as Unix seconds and booleans as "T"/"F", so tests see which
// values went through the codec.
type testCodec struct{}

func (testCodec) Time(t time.Time) any { return t.Unix() }
func (testCodec) NullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}
func (testCodec) Bool(b bool) any { return map[bool]string{true: "T", false: "F"}[b] }

func TestExecutionSet(t *testing.T) {
	set, args := ExecutionSet(store.ExecutionUpdateParams{ID: "x"}, testCodec{})
	require.Equal(t, "id = id", set)
	require.Empty(t, args)

	status, yes := "running", true
	at := time.Unix(100, 0)
	var clear *time.Time
	set, args = ExecutionSet(store.ExecutionUpdateParams{Status: &status, StartedAt: &at, ResumeAt: &clear,
		CancelRequested: &yes, Output: []byte(`{"a":1}`)}, testCodec{})
	require.Equal(t, "status = ?, output = ?, started_at = ?, resume_at = ?, cancel_requested = ?", set)
	require.Equal(t, []any{"running", `{"a":1}`, int64(100), nil, "T"}, args)
}

func TestExecutionWhere(t *testing.T) {
	no := false
	after := time.Unix(5, 0)
	where, args := ExecutionWhere(store.ExecutionListParams{WorkflowID: "w", Statuses: []string{"failed", "completed"},
		TestRun: &no, StartedAfter: &after}, testCodec{})
	require.Equal(t, "WHERE 1 = 1 AND workflow_id = ? AND status IN (?, ?) AND is_test_run = ? AND started_at >= ?", where)
	require.Equal(t, []any{"w", "failed", "completed", "F", int64(5)}, args)
}

func TestLikePatternEscapesWildcards(t *testing.T) {
	require.Equal(t, `%50\%\_off\\now%`, LikePattern(`50%_off\now`))
}
