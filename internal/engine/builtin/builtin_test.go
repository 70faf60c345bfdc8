package builtin

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/template"
	"github.com/errand-dev/errand/internal/workflow"
)

// evaluator is the engine's real Evaluator: Liquid from internal/template, KQL from
// internal/kql.
var evaluator = engine.NewEvaluator(template.New(template.DefaultLimits()))

// logLine is one recorded log call.
type logLine struct{ level, message string }

// recordLogger collects log lines.
type recordLogger struct{ lines []logLine }

func (l *recordLogger) Log(level, message string, _ map[string]any) {
	l.lines = append(l.lines, logLine{level, message})
}

// input builds a StepInput the way the engine would: for data.map/filter/find `with` is
// passed raw (in.With is the raw map as well).
func input(stepType string, with, extra map[string]any) engine.StepInput {
	return engine.StepInput{
		Step:    &workflow.Step{Name: "s1", Type: stepType, With: with, Extra: extra},
		With:    with,
		Extra:   extra,
		Context: map[string]any{"consts": map[string]any{"min": 2, "prefix": "P-"}},
		Eval:    evaluator,
		Log:     &recordLogger{},
	}
}

// run executes one registered step type.
func run(t *testing.T, stepType string, in engine.StepInput) (any, error) {
	t.Helper()
	reg := map[string]engine.StepExecutor{}
	Register(reg)
	ex, ok := reg[stepType]
	require.True(t, ok, "step type %s not registered", stepType)
	return ex.Run(context.Background(), in)
}

// requireStepError checks that err is a *engine.StepError of the given type whose message
// contains want.
func requireStepError(t *testing.T, err error, typ, want string) {
	t.Helper()
	require.Error(t, err)
	se, ok := err.(*engine.StepError)
	require.True(t, ok, "error %T %v is not a *engine.StepError", err, err)
	require.Equal(t, typ, se.Type)
	require.Contains(t, se.Message, want)
	if typ == errTypeInvalidParams || typ == errTypeNotFound {
		require.True(t, se.Permanent)
	}
}

func TestRegisterCoversEveryType(t *testing.T) {
	reg := map[string]engine.StepExecutor{}
	Register(reg)
	for _, typ := range []string{
		"console", "data.set", "data.map", "data.filter", "data.find", "data.aggregate",
		"data.concat", "data.dedupe", "data.parseJson", "data.stringifyJson",
		"data.regexExtract", "data.regexReplace",
	} {
		require.Contains(t, reg, typ)
	}
	require.Len(t, reg, 12)
}

func TestCancelledContextStopsLoops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := make([]any, 5)
	for i := range items {
		items[i] = map[string]any{"n": i}
	}
	reg := map[string]engine.StepExecutor{}
	Register(reg)
	in := input("data.filter", map[string]any{"condition": "item.n > 1"}, map[string]any{"items": items})
	_, err := reg["data.filter"].Run(ctx, in)
	require.ErrorIs(t, err, context.Canceled)
}
