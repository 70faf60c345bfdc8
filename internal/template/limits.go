package template

import "time"

// Limits bounds the work one template may cause. Zero values mean "use the
// default" for ParseLimit, RenderLimit and MemoryLimit, and "no limit" for
// OutputLimit.
type Limits struct {
	// ParseLimit is the maximum template length in characters (default 150000).
	ParseLimit int
	// RenderLimit is the wall time one render may take (default 1 s).
	RenderLimit time.Duration
	// MemoryLimit is the budget in bytes for values created during a render:
	// strings built, arrays allocated and loop iterations (default 15 MB).
	MemoryLimit int64
	// OutputLimit is the maximum size of the rendered output in bytes (0 = none).
	OutputLimit int64
}

// Default limit values, the ones Kibana Workflows configures LiquidJS with.
const (
	DefaultParseLimit  = 150000
	DefaultRenderLimit = time.Second
	DefaultMemoryLimit = 15000000
)

// DefaultLimits returns the limits Kibana applies to every render.
func DefaultLimits() Limits {
	return Limits{ParseLimit: DefaultParseLimit, RenderLimit: DefaultRenderLimit, MemoryLimit: DefaultMemoryLimit}
}

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.ParseLimit <= 0 {
		l.ParseLimit = DefaultParseLimit
	}
	if l.RenderLimit <= 0 {
		l.RenderLimit = DefaultRenderLimit
	}
	if l.MemoryLimit <= 0 {
		l.MemoryLimit = DefaultMemoryLimit
	}
	return l
}
