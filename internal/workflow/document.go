package workflow

import (
	"go.yaml.in/yaml/v4"
)

// topLevelKeys are the keys a workflow document accepts.
var topLevelKeys = []string{
	"version", "name", "description", "enabled", "tags", "triggers", "inputs", "consts",
	"outputs", "settings", "steps",
}

// ignoredTopLevelKeys are keys the template library adds and Kibana strips at install time.
var ignoredTopLevelKeys = map[string]bool{"template-metadata": true}

// workflow decodes the document root.
func (p *parser) workflow(root *yaml.Node) *Workflow {
	wf := &Workflow{Enabled: true, Version: "1"}
	doc := resolve(root)
	if doc == nil {
		p.errorf(nil, "", "the workflow document is empty; it needs at least `name`, `triggers` and `steps`")
		return wf
	}
	wf.Pos = nodePos(doc)
	p.source.add("", nil, doc)
	var topInputs *InputSchema
	for _, pr := range p.pairs(doc, "", "the workflow") {
		p.source.add(pr.key, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "version":
			p.version(wf, pr)
		case "name":
			wf.Name, _ = p.str(pr.value, pr.key, pr.key)
		case "description":
			wf.Description, _ = p.str(pr.value, pr.key, pr.key)
		case "enabled":
			if b, ok := p.boolean(pr.value, pr.key, pr.key, false); ok {
				wf.Enabled = b
			}
		case "tags":
			wf.Tags = p.stringList(pr.value, pr.key, pr.key)
		case "triggers":
			wf.Triggers = p.triggers(pr.value)
		case "inputs":
			topInputs = p.inputSchema(pr.value, pr.key, true)
		case "consts":
			wf.Consts = p.mapValue(pr.value, pr.key, pr.key)
		case "outputs":
			wf.Outputs = p.inputSchema(pr.value, pr.key, false)
		case "settings":
			wf.Settings = p.settings(pr.value)
		case "steps":
			wf.Steps = p.steps(pr.value, "steps", 0)
		default:
			if !ignoredTopLevelKeys[pr.key] {
				p.unknownTopLevel(pr)
			}
		}
	}
	wf.Inputs = p.chooseInputs(wf, topInputs)
	return wf
}

// version checks that `version` is the string "1" (an unquoted 1 is a number and Kibana's
// schema rejects it).
func (p *parser) version(wf *Workflow, pr pair) {
	r := resolve(pr.value)
	if isNull(r) {
		return
	}
	if r.Kind == yaml.ScalarNode && isStringTag(r.ShortTag()) && r.Value == "1" {
		wf.Version = "1"
		return
	}
	if r.Kind == yaml.ScalarNode && r.Value == "1" {
		p.errorf(r, "version", "`version` must be the string \"1\"; quote it: version: \"1\"")
		return
	}
	p.errorf(r, "version", "`version` must be the string \"1\", not %s", describe(r))
}

// unknownTopLevel reports a top-level key Kibana would strip: an info, since the workflow
// still runs, with a suggestion when it looks like a typo.
func (p *parser) unknownTopLevel(pr pair) {
	msg := "Unknown top-level key `" + pr.key + "` is ignored"
	if s := suggest(pr.key, topLevelKeys); s != "" {
		msg += "; did you mean `" + s + "`?"
	}
	p.report(pr.keyN, pr.key, RuleSchemaViolation, SeverityInfo, msg)
}

// chooseInputs picks the workflow's inputs: the manual trigger's (9.5+), else the top-level
// ones (≤9.4), else the webhook trigger's. Declaring them in two places is a warning.
func (p *parser) chooseInputs(wf *Workflow, top *InputSchema) *InputSchema {
	var manual, webhook *Trigger
	for _, t := range wf.Triggers {
		if t.Type == "manual" && t.Inputs != nil && manual == nil {
			manual = t
		}
		if t.Type == "webhook" && t.Inputs != nil && webhook == nil {
			webhook = t
		}
	}
	switch {
	case manual != nil:
		if top != nil {
			p.report(p.source.node("inputs"), "inputs", RuleSchemaViolation, SeverityWarning,
				"inputs are declared both at the top level and under the manual trigger; the trigger's inputs are used")
		}
		return manual.Inputs
	case top != nil:
		return top
	case webhook != nil:
		return webhook.Inputs
	}
	return nil
}

// stringList decodes a list of strings.
func (p *parser) stringList(n *yaml.Node, path, field string) []string {
	var out []string
	for i, item := range p.seq(n, path, "`"+field+"`") {
		p.source.add(indexPath(path, i), nil, resolve(item))
		if s, ok := p.str(item, indexPath(path, i), field+" entry"); ok {
			out = append(out, s)
		}
	}
	return out
}

// describe renders a scalar for a message ("the number 1"), or its kind.
func describe(n *yaml.Node) string {
	r := resolve(n)
	if r != nil && r.Kind == yaml.ScalarNode {
		return kindName(r) + " " + r.Value
	}
	return kindName(r)
}
