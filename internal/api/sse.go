package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// keepAliveEvery is how often an idle event stream sends a comment line, so that proxies
// keep the connection open.
const keepAliveEvery = 15 * time.Second

// stream serves an execution's live events as server-sent events: `status`,
// `step_started`, `step_finished` and `log`, each with a JSON object. It starts with a
// snapshot from the store (the status, every step record and log line so far), then
// relays the broker's events of this process and reads the store every poll interval for
// progress made by another node or missed by a slow reader. Events are sent once each; the
// stream ends after the terminal status.
func (s *server) stream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("executionId")
	var live <-chan engine.Event
	if s.Broker != nil {
		var cancel func()
		live, cancel = s.Broker.Subscribe(id) // before the snapshot: nothing falls in between
		defer cancel()
	}
	if _, err := s.execution(ctx, id); err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &streamState{w: w, rc: http.NewResponseController(w), id: id,
		started: map[string]bool{}, finished: map[string]bool{}, logs: map[string]bool{}}
	if done, err := st.sync(ctx, s.Store); done || err != nil {
		s.endStream(ctx, err)
		return
	}
	poll := time.NewTicker(time.Duration(s.pollInterval) * time.Millisecond)
	defer poll.Stop()
	keep := time.NewTicker(keepAliveEvery)
	defer keep.Stop()
	for {
		var done bool
		var err error
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-live:
			if !ok {
				live = nil
				continue
			}
			done, err = st.relay(ctx, s.Store, ev)
		case <-poll.C:
			done, err = st.sync(ctx, s.Store)
		case <-keep.C:
			err = st.comment("keep-alive")
		}
		if done || err != nil {
			s.endStream(ctx, err)
			return
		}
	}
}

// endStream logs why a stream ended early (a write to a gone client is not an error).
func (s *server) endStream(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		loggerFrom(ctx).Info("event stream ended", "error", err)
	}
}

// streamState is what one stream has sent.
type streamState struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	id        string
	status    string
	started   map[string]bool // step paths
	finished  map[string]bool
	logs      map[string]bool // logKey
	logOffset int
}

// EventData is the JSON of one stream event. stepId is Kibana's name for the step name.
type EventData struct {
	ExecutionID     string          `json:"executionId"`
	StepExecutionID string          `json:"stepExecutionId,omitempty"`
	StepID          string          `json:"stepId,omitempty"`
	StepName        string          `json:"stepName,omitempty"`
	StepPath        string          `json:"stepPath,omitempty"`
	StepType        string          `json:"stepType,omitempty"`
	Status          string          `json:"status,omitempty"`
	Level           string          `json:"level,omitempty"`
	Message         string          `json:"message,omitempty"`
	Error           json.RawMessage `json:"error,omitempty"`
	DurationMs      *int64          `json:"durationMs,omitempty"`
	Time            *time.Time      `json:"time,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
}

// relay sends a live event unless it was sent already; a terminal status first syncs the
// store so that the status is the stream's last event.
func (st *streamState) relay(ctx context.Context, db store.Store, ev engine.Event) (bool, error) {
	d := EventData{ExecutionID: st.id, StepID: ev.StepName, StepName: ev.StepName, StepPath: ev.StepPath,
		StepType: ev.StepType, Status: ev.Status, Time: &ev.Time}
	if ev.Error != nil {
		d.Error, _ = json.Marshal(ev.Error)
	}
	switch ev.Kind {
	case engine.EventStepStarted:
		d.Status = store.StatusRunning
		return false, st.stepStarted(ev.StepPath, d)
	case engine.EventStepFinished:
		started := d
		started.Status, started.Error = store.StatusRunning, nil
		if err := st.stepStarted(ev.StepPath, started); err != nil {
			return false, err
		}
		ms := ev.Duration.Milliseconds()
		d.DurationMs = &ms
		return false, st.stepFinished(ev.StepPath, d)
	case engine.EventLog:
		d.Status, d.Level, d.Message = "", ev.Level, ev.Message
		return false, st.log(logKey(ev.Time, ev.StepPath, ev.Message), d)
	case engine.EventExecutionStatus:
		if store.IsTerminal(ev.Status) {
			return st.sync(ctx, db)
		}
		d.StepID, d.StepName, d.StepPath, d.StepType = "", "", "", ""
		return false, st.sendStatus(ev.Status, d)
	}
	return false, nil
}

// sync reads the store and sends what was not sent: step records, log lines, then the
// status. It reports whether the execution is finished.
func (st *streamState) sync(ctx context.Context, db store.Store) (bool, error) {
	ex, err := db.ExecutionGet(ctx, st.id)
	if err != nil {
		return false, fmt.Errorf("reading execution %q: %w", st.id, err)
	}
	recs, err := db.StepExecutionList(ctx, st.id)
	if err != nil {
		return false, fmt.Errorf("listing steps of execution %q: %w", st.id, err)
	}
	for _, rec := range recs {
		if err := st.record(ex, rec); err != nil {
			return false, err
		}
	}
	if err := st.newLogs(ctx, db); err != nil {
		return false, err
	}
	status := EventData{ExecutionID: st.id, Status: ex.Status, Error: ex.Error, Time: ex.FinishedAt}
	if err := st.sendStatus(ex.Status, status); err != nil {
		return false, err
	}
	return store.IsTerminal(ex.Status), nil
}

// record sends a step record's start and, when it is terminal, its end.
func (st *streamState) record(ex *store.Execution, rec *store.StepExecution) error {
	started := rec.StartedAt
	d := EventData{ExecutionID: ex.ID, StepExecutionID: rec.ID, StepID: rec.StepName, StepName: rec.StepName,
		StepPath: rec.Path, StepType: rec.StepType, Status: store.StatusRunning, Time: &started}
	if err := st.stepStarted(rec.Path, d); err != nil {
		return err
	}
	if !store.IsTerminal(rec.Status) {
		return nil
	}
	ms := rec.DurationMs
	d.Status, d.Error, d.DurationMs, d.Time = rec.Status, rec.Error, &ms, rec.FinishedAt
	return st.stepFinished(rec.Path, d)
}

// newLogs sends the log lines stored since the last read.
func (st *streamState) newLogs(ctx context.Context, db store.Store) error {
	for {
		rows, total, err := db.LogList(ctx, st.id, 500, st.logOffset)
		if err != nil {
			return fmt.Errorf("listing logs of execution %q: %w", st.id, err)
		}
		for _, l := range rows {
			ts := l.Timestamp
			d := EventData{ExecutionID: st.id, StepID: l.StepName, StepName: l.StepName, StepPath: l.StepPath,
				Level: l.Level, Message: l.Message, Time: &ts, Data: l.Data}
			if err := st.log(logKey(l.Timestamp, l.StepPath, l.Message), d); err != nil {
				return err
			}
		}
		st.logOffset += len(rows)
		if len(rows) == 0 || st.logOffset >= total {
			return nil
		}
	}
}

// logKey identifies a log line in both its live and stored forms (stores keep µs).
func logKey(t time.Time, path, msg string) string {
	return fmt.Sprintf("%d|%s|%s", t.UnixMicro(), path, msg)
}

func (st *streamState) stepStarted(path string, data any) error {
	if st.started[path] {
		return nil
	}
	st.started[path] = true
	return st.send("step_started", data)
}

func (st *streamState) stepFinished(path string, data any) error {
	if st.finished[path] {
		return nil
	}
	st.finished[path] = true
	return st.send("step_finished", data)
}

func (st *streamState) log(key string, data any) error {
	if st.logs[key] {
		return nil
	}
	st.logs[key] = true
	return st.send("log", data)
}

// sendStatus sends the execution's status when it changed.
func (st *streamState) sendStatus(status string, d EventData) error {
	if status == st.status {
		return nil
	}
	st.status = status
	return st.send("status", d)
}

// send writes one event and flushes it.
func (st *streamState) send(event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encoding %s event: %w", event, err)
	}
	if _, err := fmt.Fprintf(st.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return fmt.Errorf("writing %s event: %w", event, err)
	}
	return st.flush()
}

// comment writes an SSE comment line (keep-alive).
func (st *streamState) comment(text string) error {
	if _, err := fmt.Fprintf(st.w, ": %s\n\n", text); err != nil {
		return fmt.Errorf("writing keep-alive: %w", err)
	}
	return st.flush()
}

func (st *streamState) flush() error {
	if err := st.rc.Flush(); err != nil {
		return fmt.Errorf("flushing event stream: %w", err)
	}
	return nil
}
