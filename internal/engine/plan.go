package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/errand-dev/errand/internal/workflow"
)

// Flow-control step types: plan nodes run by the engine itself, not by executors.
const (
	typeIf            = "if"
	typeForeach       = "foreach"
	typeWhile         = "while"
	typeSwitch        = "switch"
	typeParallel      = "parallel"
	typeWait          = "wait"
	typeBreak         = "loop.break"
	typeContinue      = "loop.continue"
	typeOutput        = "workflow.output"
	typeFail          = "workflow.fail"
	typeExecute       = "workflow.execute"
	typeExecuteAsync  = "workflow.executeAsync"
	typeDataSet       = "data.set"
	typeWaitForInput  = "waitForInput"
	defaultMaxIter    = 2000
	defaultParallel   = 5
	maxCompositionDep = 10
)

// flowTypes lists the step types the engine runs itself.
var flowTypes = map[string]bool{
	typeIf: true, typeForeach: true, typeWhile: true, typeSwitch: true, typeParallel: true,
	typeWait: true, typeBreak: true, typeContinue: true, typeOutput: true, typeFail: true,
	typeExecute: true, typeExecuteAsync: true, typeWaitForInput: true,
}

// rawWithTypes are the step types whose `with` is passed unrendered: the executor renders it
// once per item.
var rawWithTypes = map[string]bool{"data.map": true, "data.filter": true, "data.find": true}

// Plan is a compiled workflow: the validated model plus the settings the run needs.
type Plan struct {
	Workflow *workflow.Workflow
	// steps indexes every step (fallbacks and nested bodies included) by name.
	steps map[string]*workflow.Step
}

// Compile checks wf against the engine (flow-control structure, step types known to the
// executor map, loop.break placement) and builds its plan. The plan is nil when any
// diagnostic is an error.
func (e *Engine) Compile(wf *workflow.Workflow) (*Plan, []workflow.Diagnostic) {
	c := &compiler{e: e, plan: &Plan{Workflow: wf, steps: map[string]*workflow.Step{}}}
	if len(wf.Steps) == 0 {
		c.report(nil, "schemaViolation", "steps: a workflow needs at least one step")
	}
	c.walk(wf.Steps, "steps", false)
	if wf.Settings.OnFailure != nil {
		c.walk(wf.Settings.OnFailure.Fallback, "settings.on-failure.fallback", false)
	}
	if workflow.HasErrors(c.diags) {
		return nil, c.diags
	}
	return c.plan, c.diags
}

// StepTypes lists the step types this engine runs: flow control plus the executors, sorted.
func (e *Engine) StepTypes() []string {
	names := make([]string, 0, len(flowTypes)+len(e.executors))
	for t := range flowTypes {
		names = append(names, t)
	}
	for t := range e.executors {
		names = append(names, t)
	}
	sort.Strings(names)
	return names
}

// knownType reports whether the engine can run steps of type t.
func (e *Engine) knownType(t string) bool {
	if flowTypes[t] {
		return true
	}
	_, ok := e.executors[t]
	return ok
}

// compiler collects diagnostics while walking the step tree.
type compiler struct {
	e     *Engine
	plan  *Plan
	diags []workflow.Diagnostic
}

// report adds an error diagnostic about st (nil: the workflow).
func (c *compiler) report(st *workflow.Step, rule, msg string) {
	d := workflow.Diagnostic{Rule: rule, Severity: "error", Message: msg}
	if st != nil {
		d.Path, d.Line, d.Col = st.Path, st.Pos.Line, st.Pos.Col
	}
	c.diags = append(c.diags, d)
}

// walk checks a list of steps; inLoop says whether loop.break/continue may appear.
func (c *compiler) walk(steps []*workflow.Step, where string, inLoop bool) {
	for _, st := range steps {
		if st == nil {
			continue
		}
		c.step(st, inLoop)
	}
}

// step checks one step and its bodies.
func (c *compiler) step(st *workflow.Step, inLoop bool) {
	if st.Name == "" {
		c.report(st, "schemaViolation", "step name is required")
	} else if _, dup := c.plan.steps[st.Name]; dup {
		c.report(st, "duplicateStepName", fmt.Sprintf("Step name %q is not unique", st.Name))
	} else {
		c.plan.steps[st.Name] = st
	}
	if !c.e.knownType(st.Type) {
		c.report(st, "schemaViolation", fmt.Sprintf("Unknown step type '%s'", st.Type))
	}
	c.structure(st, inLoop)
	if st.OnFailure != nil {
		c.walk(st.OnFailure.Fallback, st.Name+".on-failure.fallback", inLoop)
	}
	if st.IterationOnFailure != nil {
		c.walk(st.IterationOnFailure.Fallback, st.Name+".iteration-on-failure.fallback", true)
	}
}

// structure checks the fields a flow-control type requires and walks its bodies.
func (c *compiler) structure(st *workflow.Step, inLoop bool) {
	need := func(ok bool, field string) {
		if !ok {
			c.report(st, "invalidStepProperty", fmt.Sprintf("Step %q of type %s requires '%s'", st.Name, st.Type, field))
		}
	}
	switch st.Type {
	case typeIf:
		need(st.Condition != "", "condition")
		need(len(st.Steps) > 0, "steps")
		c.walk(st.Steps, st.Name, inLoop)
		c.walk(st.Else, st.Name, inLoop)
	case typeForeach:
		need(st.Foreach != nil, "foreach")
		need(len(st.Steps) > 0, "steps")
		c.walk(st.Steps, st.Name, true)
	case typeWhile:
		need(st.Condition != "", "condition")
		need(len(st.Steps) > 0, "steps")
		c.walk(st.Steps, st.Name, true)
	case typeSwitch:
		need(st.Expression != "", "expression")
		need(len(st.Cases) > 0, "cases")
		for _, cs := range st.Cases {
			c.walk(cs.Steps, st.Name, inLoop)
		}
		c.walk(st.Default, st.Name, inLoop)
	case typeParallel:
		c.parallel(st)
	case typeWait:
		need(st.With["duration"] != nil, "with.duration")
	case typeBreak, typeContinue:
		if !inLoop {
			c.report(st, "invalidStepProperty", fmt.Sprintf("Step %q: %s is only valid inside a foreach or while loop", st.Name, st.Type))
		}
	case typeExecute, typeExecuteAsync:
		need(st.With["workflow-id"] != nil, "with.workflow-id")
	}
}

// parallel checks a parallel step: branches, or foreach + steps, and a known mode.
func (c *compiler) parallel(st *workflow.Step) {
	switch {
	case len(st.Branches) > 0 && st.Foreach != nil:
		c.report(st, "invalidStepProperty", fmt.Sprintf("Step %q: parallel takes either 'branches' or 'foreach' with 'steps', not both", st.Name))
	case len(st.Branches) == 0 && (st.Foreach == nil || len(st.Steps) == 0):
		c.report(st, "invalidStepProperty", fmt.Sprintf("Step %q: parallel requires 'branches' or 'foreach' with 'steps'", st.Name))
	}
	if st.Mode != "" && st.Mode != "fail-fast" && st.Mode != "settled" {
		c.report(st, "invalidParallelMode", fmt.Sprintf("Step %q: parallel mode must be fail-fast or settled, got %q", st.Name, st.Mode))
	}
	for _, b := range st.Branches {
		c.walk(b.Steps, st.Name+"."+b.Name, false)
	}
	c.walk(st.Steps, st.Name, false)
}

// diagnosticsError formats error diagnostics into one error wrapping ErrInvalidWorkflow.
func diagnosticsError(diags []workflow.Diagnostic) error {
	var lines []string
	for _, d := range diags {
		if d.Severity != "error" {
			continue
		}
		loc := ""
		if d.Line > 0 {
			loc = fmt.Sprintf("%d:%d: ", d.Line, d.Col)
		}
		lines = append(lines, fmt.Sprintf("%s%s (%s)", loc, d.Message, d.Rule))
	}
	return fmt.Errorf("%w: %s", ErrInvalidWorkflow, strings.Join(lines, "; "))
}

// planCache keeps compiled plans by workflow YAML so Execute does not parse on every call.
type planCache struct {
	mu    sync.Mutex
	plans map[string]*Plan
}

// get returns the cached plan of src, if any.
func (pc *planCache) get(src string) *Plan {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.plans[src]
}

// put caches p for src, dropping everything when the cache is full.
func (pc *planCache) put(src string, p *Plan) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.plans == nil || len(pc.plans) >= 256 {
		pc.plans = map[string]*Plan{}
	}
	pc.plans[src] = p
}

// load parses, validates and compiles src, using the cache.
func (e *Engine) load(src string) (*Plan, error) {
	if p := e.plans.get(src); p != nil {
		return p, nil
	}
	wf, diags := workflow.Parse([]byte(src))
	if workflow.HasErrors(diags) || wf == nil {
		return nil, diagnosticsError(diags)
	}
	diags = append(diags, e.validate(wf)...)
	if workflow.HasErrors(diags) {
		return nil, diagnosticsError(diags)
	}
	p, cdiags := e.Compile(wf)
	if p == nil {
		return nil, diagnosticsError(cdiags)
	}
	e.plans.put(src, p)
	return p, nil
}
