package server

import (
	"container/list"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// tracerName is the instrumentation scope of Errand's spans.
const tracerName = "github.com/errand-dev/errand/internal/server"

// maxTracedExecutions bounds the executions whose span is open at once: an execution whose
// terminal event never arrives (it finished on another node, or the event was lost) is ended
// early rather than kept forever.
const maxTracedExecutions = 10000

// Span attribute keys of Errand's own spans.
const (
	attrExecutionID     = attribute.Key("errand.execution.id")
	attrExecutionStatus = attribute.Key("errand.execution.status")
	attrStepPath        = attribute.Key("errand.step.path")
	attrStepName        = attribute.Key("errand.step.name")
	attrStepType        = attribute.Key("errand.step.type")
	attrStepStatus      = attribute.Key("errand.step.status")
	attrErrorMessage    = attribute.Key("error.message")
	attrEvicted         = attribute.Key("errand.execution.evicted")
	attrInterrupted     = attribute.Key("errand.execution.interrupted")
)

// Tracing exports OpenTelemetry traces: one span per execution with a child span per
// finished step attempt (it is an engine Observer), and one server span per API request
// (its Middleware). A nil *Tracing is tracing off: Middleware returns the handler unchanged
// and Shutdown does nothing.
type Tracing struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	max    int

	mu    sync.Mutex
	execs map[string]*execSpan
	order *list.List // execution ids, oldest span first
}

// execSpan is the open span of one execution.
type execSpan struct {
	ctx  context.Context
	span trace.Span
	elem *list.Element
}

// NewTracing reads the standard OpenTelemetry variables through env and returns the
// tracing they configure, or nil when traces are off: OTEL_TRACES_EXPORTER is "none",
// OTEL_SDK_DISABLED is "true", or OTEL_TRACES_EXPORTER is unset and neither
// OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is. Exporters are
// "otlp" (HTTP, protobuf or JSON) and "console" (standard output), comma separated; the
// service is named by OTEL_SERVICE_NAME (default "errand") with the resource attributes of
// OTEL_RESOURCE_ATTRIBUTES. Spans are exported in batches; call Shutdown to flush them.
func NewTracing(ctx context.Context, serviceVersion string, env func(string) string) (*Tracing, error) {
	if strings.EqualFold(strings.TrimSpace(env("OTEL_SDK_DISABLED")), "true") {
		return nil, nil
	}
	names, err := traceExporterNames(env)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	res, err := tracingResource(ctx, serviceVersion, env)
	if err != nil {
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	for _, name := range names {
		var exp sdktrace.SpanExporter
		switch name {
		case "otlp":
			exp, err = newOTLPExporter(ctx, env)
		case "console":
			exp, err = stdouttrace.New(stdouttrace.WithWriter(os.Stdout))
		}
		if err != nil {
			return nil, fmt.Errorf("creating the %s trace exporter: %w", name, err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	return newTracing(sdktrace.NewTracerProvider(opts...)), nil
}

// newTracing builds a Tracing on tp.
func newTracing(tp *sdktrace.TracerProvider) *Tracing {
	return &Tracing{
		tp:     tp,
		tracer: tp.Tracer(tracerName),
		prop:   propagation.TraceContext{},
		max:    maxTracedExecutions,
		execs:  map[string]*execSpan{},
		order:  list.New(),
	}
}

// traceExporterNames reads OTEL_TRACES_EXPORTER: nil means traces are off.
func traceExporterNames(env func(string) string) ([]string, error) {
	v := strings.TrimSpace(env("OTEL_TRACES_EXPORTER"))
	if v == "" {
		if env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && env("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
			return nil, nil
		}
		return []string{"otlp"}, nil
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(v, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		switch n {
		case "none":
			return nil, nil
		case "otlp", "console":
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		case "":
		default:
			return nil, fmt.Errorf("OTEL_TRACES_EXPORTER: unsupported exporter %q (use otlp, console or none)", n)
		}
	}
	return names, nil
}

// tracingResource describes the service: OTEL_RESOURCE_ATTRIBUTES, then service.name from
// OTEL_SERVICE_NAME (or "errand" when neither names it) and service.version.
func tracingResource(ctx context.Context, serviceVersion string, env func(string) string) (*resource.Resource, error) {
	pairs, err := parseKeyValues(env("OTEL_RESOURCE_ATTRIBUTES"))
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	attrs := make([]attribute.KeyValue, 0, len(pairs)+2)
	name := "errand"
	for k, v := range pairs {
		if k == string(semconv.ServiceNameKey) {
			name = v
			continue
		}
		attrs = append(attrs, attribute.String(k, v))
	}
	if v := strings.TrimSpace(env("OTEL_SERVICE_NAME")); v != "" {
		name = v
	}
	attrs = append(attrs, semconv.ServiceName(name))
	if serviceVersion != "" {
		attrs = append(attrs, semconv.ServiceVersion(serviceVersion))
	}
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(attrs...))
	if err != nil {
		return nil, fmt.Errorf("describing the traced service: %w", err)
	}
	return res, nil
}

// newOTLPExporter builds the OTLP/HTTP exporter from the endpoint, headers and protocol
// variables in env (the exporter reads the remaining OTEL_EXPORTER_OTLP_* variables, such
// as the certificate, compression and timeout, from the process environment).
func newOTLPExporter(ctx context.Context, env func(string) string) (sdktrace.SpanExporter, error) {
	var opts []otlptracehttp.Option
	endpoint := strings.TrimSpace(env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
	if endpoint == "" {
		if base := strings.TrimSpace(env("OTEL_EXPORTER_OTLP_ENDPOINT")); base != "" {
			endpoint = strings.TrimRight(base, "/") + "/v1/traces"
		}
	}
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("OTLP endpoint %q is not an http:// or https:// URL", endpoint)
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(endpoint))
	}
	protocol := strings.TrimSpace(env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
	if protocol == "" {
		protocol = strings.TrimSpace(env("OTEL_EXPORTER_OTLP_PROTOCOL"))
	}
	switch protocol {
	case "", "http/protobuf":
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf))
	case "http/json":
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
	default:
		return nil, fmt.Errorf("OTLP protocol %q is not supported (use http/protobuf or http/json)", protocol)
	}
	headers, err := parseKeyValues(env("OTEL_EXPORTER_OTLP_HEADERS"))
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_HEADERS: %w", err)
	}
	traceHeaders, err := parseKeyValues(env("OTEL_EXPORTER_OTLP_TRACES_HEADERS"))
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_TRACES_HEADERS: %w", err)
	}
	for k, v := range traceHeaders {
		headers[k] = v
	}
	if len(headers) > 0 {
		opts = append(opts, otlptracehttp.WithHeaders(headers))
	}
	return otlptracehttp.New(ctx, opts...)
}

// parseKeyValues parses the "key1=value1,key2=value2" lists of the OpenTelemetry variables;
// keys and values are URL-decoded.
func parseKeyValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", strings.TrimSpace(item))
		}
		dk, err := url.PathUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("decoding key %q: %w", k, err)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("decoding the value of %q: %w", k, err)
		}
		out[dk] = dv
	}
	return out, nil
}

// OnEvent implements engine.Observer: the first running status of an execution starts its
// span, a terminal status ends it, and each finished step attempt becomes a child span
// covering the attempt.
func (t *Tracing) OnEvent(ev engine.Event) {
	switch ev.Kind {
	case engine.EventExecutionStatus:
		t.executionStatus(ev)
	case engine.EventStepFinished:
		t.stepFinished(ev)
	}
}

// executionStatus starts, annotates or ends the span of ev's execution.
func (t *Tracing) executionStatus(ev engine.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	es := t.execs[ev.ExecutionID]
	if es == nil {
		if ev.Status != store.StatusRunning {
			return // not started here: a cancelled pending execution, or one run elsewhere
		}
		if t.order.Len() >= t.max {
			t.evictOldest(ev.Time)
		}
		ctx, span := t.tracer.Start(context.Background(), "workflow.execution",
			trace.WithTimestamp(ev.Time),
			trace.WithAttributes(attrExecutionID.String(ev.ExecutionID), attrExecutionStatus.String(ev.Status)))
		t.execs[ev.ExecutionID] = &execSpan{ctx: ctx, span: span, elem: t.order.PushBack(ev.ExecutionID)}
		return
	}
	es.span.SetAttributes(attrExecutionStatus.String(ev.Status))
	if !store.IsTerminal(ev.Status) {
		es.span.AddEvent("status "+ev.Status, trace.WithTimestamp(ev.Time))
		return
	}
	setErrorAttributes(es.span, ev.Status, ev.Error)
	es.span.End(trace.WithTimestamp(ev.Time))
	t.order.Remove(es.elem)
	delete(t.execs, ev.ExecutionID)
}

// evictOldest ends the oldest open execution span at end, marked evicted. The caller holds
// t.mu.
func (t *Tracing) evictOldest(end time.Time) {
	front := t.order.Front()
	if front == nil {
		return
	}
	id := front.Value.(string)
	es := t.execs[id]
	es.span.SetAttributes(attrEvicted.Bool(true))
	es.span.End(trace.WithTimestamp(end))
	t.order.Remove(front)
	delete(t.execs, id)
}

// stepFinished records one finished step attempt as a child of its execution's span (a
// root span when that span is unknown here).
func (t *Tracing) stepFinished(ev engine.Event) {
	parent := context.Background()
	t.mu.Lock()
	if es := t.execs[ev.ExecutionID]; es != nil {
		parent = es.ctx
	}
	t.mu.Unlock()
	_, span := t.tracer.Start(parent, "workflow.step "+ev.StepType,
		trace.WithTimestamp(ev.Time.Add(-ev.Duration)),
		trace.WithAttributes(
			attrExecutionID.String(ev.ExecutionID),
			attrStepPath.String(ev.StepPath),
			attrStepName.String(ev.StepName),
			attrStepType.String(ev.StepType),
			attrStepStatus.String(ev.Status),
		))
	setErrorAttributes(span, ev.Status, ev.Error)
	span.End(trace.WithTimestamp(ev.Time))
}

// setErrorAttributes records serr on span and marks the span failed when status is failed
// or timed_out.
func setErrorAttributes(span trace.Span, status string, serr *engine.StepError) {
	if serr != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(serr.Type), attrErrorMessage.String(serr.Message))
	}
	if status != store.StatusFailed && status != store.StatusTimedOut {
		return
	}
	msg := status
	if serr != nil && serr.Message != "" {
		msg = serr.Message
	}
	span.SetStatus(codes.Error, msg)
}

// Middleware starts a server span for each request, continuing the W3C trace context of
// its traceparent header, named by the method and the bounded route (as in the metrics)
// and ended with the response status code.
func (t *Tracing) Middleware(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path)))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = routeOf(r.URL.Path)
		}
		if _, pattern, ok := strings.Cut(route, " "); ok {
			route = pattern // the mux's "GET /metrics": the method is an attribute already
		}
		span.SetName(r.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(sw.code))
		if sw.code >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(sw.code))
		}
	})
}

// Shutdown ends the spans of executions still open (marked interrupted: they continue
// after the next start) and flushes the spans not yet exported, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	now := time.Now()
	for id, es := range t.execs {
		es.span.SetAttributes(attrInterrupted.Bool(true))
		es.span.End(trace.WithTimestamp(now))
		delete(t.execs, id)
	}
	t.order.Init()
	t.mu.Unlock()
	if err := t.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("flushing traces: %w", err)
	}
	return nil
}
