package workflow

import (
	"go.yaml.in/yaml/v4"
)

// Maxima of settings.liquid, as in Kibana.
const (
	maxLiquidParseLimit  = 600_000
	maxLiquidRenderLimit = 2_000
	maxLiquidMemoryLimit = 60_000_000
)

// settingsKeys are the keys of the `settings` block.
var settingsKeys = []string{"timeout", "timezone", "concurrency", "max-step-size", "on-failure", "liquid"}

// settings decodes the `settings` block.
func (p *parser) settings(n *yaml.Node) Settings {
	var s Settings
	for _, pr := range p.pairs(n, "settings", "`settings`") {
		path := joinPath("settings", pr.key)
		p.source.add(path, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "timeout":
			s.Timeout, _ = p.duration(pr.value, path, "settings.timeout")
		case "timezone":
			s.Timezone = p.timezone(pr.value, path, "settings.timezone")
		case "concurrency":
			s.Concurrency = p.concurrency(pr.value, path)
		case "max-step-size":
			s.MaxStepSize, _ = p.byteSize(pr.value, path, "settings.max-step-size")
		case "on-failure":
			s.OnFailure = p.onFailure(pr.value, path, 0)
		case "liquid":
			s.Liquid = p.liquidLimits(pr.value, path)
		default:
			p.unknownKey(pr, "settings", "`settings`", settingsKeys)
		}
	}
	return s
}

// concurrency decodes `settings.concurrency`.
func (p *parser) concurrency(n *yaml.Node, path string) *Concurrency {
	c := &Concurrency{}
	accepted := []string{"key", "strategy", "max", "queue-size", "queue-ttl"}
	for _, pr := range p.pairs(n, path, "`settings.concurrency`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "key":
			c.Key, _ = p.str(pr.value, sub, "concurrency.key")
		case "strategy":
			c.Strategy, _ = p.enum(pr.value, sub, "concurrency.strategy", "drop", "cancel-in-progress", "queue")
		case "max":
			if v, ok := p.integer(pr.value, sub, "concurrency.max"); ok {
				c.Max = p.atLeast(pr.value, sub, "concurrency.max", v, 1)
			}
		case "queue-size":
			if v, ok := p.integer(pr.value, sub, "concurrency.queue-size"); ok {
				c.QueueSize = p.atLeast(pr.value, sub, "concurrency.queue-size", v, 0)
			}
		case "queue-ttl":
			c.QueueTTL, _ = p.duration(pr.value, sub, "concurrency.queue-ttl")
		default:
			p.unknownKey(pr, path, "`settings.concurrency`", accepted)
		}
	}
	return c
}

// liquidLimits decodes `settings.liquid`, enforcing Kibana's maxima.
func (p *parser) liquidLimits(n *yaml.Node, path string) LiquidLimits {
	var l LiquidLimits
	limits := map[string]int{"parseLimit": maxLiquidParseLimit, "renderLimit": maxLiquidRenderLimit, "memoryLimit": maxLiquidMemoryLimit}
	for _, pr := range p.pairs(n, path, "`settings.liquid`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		highest, ok := limits[pr.key]
		if !ok {
			p.unknownKey(pr, path, "`settings.liquid`", []string{"parseLimit", "renderLimit", "memoryLimit"})
			continue
		}
		v, ok := p.integer(pr.value, sub, "liquid."+pr.key)
		if !ok {
			continue
		}
		if v < 1 || v > highest {
			p.errorf(resolve(pr.value), sub, "`liquid.%s` must be between 1 and %d, not %d", pr.key, highest, v)
			continue
		}
		switch pr.key {
		case "parseLimit":
			l.ParseLimit = v
		case "renderLimit":
			l.RenderLimit = v
		case "memoryLimit":
			l.MemoryLimit = int64(v)
		}
	}
	return l
}

// onFailureKeys are the keys of an `on-failure` block.
var onFailureKeys = []string{"retry", "fallback", "continue"}

// retryKeys are the keys of `on-failure.retry`.
var retryKeys = []string{"max-attempts", "delay", "condition", "strategy", "multiplier", "max-delay", "jitter"}

// onFailure decodes an `on-failure` (or `iteration-on-failure`) block.
func (p *parser) onFailure(n *yaml.Node, path string, depth int) *OnFailure {
	if isNull(n) {
		return nil
	}
	of := &OnFailure{}
	for _, pr := range p.pairs(n, path, "`"+lastSegment(path)+"`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "retry":
			of.Retry = p.retry(pr.value, sub)
		case "fallback":
			of.Fallback = p.steps(pr.value, sub, depth+1)
		case "continue":
			of.Continue, _ = p.boolean(pr.value, sub, "continue", true)
		default:
			p.unknownKey(pr, path, "`"+lastSegment(path)+"`", onFailureKeys)
		}
	}
	return of
}

// retry decodes `on-failure.retry`.
func (p *parser) retry(n *yaml.Node, path string) *Retry {
	if isNull(n) {
		return nil
	}
	r := &Retry{Multiplier: 2}
	for _, pr := range p.pairs(n, path, "`retry`") {
		sub := joinPath(path, pr.key)
		p.source.add(sub, pr.keyN, resolve(pr.value))
		switch pr.key {
		case "max-attempts":
			if v, ok := p.integer(pr.value, sub, "max-attempts"); ok {
				r.MaxAttempts = p.atLeast(pr.value, sub, "max-attempts", v, 1)
			}
		case "delay":
			r.Delay, _ = p.duration(pr.value, sub, "retry.delay")
		case "max-delay":
			r.MaxDelay, _ = p.duration(pr.value, sub, "retry.max-delay")
		case "condition":
			r.Condition, _ = p.str(pr.value, sub, "retry.condition")
		case "strategy":
			r.Strategy, _ = p.enum(pr.value, sub, "retry.strategy", "fixed", "exponential")
		case "multiplier":
			if v, ok := p.number(pr.value, sub, "retry.multiplier"); ok {
				r.Multiplier = v
				if v < 1 {
					p.errorf(resolve(pr.value), sub, "`retry.multiplier` must be at least 1, not %v", v)
				}
			}
		case "jitter":
			r.Jitter, _ = p.boolean(pr.value, sub, "retry.jitter", false)
		default:
			p.unknownKey(pr, path, "`retry`", retryKeys)
		}
	}
	return r
}
