package workflow

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// wantDiag is the part of a diagnostic a table test pins down.
type wantDiag struct {
	rule      string
	line, col int
	contains  string
}

// requireDiags checks that diags are exactly want, in order.
func requireDiags(t *testing.T, want []wantDiag, diags []Diagnostic) {
	t.Helper()
	require.Len(t, diags, len(want), "diagnostics: %+v", diags)
	for i, w := range want {
		d := diags[i]
		require.Equal(t, w.rule, d.Rule, "diagnostic %d: %+v", i, d)
		require.Equal(t, w.line, d.Line, "line of diagnostic %d: %+v", i, d)
		require.Equal(t, w.col, d.Col, "col of diagnostic %d: %+v", i, d)
		require.Contains(t, d.Message, w.contains, "diagnostic %d", i)
	}
}

func TestParseDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantDiag
	}{
		{"syntax error", "name: a\nsteps: [\n  {name: x\nfoo: 1\n", []wantDiag{{RuleYAMLSyntaxError, 4, 4, "YAML syntax error"}}},
		{"bad indentation", "name: a\n steps: 1\n", []wantDiag{{RuleYAMLSyntaxError, 2, 7, "YAML syntax error"}}},
		{"version number", "version: 1\nname: a\n", []wantDiag{{RuleSchemaViolation, 1, 10, `must be the string "1"`}}},
		{"version other", "version: '2'\nname: a\n", []wantDiag{{RuleSchemaViolation, 1, 10, `must be the string "1"`}}},
		{"name not string", "name: [a]\n", []wantDiag{{RuleSchemaViolation, 1, 7, "`name` must be a string, not a list"}}},
		{"enabled not bool", "enabled: yes please\n", []wantDiag{{RuleSchemaViolation, 1, 10, "`enabled` must be true or false"}}},
		{"unknown top-level key", "name: a\nstepz: []\n", []wantDiag{{RuleSchemaViolation, 2, 1, "did you mean `steps`?"}}},
		{"duplicate key", "name: a\nname: b\n", []wantDiag{{RuleYAMLSyntaxError, 2, 1, "Map keys must be unique"}}},
		{"empty document", "", []wantDiag{{RuleSchemaViolation, 1, 1, "empty"}}},
		{"root not mapping", "- a\n", []wantDiag{{RuleSchemaViolation, 1, 1, "must be a mapping"}}},
		{"every too short", "triggers:\n  - type: scheduled\n    with: {every: 30s}\n", []wantDiag{{RuleSchemaViolation, 3, 19, "Scheduled interval must be at least 1 minute"}}},
		{"rrule freq", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: HOURLY, interval: 1}\n", []wantDiag{{RuleSchemaViolation, 4, 21, "`rrule.freq` must be one of"}}},
		{"rrule interval", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: DAILY, interval: 0}\n", []wantDiag{{RuleSchemaViolation, 4, 38, "at least 1"}}},
		{"rrule tzid", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: DAILY, interval: 1, tzid: Mars/Base}\n", []wantDiag{{RuleSchemaViolation, 4, 47, "IANA time zone"}}},
		{"rrule byhour", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: DAILY, interval: 1, byhour: [24]}\n", []wantDiag{{RuleSchemaViolation, 4, 50, "between 0 and 23"}}},
		{"rrule byweekday", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: WEEKLY, interval: 1, byweekday: [MON]}\n", []wantDiag{{RuleSchemaViolation, 4, 54, "`rrule.byweekday` must be one of"}}},
		{"rrule bymonthday", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: MONTHLY, interval: 1, bymonthday: [-1, 0]}\n", []wantDiag{{RuleSchemaViolation, 4, 60, "between 1 and 31"}}},
		{"rrule dtstart", "triggers:\n  - type: scheduled\n    with:\n      rrule: {freq: DAILY, interval: 1, dtstart: tomorrow}\n", []wantDiag{{RuleSchemaViolation, 4, 50, "rrule.dtstart"}}},
		{"manual unknown key", "triggers:\n  - type: manual\n    input: []\n", []wantDiag{{RuleSchemaViolation, 3, 5, "did you mean `inputs`?"}}},
		{"event workflowEvents", "triggers:\n  - type: workflows.failed\n    on: {workflowEvents: never}\n", []wantDiag{{RuleSchemaViolation, 3, 26, "on.workflowEvents"}}},
		{"webhook auth type", "triggers:\n  - type: webhook\n    auth: {type: oauth}\n", []wantDiag{{RuleSchemaViolation, 3, 18, "auth.type"}}},
		{"legacy input type", "inputs:\n  - name: a\n    type: object\n", []wantDiag{{RuleSchemaViolation, 3, 11, "`type` must be one of"}}},
		{"legacy input default", "inputs:\n  - name: a\n    type: number\n    default: x\n", []wantDiag{{RuleInvalidDefaultValue, 4, 14, "must be a number value"}}},
		{"choice without options", "inputs:\n  - name: a\n    type: choice\n", []wantDiag{{RuleSchemaViolation, 2, 5, "non-empty `options`"}}},
		{"choice default not option", "inputs:\n  - name: a\n    type: choice\n    options: [x, y]\n    default: z\n", []wantDiag{{RuleInvalidDefaultValue, 5, 14, "choice"}}},
		{"duplicate input", "inputs:\n  - {name: a, type: string}\n  - {name: a, type: string}\n", []wantDiag{{RuleSchemaViolation, 3, 5, "declared twice"}}},
		{"json schema required", "inputs:\n  properties:\n    a: {type: string}\n  required: [b]\n", []wantDiag{{RuleSchemaViolation, 4, 14, "`b` is not declared"}}},
		{"settings timeout", "settings:\n  timeout: 5 minutes\n", []wantDiag{{RuleSchemaViolation, 2, 12, "invalid duration"}}},
		{"settings max-step-size", "settings:\n  max-step-size: 10tb\n", []wantDiag{{RuleSchemaViolation, 2, 18, "invalid size"}}},
		{"settings liquid max", "settings:\n  liquid: {renderLimit: 5000}\n", []wantDiag{{RuleSchemaViolation, 2, 25, "between 1 and 2000"}}},
		{"settings concurrency strategy", "settings:\n  concurrency: {strategy: wait}\n", []wantDiag{{RuleSchemaViolation, 2, 27, "concurrency.strategy"}}},
		{"settings timezone", "settings:\n  timezone: Nowhere\n", []wantDiag{{RuleSchemaViolation, 2, 13, "IANA"}}},
		{"step unknown key onFailure", "steps:\n  - name: a\n    type: console\n    onFailure: {continue: true}\n", []wantDiag{{RuleSchemaViolation, 4, 5, "did you mean `on-failure`?"}}},
		{"step unknown key on_failure", "steps:\n  - name: a\n    type: console\n    on_failure: {continue: true}\n", []wantDiag{{RuleSchemaViolation, 4, 5, "did you mean `on-failure`?"}}},
		{"step unknown key connector_id", "steps:\n  - name: a\n    type: slack\n    connector_id: x\n", []wantDiag{{RuleSchemaViolation, 4, 5, "did you mean `connector-id`?"}}},
		{"step timeout", "steps:\n  - name: a\n    type: console\n    timeout: 1.5s\n", []wantDiag{{RuleSchemaViolation, 4, 14, "`timeout` has an invalid duration"}}},
		{"step with not mapping", "steps:\n  - name: a\n    type: console\n    with: [1]\n", []wantDiag{{RuleSchemaViolation, 4, 11, "`with` must be a mapping"}}},
		{"retry max-attempts", "steps:\n  - name: a\n    type: console\n    on-failure: {retry: {max-attempts: 0}}\n", []wantDiag{{RuleSchemaViolation, 4, 40, "at least 1"}}},
		{"retry strategy", "steps:\n  - name: a\n    type: console\n    on-failure: {retry: {max-attempts: 2, strategy: linear}}\n", []wantDiag{{RuleSchemaViolation, 4, 53, "retry.strategy"}}},
		{"retry multiplier", "steps:\n  - name: a\n    type: console\n    on-failure: {retry: {max-attempts: 2, multiplier: 0.5}}\n", []wantDiag{{RuleSchemaViolation, 4, 55, "at least 1"}}},
		{"continue string", "steps:\n  - name: a\n    type: console\n    on-failure: {continue: maybe}\n", []wantDiag{{RuleSchemaViolation, 4, 28, "`continue` must be true or false"}}},
		{"max-iterations on-limit", "steps:\n  - name: a\n    type: while\n    max-iterations: {limit: 3, on-limit: stop}\n", []wantDiag{{RuleSchemaViolation, 4, 42, "on-limit"}}},
		{"parallel mode", "steps:\n  - name: a\n    type: parallel\n    mode: race\n", []wantDiag{{RuleInvalidParallelMode, 4, 11, "fail-fast"}}},
		{"parallel concurrency", "steps:\n  - name: a\n    type: parallel\n    concurrency: {max: 50}\n", []wantDiag{{RuleSchemaViolation, 4, 24, "between 1 and 20"}}},
		{"switch case key", "steps:\n  - name: a\n    type: switch\n    cases:\n      - case: x\n        steps: []\n", []wantDiag{{RuleSchemaViolation, 5, 9, "did you mean `match`?"}}},
		{"workflow.output status", "steps:\n  - name: a\n    type: workflow.output\n    status: done\n", []wantDiag{{RuleSchemaViolation, 4, 13, "`status` must be one of"}}},
		{"alias bomb", aliasBomb(), []wantDiag{{RuleSchemaViolation, 0, 0, "too large"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Parse([]byte(tt.src))
			if tt.name == "alias bomb" {
				require.NotEmpty(t, diags)
				require.Contains(t, diags[0].Message, tt.want[0].contains)
				return
			}
			requireDiags(t, tt.want, diags)
		})
	}
}

// aliasBomb builds a "billion laughs" document: 10·4^8 nodes once expanded.
func aliasBomb() string {
	s := "name: x\nconsts:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		prev := fmt.Sprintf("*a%d", i-1)
		s += fmt.Sprintf("  a%d: &a%d [%s, %s, %s, %s]\n", i, i, prev, prev, prev, prev)
	}
	return s + "  bomb: *a8\n"
}

func TestParseModel(t *testing.T) {
	src := `version: "1"
name: demo
enabled: false
tags: [a, b]
triggers:
  - type: manual
    inputs:
      - name: who
        type: string
        required: true
        default: world
      - name: level
        type: choice
        options: [low, high]
      - name: hosts
        type: array
        minItems: 1
  - type: scheduled
    with: {every: 90s}
  - type: scheduled
    with:
      rrule: {freq: WEEKLY, interval: 2, tzid: Europe/Paris, byweekday: [MO, FR], byhour: [9], byminute: [30], bymonthday: [-1]}
  - type: workflows.failed
    on: {condition: "event.workflow.isErrorHandler : false", workflowEvents: allow-all}
  - type: webhook
    auth: {type: basic, username: u, password: p}
consts: {base: "https://x", n: 3}
settings:
  timeout: 1h30m
  timezone: UTC
  max-step-size: 2mb
  concurrency: {key: "{{ inputs.who }}", strategy: queue, max: 2, queue-size: 10, queue-ttl: 1h}
  liquid: {parseLimit: 1000, renderLimit: 500, memoryLimit: 1000000}
  on-failure: {continue: "true"}
steps:
  - name: loop
    type: foreach
    foreach: "{{ consts.items }}"
    max-iterations: 10
    iteration-timeout: 2s500ms
    iteration-on-failure: {continue: true}
    steps:
      - name: call
        type: http
        connector-id: api
        timeout: 30s
        max-step-size: 1kb
        with: {url: "{{ foreach.item }}"}
        on-failure:
          retry: {max-attempts: 3, delay: 1s, strategy: exponential, max-delay: 10s, jitter: true, condition: "error.type: X"}
          fallback:
            - name: note
              type: console
              with: {message: failed}
  - name: poll
    type: while
    condition: "steps.poll_check.output.done : false"
    max-iterations: {limit: 5, on-limit: fail}
    steps:
      - {name: poll_check, type: console}
  - name: route
    type: switch
    expression: "{{ inputs.level }}"
    cases:
      - match: low
        steps: [{name: low_step, type: console}]
      - match: 2
        steps: [{name: two_step, type: console}]
    default: [{name: default_step, type: console}]
  - name: fan
    type: parallel
    mode: settled
    concurrency: {max: 4}
    branch-timeout: 1m
    branches:
      - name: left
        steps: [{name: left_step, type: wait, with: {duration: 1s}}]
  - name: merge_items
    type: data.concat
    arrays: ["{{ consts.a }}", "{{ consts.b }}"]
  - name: done
    type: workflow.output
    status: failed
    with: {result: ok}
`
	wf, diags := Parse([]byte(src))
	require.Empty(t, diags)
	require.Equal(t, "demo", wf.Name)
	require.False(t, wf.Enabled)
	require.Equal(t, []string{"a", "b"}, wf.Tags)
	require.Len(t, wf.Triggers, 5)
	require.Equal(t, Pos{Line: 6, Col: 5}, wf.Triggers[0].Pos)
	require.Equal(t, 90*time.Second, wf.Triggers[1].Interval)
	require.Equal(t, &RRule{Freq: "WEEKLY", Interval: 2, TZID: "Europe/Paris", ByWeekday: []string{"MO", "FR"}, ByHour: []int{9}, ByMinute: []int{30}, ByMonthDay: []int{-1}}, wf.Triggers[2].RRule)
	require.Equal(t, "event.workflow.isErrorHandler : false", wf.Triggers[3].Condition)
	require.Equal(t, "allow-all", wf.Triggers[3].WorkflowEvents)
	require.Equal(t, map[string]any{"type": "basic", "username": "u", "password": "p"}, wf.Triggers[4].Auth)

	require.Equal(t, []string{"who", "level", "hosts"}, wf.Inputs.Order)
	require.Equal(t, []string{"who"}, wf.Inputs.Required)
	require.False(t, wf.Inputs.AdditionalProperties)
	require.Equal(t, map[string]any{"type": "string", "default": "world"}, wf.Inputs.Properties["who"])
	require.Equal(t, map[string]any{"type": "string", "enum": []any{"low", "high"}}, wf.Inputs.Properties["level"])
	require.Equal(t, 1, wf.Inputs.Properties["hosts"].(map[string]any)["minItems"])
	require.Equal(t, map[string]any{"base": "https://x", "n": 3}, wf.Consts)

	require.Equal(t, 90*time.Minute, wf.Settings.Timeout)
	require.Equal(t, int64(2<<20), wf.Settings.MaxStepSize)
	require.Equal(t, &Concurrency{Key: "{{ inputs.who }}", Strategy: "queue", Max: 2, QueueSize: 10, QueueTTL: time.Hour}, wf.Settings.Concurrency)
	require.Equal(t, LiquidLimits{ParseLimit: 1000, RenderLimit: 500, MemoryLimit: 1000000}, wf.Settings.Liquid)
	require.True(t, wf.Settings.OnFailure.Continue)

	loop := wf.Steps[0]
	require.Equal(t, "steps.0", loop.Path)
	require.Equal(t, Pos{Line: 36, Col: 5}, loop.Pos)
	require.Equal(t, &MaxIterations{Limit: 10, OnLimit: "continue"}, loop.MaxIterations)
	require.Equal(t, 2500*time.Millisecond, loop.IterationTimeout)
	require.True(t, loop.IterationOnFailure.Continue)
	call := loop.Steps[0]
	require.Equal(t, "steps.0.steps.0", call.Path)
	require.Equal(t, "api", call.ConnectorID)
	require.Equal(t, int64(1024), call.MaxStepSize)
	require.Equal(t, &Retry{MaxAttempts: 3, Delay: time.Second, Strategy: "exponential", Multiplier: 2, MaxDelay: 10 * time.Second, Jitter: true, Condition: "error.type: X"}, call.OnFailure.Retry)
	require.Equal(t, "steps.0.steps.0.on-failure.fallback.0", call.OnFailure.Fallback[0].Path)

	require.Equal(t, &MaxIterations{Limit: 5, OnLimit: "fail"}, wf.Steps[1].MaxIterations)
	route := wf.Steps[2]
	require.Equal(t, 2, route.Cases[1].Match)
	require.Equal(t, "steps.2.cases.1.steps.0", route.Cases[1].Steps[0].Path)
	require.Equal(t, "steps.2.default.0", route.Default[0].Path)
	fan := wf.Steps[3]
	require.Equal(t, "settled", fan.Mode)
	require.Equal(t, 4, fan.MaxConcurrency)
	require.Equal(t, "steps.3.branches.0.steps.0", fan.Branches[0].Steps[0].Path)
	require.Equal(t, map[string]any{"arrays": []any{"{{ consts.a }}", "{{ consts.b }}"}}, wf.Steps[4].Extra)
	require.Equal(t, "failed", wf.Steps[5].Status)
}

func TestParseInputsLocations(t *testing.T) {
	top := "inputs:\n  - {name: a, type: string}\ntriggers:\n  - type: manual\n"
	wf, diags := Parse([]byte(top))
	require.Empty(t, diags)
	require.Equal(t, []string{"a"}, wf.Inputs.Order)

	both := "inputs:\n  - {name: a, type: string}\ntriggers:\n  - type: manual\n    inputs:\n      properties: {b: {type: number}}\n"
	wf, diags = Parse([]byte(both))
	requireDiags(t, []wantDiag{{RuleSchemaViolation, 2, 3, "both at the top level"}}, diags)
	require.Equal(t, []string{"b"}, wf.Inputs.Order)
	require.True(t, wf.Inputs.AdditionalProperties)
}

func TestParseIgnoresTemplateMetadata(t *testing.T) {
	_, diags := Parse([]byte("template-metadata: {slug: x}\nname: a\n"))
	require.Empty(t, diags)
}
