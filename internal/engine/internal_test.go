package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/workflow"
)

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		name    string
		retry   workflow.Retry
		attempt int
		want    time.Duration
	}{
		{"fixed", workflow.Retry{Delay: 5 * time.Second}, 3, 5 * time.Second},
		{"exponential default multiplier", workflow.Retry{Delay: time.Second, Strategy: "exponential"}, 3, 4 * time.Second},
		{"exponential multiplier 3", workflow.Retry{Delay: time.Second, Strategy: "exponential", Multiplier: 3}, 3, 9 * time.Second},
		{"capped", workflow.Retry{Delay: time.Second, Strategy: "exponential", MaxDelay: 3 * time.Second}, 5, 3 * time.Second},
		{"no delay", workflow.Retry{}, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, retryDelay(&tc.retry, tc.attempt, "seed"))
		})
	}
	jit := &workflow.Retry{Delay: 10 * time.Second, Jitter: true}
	a, b := retryDelay(jit, 1, "exec/call#1"), retryDelay(jit, 1, "exec/call#1")
	require.Equal(t, a, b, "jitter is deterministic per attempt so a replay waits the same")
	require.GreaterOrEqual(t, a, 5*time.Second)
	require.LessOrEqual(t, a, 10*time.Second)
}

func TestFormatting(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Second: "2s", 1500 * time.Millisecond: "1500ms", 5 * time.Minute: "5m", 6 * time.Hour: "6h", 48 * time.Hour: "2d",
	} {
		require.Equal(t, want, formatDuration(d))
	}
	for n, want := range map[int64]string{10 << 20: "10mb", 512 << 10: "512kb", 100: "100b", 1 << 30: "1gb"} {
		require.Equal(t, want, formatSize(n))
	}
	for v, want := range map[any]string{nil: "", "x": "x", 2.0: "2", 2.5: "2.5", true: "true", 7: "7"} {
		require.Equal(t, want, matchString(v))
	}
}

func TestCompileDiagnostics(t *testing.T) {
	e := New(nil, nil, map[string]StepExecutor{"console": StepExecutorFunc(nil)}, nil, nil, Options{})
	step := func(name, typ string) *workflow.Step { return &workflow.Step{Name: name, Type: typ} }
	tests := []struct {
		name  string
		steps []*workflow.Step
		rule  string
	}{
		{"unknown type", []*workflow.Step{step("a", "nope")}, "schemaViolation"},
		{"duplicate name", []*workflow.Step{step("a", "console"), step("a", "console")}, "duplicateStepName"},
		{"break outside loop", []*workflow.Step{step("b", "loop.break")}, "invalidStepProperty"},
		{"foreach without steps", []*workflow.Step{{Name: "l", Type: "foreach", Foreach: "[]"}}, "invalidStepProperty"},
		{"parallel mode", []*workflow.Step{{Name: "p", Type: "parallel", Mode: "fast", Branches: []*workflow.Branch{{Name: "x", Steps: []*workflow.Step{step("c", "console")}}}}}, "invalidParallelMode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, diags := e.Compile(&workflow.Workflow{Name: "w", Steps: tc.steps})
			require.Nil(t, plan)
			require.NotEmpty(t, diags)
			require.Equal(t, tc.rule, diags[0].Rule)
		})
	}
	plan, diags := e.Compile(&workflow.Workflow{Name: "w", Steps: []*workflow.Step{
		{Name: "l", Type: "while", Condition: "true", Steps: []*workflow.Step{step("b", "loop.break")}},
	}})
	require.Empty(t, diags)
	require.NotNil(t, plan)
}
