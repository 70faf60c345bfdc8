package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

func TestMetricsCountEventsAndRequests(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "errand.db"))
	require.NoError(t, err)
	defer st.Close()
	m := NewMetrics(st, []string{"slack"})
	m.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, Status: "completed"})
	m.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, Status: "failed"})
	m.OnEvent(engine.Event{Kind: engine.EventStepFinished, StepType: "slack", Status: "failed", Duration: 3 * time.Millisecond})
	m.OnEvent(engine.Event{Kind: engine.EventStepFinished, StepType: "console", Status: "completed", Duration: time.Millisecond})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/things/42")
	require.NoError(t, err)
	resp.Body.Close()

	resp, err = http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`errand_executions_total{status="completed"} 1`,
		`errand_executions_total{status="failed"} 1`,
		`errand_connector_calls_total{outcome="failed",type="slack"} 1`,
		`errand_step_duration_seconds_count{status="completed",type="console"} 1`,
		`errand_api_request_duration_seconds_count{code="418",method="GET",route="GET /api/things/{id}"} 1`,
		`errand_queue_executions{status="pending"} 0`,
	} {
		require.True(t, strings.Contains(text, want), "missing %s", want)
	}
	require.NotContains(t, text, `errand_connector_calls_total{outcome="completed",type="console"}`)
}

func TestRouteOfBoundsLabels(t *testing.T) {
	for path, want := range map[string]string{
		"/api/workflows": "/api/workflows",
		"/api/workflows/workflow/workflow-0215c55f/run":                         "/api/workflows/workflow/{id}/run",
		"/api/workflows/executions/01a22250-47e1-70bf-bf93-83d60ae38988/events": "/api/workflows/executions/{id}/events",
		"/s/marketing/api/workflows/workflow/abc123/run":                        "/s/{space}/api/workflows/workflow/{id}/run",
		"/api/actions/connector/my-slack":                                       "/api/actions/connector/my-slack",
		"/wp-admin/setup.php":                                                   "other",
		"/healthz":                                                              "/healthz",
	} {
		require.Equal(t, want, routeOf(path), path)
	}
}
