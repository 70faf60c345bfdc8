package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// stepLogger is the StepLogger of one step attempt: lines are buffered in the run and
// written when the step finishes, and sent live to the observer.
type stepLogger struct {
	r    *run
	st   *workflow.Step
	path string
}

// Log buffers one line.
func (l *stepLogger) Log(level, message string, data map[string]any) {
	l.r.log(l.st, l.path, level, message, data)
}

// log buffers one line of the execution log and emits it.
func (r *run) log(st *workflow.Step, path, level, message string, data map[string]any) {
	entry := &store.LogEntry{ExecutionID: r.ex.ID, StepPath: path, Level: level, Message: message, Timestamp: r.e.now()}
	ev := Event{Kind: EventLog, ExecutionID: r.ex.ID, StepPath: path, Level: level, Message: message, Time: entry.Timestamp}
	if st != nil {
		entry.StepName, ev.StepName, ev.StepType = st.Name, st.Name, st.Type
	}
	if data != nil {
		if b, err := json.Marshal(data); err == nil {
			entry.Data = b
		}
	}
	r.mu.Lock()
	r.logs = append(r.logs, entry)
	r.mu.Unlock()
	r.e.emit(ev)
}

// logf buffers an engine line about st.
func (r *run) logf(st *workflow.Step, path, level, format string, args ...any) {
	r.log(st, path, level, fmt.Sprintf(format, args...), nil)
}

// Log batching: lines are written when this many are buffered or this long after the last
// write, and always when Execute returns or parks.
const (
	logBatchLines = 64
	logBatchDelay = 250 * time.Millisecond
)

// maybeFlushLogs writes the buffered lines when the batch is full or old enough.
func (r *run) maybeFlushLogs(ctx context.Context) error {
	r.mu.Lock()
	due := len(r.logs) >= logBatchLines || len(r.logs) > 0 && time.Since(r.flushed) >= logBatchDelay
	r.mu.Unlock()
	if !due {
		return nil
	}
	return r.flushLogs(ctx)
}

// flushLogs writes the buffered lines in one batch.
func (r *run) flushLogs(ctx context.Context) error {
	r.mu.Lock()
	logs := r.logs
	r.logs = nil
	r.flushed = time.Now()
	r.mu.Unlock()
	if len(logs) == 0 {
		return nil
	}
	if err := r.e.st.LogAppend(context.WithoutCancel(ctx), logs); err != nil {
		return fmt.Errorf("appending %d log lines of execution %q: %w", len(logs), r.ex.ID, err)
	}
	return nil
}
