package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/errand-dev/errand/internal/engine"
)

// mapEnv is an env func reading m.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// keptExporter is an in-memory exporter that keeps its spans on Shutdown.
type keptExporter struct{ *tracetest.InMemoryExporter }

func (keptExporter) Shutdown(context.Context) error { return nil }

// newTestTracing is a Tracing exporting synchronously to the returned in-memory exporter.
func newTestTracing() (*Tracing, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	return newTracing(sdktrace.NewTracerProvider(sdktrace.WithSyncer(keptExporter{exp}))), exp
}

// attrs maps the attributes of a span.
func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// spanNamed returns the only span called name.
func spanNamed(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

func TestNewTracingOff(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no variables":         {},
		"only a service name":  {"OTEL_SERVICE_NAME": "errand-prod", "OTEL_RESOURCE_ATTRIBUTES": "team=ops"},
		"exporter none":        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
		"sdk disabled":         {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
		"exporter list blanks": {"OTEL_TRACES_EXPORTER": " , "},
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := NewTracing(t.Context(), "1.0.0", mapEnv(env))
			require.NoError(t, err)
			require.Nil(t, tr)
			next := http.NotFoundHandler()
			require.NotNil(t, tr.Middleware(next))
			require.NoError(t, tr.Shutdown(t.Context()))
		})
	}
}

func TestNewTracingRejectsBadSettings(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"unknown exporter":   {map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, `unsupported exporter "zipkin"`},
		"grpc protocol":      {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, `OTLP protocol "grpc" is not supported`},
		"endpoint no scheme": {map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "collector:4318"}, "is not an http:// or https:// URL"},
		"bad attributes":     {map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_RESOURCE_ATTRIBUTES": "team"}, `OTEL_RESOURCE_ATTRIBUTES: "team" is not key=value`},
		"bad headers":        {map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_HEADERS": "x-key=%zz"}, "OTEL_EXPORTER_OTLP_HEADERS: decoding the value"},
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := NewTracing(t.Context(), "1.0.0", mapEnv(tc.env))
			require.ErrorContains(t, err, tc.want)
			require.Nil(t, tr)
		})
	}
}

func TestNewTracingConsole(t *testing.T) {
	tr, err := NewTracing(t.Context(), "1.0.0", mapEnv(map[string]string{"OTEL_TRACES_EXPORTER": "console,console"}))
	require.NoError(t, err)
	require.NotNil(t, tr)
	require.NoError(t, tr.Shutdown(t.Context()))
}

// otlpRequest is one export received by the fake collector.
type otlpRequest struct {
	path   string
	header http.Header
	body   *coltracepb.ExportTraceServiceRequest
}

func TestNewTracingExportsOverOTLP(t *testing.T) {
	var (
		mu  sync.Mutex
		got []otlpRequest
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		req := &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, otlpRequest{path: r.URL.Path, header: r.Header.Clone(), body: req})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()

	for name, tc := range map[string]struct {
		env         map[string]string
		wantPath    string
		wantService string
	}{
		"base endpoint": {
			env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL + "/", "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=s%20ecret",
				"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=test,team=ops"},
			wantPath: "/v1/traces", wantService: "errand",
		},
		"traces endpoint and service name": {
			env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.URL + "/custom/traces", "OTEL_TRACES_EXPORTER": "otlp",
				"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-api-key=s%20ecret", "OTEL_SERVICE_NAME": "errand-test",
				"OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored,team=ops"},
			wantPath: "/custom/traces", wantService: "errand-test",
		},
	} {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			tr, err := NewTracing(t.Context(), "1.2.3", mapEnv(tc.env))
			require.NoError(t, err)
			require.NotNil(t, tr)
			t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "running", Time: t0})
			tr.OnEvent(engine.Event{Kind: engine.EventStepFinished, ExecutionID: "ex-1", StepPath: "hello", StepName: "hello",
				StepType: "console", Status: "completed", Duration: time.Second, Time: t0.Add(2 * time.Second)})
			tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "completed", Time: t0.Add(3 * time.Second)})
			require.NoError(t, tr.Shutdown(t.Context()))

			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, got)
			names := map[string]bool{}
			for _, req := range got {
				require.Equal(t, tc.wantPath, req.path)
				require.Equal(t, "s ecret", req.header.Get("x-api-key"))
				for _, rs := range req.body.GetResourceSpans() {
					res := map[string]string{}
					for _, kv := range rs.GetResource().GetAttributes() {
						res[kv.GetKey()] = kv.GetValue().GetStringValue()
					}
					require.Equal(t, tc.wantService, res["service.name"])
					require.Equal(t, "1.2.3", res["service.version"])
					require.Equal(t, "ops", res["team"])
					for _, ss := range rs.GetScopeSpans() {
						for _, sp := range ss.GetSpans() {
							names[sp.GetName()] = true
						}
					}
				}
			}
			require.Equal(t, map[string]bool{"workflow.execution": true, "workflow.step console": true}, names)
		})
	}
}

func TestTracingSpansFromEvents(t *testing.T) {
	tr, exp := newTestTracing()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stepErr := &engine.StepError{Type: "HttpError", Message: "503 Service Unavailable"}
	execErr := &engine.StepError{Type: "StepFailed", Message: "step notify failed"}
	for _, ev := range []engine.Event{
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "pending", Time: t0.Add(-time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "running", Time: t0},
		{Kind: engine.EventStepStarted, ExecutionID: "ex-1", StepPath: "fetch", StepName: "fetch", StepType: "http", Status: "running", Time: t0},
		{Kind: engine.EventLog, ExecutionID: "ex-1", StepPath: "fetch", Message: "calling", Time: t0},
		{Kind: engine.EventStepFinished, ExecutionID: "ex-1", StepPath: "fetch", StepName: "fetch", StepType: "http",
			Status: "completed", Duration: 1500 * time.Millisecond, Time: t0.Add(2 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "waiting", Time: t0.Add(3 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-2", Status: "running", Time: t0.Add(3 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "running", Time: t0.Add(10 * time.Second)},
		{Kind: engine.EventStepFinished, ExecutionID: "ex-1", StepPath: "notify", StepName: "notify", StepType: "slack",
			Status: "failed", Error: stepErr, Duration: 250 * time.Millisecond, Time: t0.Add(11 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "failed", Error: execErr, Time: t0.Add(12 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-2", Status: "completed", Time: t0.Add(4 * time.Second)},
		{Kind: engine.EventExecutionStatus, ExecutionID: "ex-3", Status: "cancelled", Time: t0.Add(5 * time.Second)},
	} {
		tr.OnEvent(ev)
	}
	spans := exp.GetSpans()
	require.Len(t, spans, 4)

	var execs []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == "workflow.execution" {
			execs = append(execs, s)
		}
	}
	require.Len(t, execs, 2)
	byID := map[string]tracetest.SpanStub{}
	for _, s := range execs {
		require.False(t, s.Parent.IsValid(), "an execution span is a root")
		byID[attrs(s)[attrExecutionID].AsString()] = s
	}
	ex1, ex2 := byID["ex-1"], byID["ex-2"]
	require.Equal(t, t0, ex1.StartTime)
	require.Equal(t, t0.Add(12*time.Second), ex1.EndTime)
	require.Equal(t, "failed", attrs(ex1)[attrExecutionStatus].AsString())
	require.Equal(t, "StepFailed", attrs(ex1)["error.type"].AsString())
	require.Equal(t, "step notify failed", attrs(ex1)[attrErrorMessage].AsString())
	require.Equal(t, codes.Error, ex1.Status.Code)
	require.Equal(t, "step notify failed", ex1.Status.Description)
	var events []string
	for _, e := range ex1.Events {
		events = append(events, e.Name)
	}
	require.Equal(t, []string{"status waiting", "status running"}, events)
	require.Equal(t, t0.Add(3*time.Second), ex2.StartTime)
	require.Equal(t, t0.Add(4*time.Second), ex2.EndTime)
	require.Equal(t, "completed", attrs(ex2)[attrExecutionStatus].AsString())
	require.Equal(t, codes.Unset, ex2.Status.Code)
	require.NotEqual(t, ex1.SpanContext.TraceID(), ex2.SpanContext.TraceID())

	for _, tc := range []struct {
		name       string
		path       string
		status     string
		start, end time.Time
		code       codes.Code
		errType    string
		errMessage string
	}{
		{name: "workflow.step http", path: "fetch", status: "completed", start: t0.Add(500 * time.Millisecond), end: t0.Add(2 * time.Second), code: codes.Unset},
		{name: "workflow.step slack", path: "notify", status: "failed", start: t0.Add(10750 * time.Millisecond), end: t0.Add(11 * time.Second),
			code: codes.Error, errType: "HttpError", errMessage: "503 Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := spanNamed(t, spans, tc.name)
			require.Equal(t, ex1.SpanContext.TraceID(), s.SpanContext.TraceID())
			require.Equal(t, ex1.SpanContext.SpanID(), s.Parent.SpanID())
			require.Equal(t, tc.start, s.StartTime)
			require.Equal(t, tc.end, s.EndTime)
			a := attrs(s)
			require.Equal(t, "ex-1", a[attrExecutionID].AsString())
			require.Equal(t, tc.path, a[attrStepPath].AsString())
			require.Equal(t, tc.path, a[attrStepName].AsString())
			require.Equal(t, tc.status, a[attrStepStatus].AsString())
			require.Equal(t, tc.code, s.Status.Code)
			require.Equal(t, tc.errType, a["error.type"].AsString())
			require.Equal(t, tc.errMessage, a[attrErrorMessage].AsString())
		})
	}
	require.Empty(t, tr.execs, "terminal events clean up")
	require.Zero(t, tr.order.Len())
}

func TestTracingStepWithoutExecutionSpanIsARoot(t *testing.T) {
	tr, exp := newTestTracing()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tr.OnEvent(engine.Event{Kind: engine.EventStepFinished, ExecutionID: "elsewhere", StepPath: "a", StepName: "a", StepType: "console",
		Status: "completed", Duration: time.Second, Time: t0})
	s := spanNamed(t, exp.GetSpans(), "workflow.step console")
	require.False(t, s.Parent.IsValid())
	require.Equal(t, "elsewhere", attrs(s)[attrExecutionID].AsString())
	require.Equal(t, t0.Add(-time.Second), s.StartTime)
}

func TestTracingCapsOpenExecutions(t *testing.T) {
	tr, exp := newTestTracing()
	tr.max = 2
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, id := range []string{"ex-1", "ex-2", "ex-3"} {
		tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: id, Status: "running", Time: t0.Add(time.Duration(i) * time.Second)})
	}
	require.Len(t, tr.execs, 2)
	require.NotContains(t, tr.execs, "ex-1")
	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	a := attrs(spans[0])
	require.Equal(t, "ex-1", a[attrExecutionID].AsString())
	require.True(t, a[attrEvicted].AsBool())
	require.Equal(t, t0.Add(2*time.Second), spans[0].EndTime)

	// The evicted execution's terminal event is ignored; the others still end normally.
	tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "completed", Time: t0.Add(3 * time.Second)})
	tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: "ex-2", Status: "completed", Time: t0.Add(3 * time.Second)})
	require.Len(t, exp.GetSpans(), 2)
	require.Len(t, tr.execs, 1)
	require.Equal(t, 1, tr.order.Len())
}

func TestTracingShutdownEndsOpenSpans(t *testing.T) {
	tr, exp := newTestTracing()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tr.OnEvent(engine.Event{Kind: engine.EventExecutionStatus, ExecutionID: "ex-1", Status: "running", Time: t0})
	require.Empty(t, exp.GetSpans())
	require.NoError(t, tr.Shutdown(t.Context()))
	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	require.True(t, attrs(spans[0])[attrInterrupted].AsBool())
	require.Empty(t, tr.execs)
}

func TestTracingMiddleware(t *testing.T) {
	tr, exp := newTestTracing()
	var seen trace.SpanContext
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context())
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context())
		w.WriteHeader(http.StatusInternalServerError)
	})
	h := tr.Middleware(mux)

	for _, tc := range []struct {
		name        string
		method      string
		path        string
		traceparent string
		wantName    string
		wantRoute   string
		wantCode    int
		wantStatus  codes.Code
	}{
		{name: "pattern and incoming trace context", method: http.MethodGet, path: "/api/things/42",
			traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
			wantName:    "GET /api/things/{id}", wantRoute: "/api/things/{id}", wantCode: http.StatusTeapot, wantStatus: codes.Unset},
		{name: "bounded route and server error", method: http.MethodPost, path: "/api/workflows/executions/01a22250-47e1-70bf-bf93-83d60ae38988/cancel",
			wantName: "POST /api/workflows/executions/{id}/cancel", wantRoute: "/api/workflows/executions/{id}/cancel",
			wantCode: http.StatusInternalServerError, wantStatus: codes.Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp.Reset()
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.traceparent != "" {
				req.Header.Set("traceparent", tc.traceparent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.wantCode, rec.Code)

			spans := exp.GetSpans()
			require.Len(t, spans, 1)
			s := spans[0]
			require.Equal(t, tc.wantName, s.Name)
			require.Equal(t, trace.SpanKindServer, s.SpanKind)
			require.Equal(t, s.SpanContext, seen, "the handler runs inside the server span")
			a := attrs(s)
			require.Equal(t, tc.method, a["http.request.method"].AsString())
			require.Equal(t, tc.wantRoute, a["http.route"].AsString())
			require.Equal(t, tc.path, a["url.path"].AsString())
			require.Equal(t, int64(tc.wantCode), a["http.response.status_code"].AsInt64())
			require.Equal(t, tc.wantStatus, s.Status.Code)
			if tc.traceparent != "" {
				require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", s.SpanContext.TraceID().String())
				require.Equal(t, "00f067aa0ba902b7", s.Parent.SpanID().String())
				require.True(t, s.Parent.IsRemote())
			} else {
				require.False(t, s.Parent.IsValid())
			}
		})
	}
}

// TestServiceExportsTraces runs a workflow through `errand serve` with an OTLP endpoint set
// and checks that Stop flushes the request, execution and step spans to the collector.
func TestServiceExportsTraces(t *testing.T) {
	var (
		mu    sync.Mutex
		spans = map[string][]map[string]string{} // span name → attributes of each
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					a := map[string]string{}
					for _, kv := range sp.GetAttributes() {
						a[kv.GetKey()] = kv.GetValue().GetStringValue()
					}
					spans[sp.GetName()] = append(spans[sp.GetName()], a)
				}
			}
		}
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)

	svc := startService(t, t.TempDir())
	token := svc.BootstrapToken
	yaml := "version: \"1\"\nname: traced\ntriggers:\n  - type: manual\nsteps:\n" +
		"  - name: say\n    type: console\n    with:\n      message: hello\n"
	body, _ := json.Marshal(map[string]any{"yaml": yaml})
	code, wf := call(t, svc, token, "POST", "/api/workflows/workflow", string(body))
	require.Equal(t, http.StatusOK, code, "%v", wf)
	code, run := call(t, svc, token, "POST", "/api/workflows/workflow/"+wf["id"].(string)+"/run", `{"inputs":{}}`)
	require.Equal(t, http.StatusOK, code, "%v", run)
	execID := run["workflowExecutionId"].(string)
	require.Eventually(t, func() bool {
		_, ex := call(t, svc, token, "GET", "/api/workflows/executions/"+execID, "")
		return ex["status"] == "completed"
	}, 20*time.Second, 20*time.Millisecond)
	svc.Stop()

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, spans["workflow.execution"], 1)
	require.Equal(t, execID, spans["workflow.execution"][0]["errand.execution.id"])
	require.Equal(t, "completed", spans["workflow.execution"][0]["errand.execution.status"])
	require.Len(t, spans["workflow.step console"], 1)
	require.Equal(t, "say", spans["workflow.step console"][0]["errand.step.name"])
	require.NotEmpty(t, spans["POST /api/workflows/workflow/{id}/run"], "server spans: %v", spans)
}
