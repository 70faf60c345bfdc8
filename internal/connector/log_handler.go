package connector

import (
	"context"
	"log/slog"

	"github.com/errand-dev/errand/internal/secret"
)

// loggerKey is the context key of a call's logger.
type loggerKey struct{}

// ContextWithLogger returns ctx carrying l, the logger the connector calls made with ctx
// log to (the engine passes the step's logger this way). Lines are redacted.
func ContextWithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// loggerFrom returns the logger in ctx, or def.
func loggerFrom(ctx context.Context, def *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return def
}

// redactingHandler redacts the message and every attribute value of each record before the
// wrapped handler sees it.
type redactingHandler struct {
	next slog.Handler
	red  *secret.Redactor
}

// Enabled defers to the wrapped handler.
func (h *redactingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle passes a redacted copy of r on.
func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.red.Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs once and passes them on.
func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(red), red: h.red}
}

// WithGroup passes the group on.
func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), red: h.red}
}

// attr returns a with its value redacted (groups recursively).
func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.red.Redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		attrs := make([]any, len(group))
		for i, g := range group {
			attrs[i] = h.attr(g)
		}
		return slog.Group(a.Key, attrs...)
	case slog.KindAny:
		return slog.Any(a.Key, h.red.RedactValue(v.Any()))
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64:
		if s, ok := h.red.RedactValue(v.Any()).(string); ok { // a number that is a secret
			return slog.String(a.Key, s)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
