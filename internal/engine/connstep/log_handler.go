package connstep

import (
	"context"
	"log/slog"
	"strings"

	"github.com/errand-dev/errand/internal/engine"
)

// stepLogHandler forwards a connector's slog lines to the step's execution log. The
// connector Service wraps it in a redacting handler, so no secret reaches it.
type stepLogHandler struct {
	log   engine.StepLogger
	attrs []slog.Attr
}

func (h *stepLogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.log != nil && l >= slog.LevelInfo
}

func (h *stepLogHandler) Handle(_ context.Context, r slog.Record) error {
	data := map[string]any{}
	for _, a := range h.attrs {
		data[a.Key] = a.Value.Any()
	}
	r.Attrs(func(a slog.Attr) bool {
		data[a.Key] = a.Value.Any()
		return true
	})
	h.log.Log(strings.ToLower(r.Level.String()), r.Message, data)
	return nil
}

func (h *stepLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &stepLogHandler{log: h.log, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *stepLogHandler) WithGroup(string) slog.Handler { return h }
