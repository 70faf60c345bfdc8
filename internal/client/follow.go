package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxReconnects is how many times in a row Follow reconnects a stream that delivered
// nothing before giving up.
const maxReconnects = 10

// Event is one live event of an execution: Kind is step_started, step_finished, log or
// status (the SSE event name).
type Event struct {
	ID          string          `json:"-"` // the SSE id, when the server sends ids
	Kind        string          `json:"kind,omitempty"`
	ExecutionID string          `json:"executionId,omitempty"`
	StepPath    string          `json:"stepPath,omitempty"`
	StepName    string          `json:"stepName,omitempty"`
	StepType    string          `json:"stepType,omitempty"`
	Status      string          `json:"status,omitempty"`
	Level       string          `json:"level,omitempty"`
	Message     string          `json:"message,omitempty"`
	Error       *ExecutionError `json:"error,omitempty"`
	Duration    time.Duration   `json:"-"`
	Time        time.Time       `json:"-"`
}

// UnmarshalJSON decodes the event data: durationMs (milliseconds) or duration (a Go
// duration in nanoseconds, or a string like "1.5s"), and time or timestamp.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var w struct {
		plain
		DurationMs *float64        `json:"durationMs"`
		DurationNs json.RawMessage `json:"duration"`
		Time       *time.Time      `json:"time"`
		Timestamp  *time.Time      `json:"timestamp"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decoding event: %w", err)
	}
	*e = Event(w.plain)
	switch {
	case w.DurationMs != nil:
		e.Duration = time.Duration(*w.DurationMs * float64(time.Millisecond))
	case len(w.DurationNs) > 0:
		e.Duration = parseDuration(w.DurationNs)
	}
	if t := firstTime(w.Time, w.Timestamp); t != nil {
		e.Time = *t
	}
	return nil
}

func parseDuration(raw json.RawMessage) time.Duration {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return time.Duration(n)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		d, _ := time.ParseDuration(s)
		return d
	}
	return 0
}

func firstTime(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// IsTerminalStatus reports whether the event says the execution has finished.
func (e Event) IsTerminalStatus() bool {
	return (e.Kind == "status" || e.Kind == "execution_status") && Terminal(e.Status)
}

// followState carries what Follow knows across reconnections.
type followState struct {
	lastID string
	retry  time.Duration
	// prev counts, per event (name and data), how often earlier connections delivered it:
	// a server without ids replays from the start, and those replays are skipped.
	prev map[string]int
	cur  map[string]int
}

// Follow reads the execution's server-sent events and calls fn for each until the execution
// reaches a terminal status (fn sees that status event too), fn returns an error, or ctx
// ends. A dropped stream is reopened, with Last-Event-ID when the server sends ids (without
// ids the replayed events are skipped). When a connection brings nothing new, the execution
// is read with GET /api/workflows/executions/{id}: if it finished meanwhile, fn gets a status
// event built from it.
func (c *Client) Follow(ctx context.Context, executionID string, fn func(Event) error) error {
	st := &followState{prev: map[string]int{}}
	for failures := 0; ; {
		delivered, done, err := c.followOnce(ctx, executionID, st, fn)
		if done || err != nil {
			return err
		}
		if delivered {
			failures = 0
		} else {
			ex, gerr := c.GetExecution(ctx, executionID, false)
			if gerr == nil && Terminal(ex.Status) {
				return fn(Event{Kind: "status", ExecutionID: executionID, Status: ex.Status, Error: ex.Error})
			}
			if errors.Is(gerr, ErrNotFound) || errors.Is(gerr, ErrUnauthenticated) || errors.Is(gerr, ErrForbidden) {
				return gerr
			}
			if failures++; failures > maxReconnects {
				return fmt.Errorf("following execution %s: %w", executionID, ErrStreamEnded)
			}
		}
		if err := sleep(ctx, firstPositive(st.retry, c.retryWait)); err != nil {
			return err
		}
	}
}

// followOnce reads one connection. delivered says whether it gave fn any event; done that
// the terminal status was seen. Transport errors and 5xx answers are a drop (nil error).
func (c *Client) followOnce(ctx context.Context, id string, st *followState, fn func(Event) error) (delivered, done bool, err error) {
	path := "/api/workflows/executions/" + url.PathEscape(id) + "/events"
	req, err := c.newRequest(ctx, "GET", path, nil, nil)
	if err != nil {
		return false, false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if st.lastID != "" {
		req.Header.Set("Last-Event-ID", st.lastID)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, false, ctx.Err()
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return false, false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, false, fmt.Errorf("following execution %s: %w", id, decodeError("GET", path, resp))
	}
	st.cur = map[string]int{}
	defer st.mergeCounts()
	return st.read(ctx, bufio.NewReader(resp.Body), fn)
}

// read dispatches the events of one stream to fn.
func (st *followState) read(ctx context.Context, r *bufio.Reader, fn func(Event) error) (delivered, done bool, err error) {
	var name, id string
	var data strings.Builder
	for {
		line, rerr := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if rerr != nil && (line == "" || !errors.Is(rerr, io.EOF)) {
			return delivered, false, ctx.Err()
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data.Len() > 0 {
				ev, skip, derr := st.decode(name, id, data.String())
				if derr != nil {
					return delivered, false, derr
				}
				if !skip {
					delivered = true
					if err := fn(ev); err != nil || ev.IsTerminalStatus() {
						return delivered, err == nil, err
					}
				}
			}
			name, id = "", ""
			data.Reset()
		case field == "event":
			name = value
		case field == "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		case field == "id":
			id = value
		case field == "retry":
			if ms, perr := strconv.Atoi(value); perr == nil {
				st.retry = time.Duration(ms) * time.Millisecond
			}
		}
	}
}

// decode turns one SSE message into an Event; skip is true for a replay of an event an
// earlier connection delivered.
func (st *followState) decode(name, id, data string) (ev Event, skip bool, err error) {
	if id != "" {
		st.lastID = id
	} else if st.lastID == "" {
		key := name + "\x00" + data
		st.cur[key]++
		if st.cur[key] <= st.prev[key] {
			return Event{}, true, nil
		}
	}
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return Event{}, false, fmt.Errorf("decoding %s event %q: %w", name, data, err)
	}
	ev.ID = id
	if name != "" && name != "message" {
		ev.Kind = name
	}
	return ev, false, nil
}

func (st *followState) mergeCounts() {
	for k, n := range st.cur {
		st.prev[k] = max(st.prev[k], n)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func firstPositive(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}
