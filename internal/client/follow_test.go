package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/client"
	"github.com/errand-dev/errand/internal/client/clienttest"
)

const threeStepYAML = `name: three
enabled: true
triggers:
  - type: manual
steps:
  - name: one
    type: console
    with:
      message: first
  - name: two
    type: console
    with:
      message: second
  - name: three
    type: console
    with:
      message: third
`

// summary is one line per event, to compare streams.
func summary(ev client.Event) string {
	switch ev.Kind {
	case "log":
		return "log " + ev.Message
	case "status":
		return "status " + ev.Status
	}
	return ev.Kind + " " + ev.StepName + " " + ev.Status
}

func TestFollow(t *testing.T) {
	full := []string{"status running",
		"step_started one running", "log Log from step one: first", "step_finished one completed",
		"step_started two running", "log Log from step two: second", "step_finished two completed",
		"step_started three running", "log Log from step three: third", "step_finished three completed",
		"status completed"}
	for _, tc := range []struct {
		name      string
		sendIDs   bool
		dropAfter int
	}{
		{"one stream without ids", false, 0},
		{"one stream with ids", true, 0},
		{"dropped, resumed with Last-Event-ID", true, 4},
		{"dropped, replay without ids skipped", false, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := clienttest.New(t, key)
			f.SendIDs, f.DropAfter = tc.sendIDs, tc.dropAfter
			c, err := client.New(f.URL, key, client.WithReconnectWait(time.Millisecond))
			require.NoError(t, err)
			id, err := c.TestWorkflow(ctx, threeStepYAML, nil)
			require.NoError(t, err)
			var got []string
			require.NoError(t, c.Follow(ctx, id, func(ev client.Event) error {
				require.Equal(t, id, ev.ExecutionID)
				got = append(got, summary(ev))
				return nil
			}))
			require.Equal(t, full, got)
			streams := 0
			for _, r := range f.Requests() {
				if r.Path == "/api/workflows/executions/"+id+"/events" {
					streams++
					require.Equal(t, "text/event-stream", r.Header.Get("Accept"))
					if streams == 2 && tc.sendIDs {
						require.Equal(t, fmt.Sprint(tc.dropAfter), r.Header.Get("Last-Event-ID"))
					}
				}
			}
			require.Equal(t, map[bool]int{false: 1, true: 2}[tc.dropAfter > 0], streams)
		})
	}
}

func TestFollowStepDetails(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	c := newClient(t, f, key)
	id, err := c.TestWorkflow(ctx, `name: failing
triggers:
  - type: manual
steps:
  - name: fail-now
    type: console
    with:
      message: x
`, nil)
	require.NoError(t, err)
	var last, finished client.Event
	require.NoError(t, c.Follow(ctx, id, func(ev client.Event) error {
		if ev.Kind == "step_finished" {
			finished = ev
		}
		last = ev
		return nil
	}))
	require.True(t, last.IsTerminalStatus())
	require.Equal(t, "failed", last.Status)
	require.Equal(t, "step fail-now failed", last.Error.Message)
	require.Equal(t, 1500*time.Microsecond, finished.Duration)
	require.Equal(t, "fail-now#1", finished.StepPath)
	require.False(t, finished.Time.IsZero())
}

func TestFollowStopsOnCallbackError(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	c := newClient(t, f, key)
	id, err := c.TestWorkflow(ctx, threeStepYAML, nil)
	require.NoError(t, err)
	stop := errors.New("stop")
	n := 0
	err = c.Follow(ctx, id, func(client.Event) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, n)
}

func TestFollowErrors(t *testing.T) {
	ctx := context.Background()
	f := clienttest.New(t, key)
	err := newClient(t, f, key).Follow(ctx, "nope", func(client.Event) error { return nil })
	require.ErrorIs(t, err, client.ErrNotFound)
	err = newClient(t, f, "wrong").Follow(ctx, "nope", func(client.Event) error { return nil })
	require.ErrorIs(t, err, client.ErrUnauthenticated)
}

// TestFollowGivesUp checks that a server whose stream always ends at once, for an execution
// that never finishes, ends Follow with ErrStreamEnded rather than looping forever.
func TestFollowGivesUp(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/workflows/executions/x/events", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
	})
	mux.HandleFunc("GET /api/workflows/executions/x", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"id":"x","status":"running"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := client.New(srv.URL, "", client.WithReconnectWait(time.Millisecond))
	require.NoError(t, err)
	err = c.Follow(context.Background(), "x", func(client.Event) error { return nil })
	require.ErrorIs(t, err, client.ErrStreamEnded)
}

// TestFollowSynthesizesFinalStatus checks that a stream that ends without the terminal
// status, for an execution that has finished, ends with a status event read from the
// execution.
func TestFollowSynthesizesFinalStatus(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/workflows/executions/x/events", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("event: step_started\ndata: {\"executionId\":\"x\",\"stepName\":\"a\"}\n\n"))
	})
	mux.HandleFunc("GET /api/workflows/executions/x", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"id":"x","status":"timed_out","error":"took too long"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := client.New(srv.URL, "", client.WithReconnectWait(time.Millisecond))
	require.NoError(t, err)
	var got []client.Event
	require.NoError(t, c.Follow(context.Background(), "x", func(ev client.Event) error { got = append(got, ev); return nil }))
	require.Len(t, got, 2)
	require.Equal(t, "step_started", got[0].Kind)
	require.Equal(t, "timed_out", got[1].Status)
	require.Equal(t, "took too long", got[1].Error.Message)
}
