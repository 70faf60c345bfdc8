// Package workflow is Errand's workflow language: it turns Kibana Workflows YAML into a model
// that keeps the position of every field, validates it structurally and by reference, and
// describes the language as a JSON Schema. It never imports the engine, the store or
// connectors: checking a step against connector specs is engine.Compile's job.
package workflow

import "time"

// Pos is a 1-based line and column in the YAML source.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Workflow is a parsed workflow document. Values under `with`, `consts`, `inputs` defaults and
// other free-form maps are plain Go values as decoded from YAML (map[string]any, []any,
// string, int, float64, bool, nil); templates inside them are not rendered here.
type Workflow struct {
	Version     string         `json:"version,omitempty"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Enabled     bool           `json:"enabled"`
	Tags        []string       `json:"tags,omitempty"`
	Triggers    []*Trigger     `json:"triggers"`
	Inputs      *InputSchema   `json:"inputs,omitempty"` // top level or from the manual trigger, normalized
	Consts      map[string]any `json:"consts,omitempty"`
	Outputs     *InputSchema   `json:"outputs,omitempty"`
	Settings    Settings       `json:"settings"`
	Steps       []*Step        `json:"steps"`
	Pos         Pos            `json:"-"`

	// source maps document paths ("steps.0.with.url") to their YAML nodes; nil for a
	// Workflow built in code. Validate uses it to place diagnostics.
	source *sourceMap
}

// Trigger is one entry of `triggers`.
type Trigger struct {
	Type      string         `json:"type"` // manual | scheduled | alert | webhook | <event type>
	Every     string         `json:"every,omitempty"`
	Interval  time.Duration  `json:"-"` // parsed Every
	RRule     *RRule         `json:"rrule,omitempty"`
	Condition string         `json:"condition,omitempty"` // on.condition (KQL)
	On        map[string]any `json:"on,omitempty"`
	Inputs    *InputSchema   `json:"inputs,omitempty"` // manual / webhook
	Auth      map[string]any `json:"auth,omitempty"`   // webhook auth
	// Idempotency is a webhook's {key (Liquid over the request), window (duration)}.
	Idempotency map[string]any `json:"idempotency,omitempty"`
	With        map[string]any `json:"with,omitempty"`
	Pos         Pos            `json:"-"`

	// EventType is the manual trigger's optional registered event id (main only).
	EventType string `json:"eventType,omitempty"`
	// WorkflowEvents is an event trigger's on.workflowEvents: ignore | avoid-loop | allow-all
	// (empty means the default, avoid-loop).
	WorkflowEvents string `json:"workflowEvents,omitempty"`
	// Path is the trigger's location in the document, e.g. "triggers.1".
	Path string `json:"-"`
}

// RRule is the `scheduled` trigger's recurrence rule.
type RRule struct {
	Freq       string   `json:"freq"`
	Interval   int      `json:"interval"`
	TZID       string   `json:"tzid,omitempty"`
	DTStart    string   `json:"dtstart,omitempty"`
	ByHour     []int    `json:"byhour,omitempty"`
	ByMinute   []int    `json:"byminute,omitempty"`
	ByWeekday  []string `json:"byweekday,omitempty"`
	ByMonthDay []int    `json:"bymonthday,omitempty"`
}

// InputSchema is the JSON-Schema form of inputs or outputs; the legacy list form is
// normalized into it (choice → enum, array → items anyOf).
type InputSchema struct {
	Properties           map[string]any `json:"properties"`
	Order                []string       `json:"-"` // property names in source order
	Required             []string       `json:"required,omitempty"`
	AdditionalProperties bool           `json:"additionalProperties"`
	Definitions          map[string]any `json:"definitions,omitempty"`
}

// Settings is the workflow's `settings` block.
type Settings struct {
	Timeout     time.Duration `json:"timeout,omitempty"` // 0: engine default
	Timezone    string        `json:"timezone,omitempty"`
	Concurrency *Concurrency  `json:"concurrency,omitempty"`
	MaxStepSize int64         `json:"maxStepSize,omitempty"` // bytes; 0: engine default
	OnFailure   *OnFailure    `json:"onFailure,omitempty"`
	Liquid      LiquidLimits  `json:"liquid,omitempty"`
}

// LiquidLimits overrides the template limits for one workflow (0: default).
type LiquidLimits struct {
	ParseLimit  int   `json:"parseLimit,omitempty"`  // characters
	RenderLimit int   `json:"renderLimit,omitempty"` // milliseconds
	MemoryLimit int64 `json:"memoryLimit,omitempty"` // bytes
}

// Concurrency is `settings.concurrency`.
type Concurrency struct {
	Key       string        `json:"key,omitempty"`
	Strategy  string        `json:"strategy,omitempty"` // drop | cancel-in-progress | queue
	Max       int           `json:"max,omitempty"`      // default 1
	QueueSize int           `json:"queueSize,omitempty"`
	QueueTTL  time.Duration `json:"queueTtl,omitempty"`
}

// OnFailure is a step's (or the workflow's default) failure handling.
type OnFailure struct {
	Retry    *Retry  `json:"retry,omitempty"`
	Fallback []*Step `json:"fallback,omitempty"`
	Continue bool    `json:"continue,omitempty"`
}

// Retry is `on-failure.retry`. MaxAttempts counts every attempt, the first included.
type Retry struct {
	MaxAttempts int           `json:"maxAttempts"`
	Delay       time.Duration `json:"delay,omitempty"`
	Strategy    string        `json:"strategy,omitempty"` // fixed | exponential
	Multiplier  float64       `json:"multiplier,omitempty"`
	MaxDelay    time.Duration `json:"maxDelay,omitempty"`
	Jitter      bool          `json:"jitter,omitempty"`
	Condition   string        `json:"condition,omitempty"`
}

// MaxIterations is a loop's cap; a bare number means on-limit continue.
type MaxIterations struct {
	Limit   int    `json:"limit"`
	OnLimit string `json:"onLimit"` // continue | fail
}

// Step is one step at any nesting level. Fields that only some types use are zero elsewhere.
type Step struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	With        map[string]any `json:"with,omitempty"`
	ConnectorID string         `json:"connectorId,omitempty"`
	If          string         `json:"if,omitempty"`
	Foreach     any            `json:"foreach,omitempty"` // string expression or literal array
	Timeout     time.Duration  `json:"timeout,omitempty"`
	MaxStepSize int64          `json:"maxStepSize,omitempty"`
	OnFailure   *OnFailure     `json:"onFailure,omitempty"`

	// Loops (foreach, while).
	MaxIterations      *MaxIterations `json:"maxIterations,omitempty"`
	IterationTimeout   time.Duration  `json:"iterationTimeout,omitempty"`
	IterationOnFailure *OnFailure     `json:"iterationOnFailure,omitempty"`

	// Flow control bodies.
	Condition      string        `json:"condition,omitempty"`   // if, while
	Steps          []*Step       `json:"steps,omitempty"`       // if, foreach, while, parallel(foreach)
	Else           []*Step       `json:"else,omitempty"`        // if
	Expression     string        `json:"expression,omitempty"`  // switch
	Cases          []*SwitchCase `json:"cases,omitempty"`       // switch
	Default        []*Step       `json:"default,omitempty"`     // switch
	Branches       []*Branch     `json:"branches,omitempty"`    // parallel
	Mode           string        `json:"mode,omitempty"`        // parallel: fail-fast | settled
	MaxConcurrency int           `json:"concurrency,omitempty"` // parallel (0: default 5)
	BranchTimeout  time.Duration `json:"branchTimeout,omitempty"`
	Status         string        `json:"status,omitempty"`  // workflow.output
	Sources        []string      `json:"sources,omitempty"` // merge

	// Extra holds other top-level keys some step types take (data.* `items`, `source`,
	// `arrays`, `strategy`, ...), decoded as plain values.
	Extra map[string]any `json:"extra,omitempty"`

	Pos Pos `json:"-"`
	// Path is the step's location in the document, e.g. "steps.2.steps.0".
	Path string `json:"-"`
}

// SwitchCase is one `cases` entry of a switch step.
type SwitchCase struct {
	Match any     `json:"match"`
	Steps []*Step `json:"steps"`
}

// Branch is one named branch of a parallel step.
type Branch struct {
	Name  string  `json:"name"`
	Steps []*Step `json:"steps"`
}

// Diagnostic is one validation finding, shaped like Kibana's WorkflowDiagnostic plus the
// position in the source.
type Diagnostic struct {
	Rule     string `json:"ruleId"`
	Severity string `json:"severity"` // error | warning | info
	Message  string `json:"message"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
}
