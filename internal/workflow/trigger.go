package workflow

import (
	"strings"
	"time"
	// The time zone database is embedded so that tzid and settings.timezone validate the
	// same way on hosts without /usr/share/zoneinfo (scratch containers).
	_ "time/tzdata"

	"go.yaml.in/yaml/v4"
)

// triggerKeys lists the keys each built-in trigger type accepts; event triggers (any other
// dotted type) accept `type` and `on`.
var triggerKeys = map[string][]string{
	"manual":    {"type", "inputs", "eventType"},
	"scheduled": {"type", "with"},
	"alert":     {"type", "with"},
	"webhook":   {"type", "inputs", "auth", "idempotency"},
}

// eventTriggerKeys are the keys of an event-driven trigger.
var eventTriggerKeys = []string{"type", "on"}

// KnownTriggerTypes are the built-in trigger types; any dotted type (workflows.failed,
// cases.caseCreated, ...) is an event trigger.
var KnownTriggerTypes = []string{"manual", "scheduled", "alert", "webhook"}

// triggers decodes the `triggers` list.
func (p *parser) triggers(n *yaml.Node) []*Trigger {
	var out []*Trigger
	for i, item := range p.seq(n, "triggers", "`triggers`") {
		path := indexPath("triggers", i)
		r := resolve(item)
		p.source.add(path, nil, r)
		t := &Trigger{Path: path, Pos: nodePos(r)}
		pairs := p.pairs(r, path, "a trigger")
		for _, pr := range pairs {
			if pr.key == "type" {
				t.Type, _ = p.str(pr.value, joinPath(path, "type"), "type")
				p.source.add(joinPath(path, "type"), pr.keyN, resolve(pr.value))
			}
		}
		p.triggerFields(t, pairs)
		out = append(out, t)
	}
	return out
}

// triggerFields decodes a trigger's fields according to its type.
func (p *parser) triggerFields(t *Trigger, pairs []pair) {
	accepted, known := triggerKeys[t.Type]
	event := !known && strings.Contains(t.Type, ".")
	if event {
		accepted = eventTriggerKeys
	}
	for _, pr := range pairs {
		path := joinPath(t.Path, pr.key)
		p.source.add(path, pr.keyN, resolve(pr.value))
		switch {
		case pr.key == "type":
		case pr.key == "inputs" && (t.Type == "manual" || t.Type == "webhook"):
			t.Inputs = p.inputSchema(pr.value, path, true)
		case pr.key == "eventType" && t.Type == "manual":
			t.EventType, _ = p.str(pr.value, path, "eventType")
		case pr.key == "with" && (t.Type == "scheduled" || t.Type == "alert"):
			t.With = p.mapValue(pr.value, path, "with")
			if t.Type == "scheduled" {
				p.schedule(t, pr.value, path)
			}
		case pr.key == "auth" && t.Type == "webhook":
			t.Auth = p.webhookAuth(pr.value, path)
		case pr.key == "idempotency" && t.Type == "webhook":
			t.Idempotency = p.webhookIdempotency(pr.value, path)
		case pr.key == "on" && event:
			p.eventOn(t, pr.value, path)
		case known || event:
			p.unknownKey(pr, t.Path, "a `"+t.Type+"` trigger", accepted)
		default:
			// Unknown trigger types are reported by Validate; keep what can be kept.
			if pr.key == "with" {
				t.With = p.mapValue(pr.value, path, "with")
			}
		}
	}
}

// schedule decodes a scheduled trigger's `with.every` or `with.rrule`.
func (p *parser) schedule(t *Trigger, n *yaml.Node, path string) {
	for _, pr := range p.pairs(n, path, "`with`") {
		sub := joinPath(path, pr.key)
		switch pr.key {
		case "every":
			s, ok := p.str(pr.value, sub, "every")
			if !ok {
				continue
			}
			t.Every = s
			if d, ok := parseEvery(s); ok {
				t.Interval = d
			} else {
				p.errorf(resolve(pr.value), sub, "%s", everyMessage)
			}
		case "rrule":
			t.RRule = p.rrule(pr.value, sub)
		default:
			accepted := []string{"every", "rrule"}
			p.unknownKey(pr, path, "a scheduled trigger's `with`", accepted)
		}
	}
}

// webhookAuth decodes a webhook trigger's `auth` block.
func (p *parser) webhookAuth(n *yaml.Node, path string) map[string]any {
	for _, pr := range p.pairs(n, path, "`auth`") {
		sub := joinPath(path, pr.key)
		switch pr.key {
		case "type":
			p.enum(pr.value, sub, "auth.type", "none", "apiKey", "basic", "hmac")
		case "id", "username", "password", "secret", "header", "timestampHeader":
			p.str(pr.value, sub, "auth."+pr.key)
		case "tolerance":
			p.durationField(pr.value, sub, "auth.tolerance")
		default:
			p.unknownKey(pr, path, "a webhook trigger's `auth`",
				[]string{"type", "id", "username", "password", "secret", "header", "timestampHeader", "tolerance"})
		}
	}
	return p.mapValue(n, path, "auth")
}

// webhookIdempotency decodes a webhook trigger's `idempotency` block: `key` (a Liquid
// template over the request) and `window` (a duration).
func (p *parser) webhookIdempotency(n *yaml.Node, path string) map[string]any {
	sub := joinPath(path, "idempotency")
	for _, pr := range p.pairs(n, sub, "`idempotency`") {
		at := joinPath(sub, pr.key)
		switch pr.key {
		case "key":
			p.str(pr.value, at, "idempotency.key")
		case "window":
			p.durationField(pr.value, at, "idempotency.window")
		default:
			p.unknownKey(pr, sub, "a webhook trigger's `idempotency`", []string{"key", "window"})
		}
	}
	return p.mapValue(n, path, "idempotency")
}

// durationField checks that a scalar is a duration such as 5m or 24h.
func (p *parser) durationField(n *yaml.Node, path, field string) {
	s, ok := p.str(n, path, field)
	if !ok {
		return
	}
	if _, err := ParseDuration(s); err != nil {
		p.errorf(resolve(n), path, "%s %q is not a duration: use a number and a unit, e.g. 5m or 24h", field, s)
	}
}

// eventOn decodes an event trigger's `on` block.
func (p *parser) eventOn(t *Trigger, n *yaml.Node, path string) {
	for _, pr := range p.pairs(n, path, "`on`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "condition":
			t.Condition, _ = p.str(pr.value, sub, "on.condition")
		case "workflowEvents":
			t.WorkflowEvents, _ = p.enum(pr.value, sub, "on.workflowEvents", "ignore", "avoid-loop", "allow-all")
		default:
			p.unknownKey(pr, path, "a trigger's `on`", []string{"condition", "workflowEvents"})
		}
	}
	t.On = p.mapValue(n, path, "on")
}

// rrule decodes a recurrence rule.
func (p *parser) rrule(n *yaml.Node, path string) *RRule {
	rr := &RRule{}
	for _, pr := range p.pairs(n, path, "`rrule`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "freq":
			rr.Freq, _ = p.enum(pr.value, sub, "rrule.freq", "DAILY", "WEEKLY", "MONTHLY")
		case "interval":
			if v, ok := p.integer(pr.value, sub, "rrule.interval"); ok {
				rr.Interval = p.atLeast(pr.value, sub, "rrule.interval", v, 1)
			}
		case "tzid":
			rr.TZID = p.timezone(pr.value, sub, "rrule.tzid")
		case "dtstart":
			rr.DTStart = p.dtstart(pr.value, sub)
		case "byhour":
			rr.ByHour = p.intList(pr.value, sub, "rrule.byhour", 0, 23)
		case "byminute":
			rr.ByMinute = p.intList(pr.value, sub, "rrule.byminute", 0, 59)
		case "bymonthday":
			rr.ByMonthDay = p.monthDays(pr.value, sub)
		case "byweekday":
			for i, item := range p.seq(pr.value, sub, "`rrule.byweekday`") {
				if d, ok := p.enum(item, indexPath(sub, i), "rrule.byweekday", "MO", "TU", "WE", "TH", "FR", "SA", "SU"); ok {
					rr.ByWeekday = append(rr.ByWeekday, d)
				}
			}
		default:
			p.unknownKey(pr, path, "`rrule`", []string{"freq", "interval", "tzid", "dtstart", "byhour", "byminute", "byweekday", "bymonthday"})
		}
	}
	return rr
}

// atLeast reports v below lowest and returns v unchanged either way.
func (p *parser) atLeast(n *yaml.Node, path, field string, v, lowest int) int {
	if v < lowest {
		p.errorf(resolve(n), path, "`%s` must be at least %d, not %d", field, lowest, v)
	}
	return v
}

// timezone decodes an IANA time zone name.
func (p *parser) timezone(n *yaml.Node, path, field string) string {
	s, ok := p.str(n, path, field)
	if !ok {
		return ""
	}
	if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
		p.errorf(resolve(n), path, "`%s` must be an IANA time zone name such as \"UTC\" or \"Europe/Paris\", not %q", field, s)
		return ""
	}
	return s
}

// dtstart decodes an rrule start, which must be an RFC 3339 or iCalendar date-time.
func (p *parser) dtstart(n *yaml.Node, path string) string {
	s, ok := p.str(n, path, "rrule.dtstart")
	if !ok {
		return ""
	}
	for _, layout := range []string{time.RFC3339Nano, "20060102T150405Z", "20060102T150405", "2006-01-02T15:04:05"} {
		if _, err := time.Parse(layout, s); err == nil {
			return s
		}
	}
	p.errorf(resolve(n), path, "`rrule.dtstart` must be a date-time like \"2025-01-01T09:00:00Z\", not %q", s)
	return ""
}

// intList decodes a list of integers within [lo, hi].
func (p *parser) intList(n *yaml.Node, path, field string, lo, hi int) []int {
	var out []int
	for i, item := range p.seq(n, path, "`"+field+"`") {
		v, ok := p.integer(item, indexPath(path, i), field+" entry")
		if !ok {
			continue
		}
		if v < lo || v > hi {
			p.errorf(resolve(item), indexPath(path, i), "`%s` values must be between %d and %d, not %d", field, lo, hi, v)
			continue
		}
		out = append(out, v)
	}
	return out
}

// monthDays decodes `bymonthday`: 1..31, or -1 for the last day of the month.
func (p *parser) monthDays(n *yaml.Node, path string) []int {
	var out []int
	for i, item := range p.seq(n, path, "`rrule.bymonthday`") {
		v, ok := p.integer(item, indexPath(path, i), "rrule.bymonthday entry")
		if !ok {
			continue
		}
		if (v < 1 || v > 31) && v != -1 {
			p.errorf(resolve(item), indexPath(path, i), "`rrule.bymonthday` values must be between 1 and 31, or -1 for the last day, not %d", v)
			continue
		}
		out = append(out, v)
	}
	return out
}
