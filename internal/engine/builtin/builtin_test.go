package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/kql"
	"github.com/errand-dev/errand/internal/workflow"
)

// testEvaluator is a test-only stand-in for the engine's Evaluator (internal/engine/
// evaluator.go, built on internal/template): Condition uses the real KQL evaluator, and
// rendering understands only `{{ path }}` interpolation and whole-value `${{ path }}`,
// which is all these tests need. Swap it for the real evaluator once that exists.
type testEvaluator struct{}

var tmplRef = regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`)

func (testEvaluator) RenderValue(v any, data map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		if inner, ok := strings.CutPrefix(strings.TrimSpace(t), "${{"); ok {
			return lookup(data, strings.TrimSpace(strings.TrimSuffix(inner, "}}"))), nil
		}
		var failed error
		out := tmplRef.ReplaceAllStringFunc(t, func(m string) string {
			path := tmplRef.FindStringSubmatch(m)[1]
			if strings.Contains(path, "|") {
				failed = fmt.Errorf("filters are not supported by testEvaluator: %q", path)
			}
			val := lookup(data, path)
			if s, ok := val.(string); ok {
				return s
			}
			if val == nil {
				return ""
			}
			b, _ := json.Marshal(val)
			return string(b)
		})
		return out, failed
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			r, err := testEvaluator{}.RenderValue(e, data)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := testEvaluator{}.RenderValue(e, data)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (testEvaluator) Eval(expr string, data map[string]any) (any, error) {
	return lookup(data, expr), nil
}

func (e testEvaluator) Condition(cond any, data map[string]any) (bool, error) {
	switch t := cond.(type) {
	case bool:
		return t, nil
	case nil:
		return false, nil
	case string:
		r, err := e.RenderValue(t, data)
		if err != nil {
			return false, err
		}
		if s, ok := r.(string); ok {
			return kql.Eval(s, data)
		}
		b, _ := r.(bool)
		return b, nil
	}
	return false, fmt.Errorf("condition must be a string or boolean, got %T", cond)
}

// lookup resolves a dotted path with [n] indexes.
func lookup(data map[string]any, path string) any {
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	var cur any = data
	for seg := range strings.SplitSeq(path, ".") {
		switch t := cur.(type) {
		case map[string]any:
			cur = t[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			cur = t[i]
		default:
			return nil
		}
	}
	return cur
}

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
		Eval:    testEvaluator{},
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
