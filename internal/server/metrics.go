package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// Metrics are Errand's Prometheus metrics: executions by status, step duration by type,
// connector calls by type and outcome, queue depth and API latency. It is an engine
// Observer and an HTTP middleware.
type Metrics struct {
	reg            *prometheus.Registry
	executions     *prometheus.CounterVec
	stepDuration   *prometheus.HistogramVec
	connectorCalls *prometheus.CounterVec
	apiLatency     *prometheus.HistogramVec
	connectorSteps map[string]bool
}

// NewMetrics registers the metrics. connectorStepTypes are the step types served by
// connectors (their calls are also counted by outcome); st feeds the queue depth gauge.
func NewMetrics(st store.Store, connectorStepTypes []string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), connectorSteps: map[string]bool{}}
	for _, t := range connectorStepTypes {
		m.connectorSteps[t] = true
	}
	m.executions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "errand_executions_total",
		Help: "Executions that reached a status, by status."}, []string{"status"})
	m.stepDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "errand_step_duration_seconds",
		Help: "Duration of finished step attempts, by step type and status.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)},
		[]string{"type", "status"})
	m.connectorCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "errand_connector_calls_total",
		Help: "Connector step attempts, by step type and outcome."}, []string{"type", "outcome"})
	m.apiLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "errand_api_request_duration_seconds",
		Help: "API request latency, by method, route and status code.", Buckets: prometheus.DefBuckets},
		[]string{"method", "route", "code"})
	m.reg.MustRegister(m.executions, m.stepDuration, m.connectorCalls, m.apiLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newQueueCollector(st))
	return m
}

// OnEvent implements engine.Observer.
func (m *Metrics) OnEvent(ev engine.Event) {
	switch ev.Kind {
	case engine.EventExecutionStatus:
		m.executions.WithLabelValues(ev.Status).Inc()
	case engine.EventStepFinished:
		m.stepDuration.WithLabelValues(ev.StepType, ev.Status).Observe(ev.Duration.Seconds())
		if m.connectorSteps[ev.StepType] {
			m.connectorCalls.WithLabelValues(ev.StepType, ev.Status).Inc()
		}
	}
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Middleware records the latency of each request by the route pattern that served it.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = routeOf(r.URL.Path)
		}
		m.apiLatency.WithLabelValues(r.Method, route, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}

// routeOf turns a request path into a bounded route label: ids become {id}, spaces {space},
// and paths outside the API are "other".
func routeOf(path string) string {
	if !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/s/") {
		switch path {
		case "/healthz", "/readyz", "/metrics":
			return path
		}
		return "other"
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		switch {
		case i > 0 && parts[i-1] == "s":
			parts[i] = "{space}"
		case looksLikeID(p):
			parts[i] = "{id}"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// looksLikeID reports whether a path segment is an identifier rather than a fixed word.
func looksLikeID(seg string) bool {
	if len(seg) >= 16 || strings.HasPrefix(seg, "workflow-") {
		return true
	}
	for _, c := range seg {
		if c >= 'a' && c <= 'z' || c == '_' {
			continue
		}
		if c == '-' || c >= 'A' && c <= 'Z' {
			continue
		}
		return true // digits or other characters: an id
	}
	return false
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Flush lets server-sent events through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// queueCollector reports executions waiting to run, read from the store at scrape time.
type queueCollector struct {
	st      store.Store
	pending *prometheus.Desc
}

func newQueueCollector(st store.Store) *queueCollector {
	return &queueCollector{st: st, pending: prometheus.NewDesc("errand_queue_executions",
		"Executions not yet finished, by status (pending and queued are the queue's backlog).", []string{"status"}, nil)}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.pending }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, status := range []string{store.StatusPending, store.StatusQueued, store.StatusRunning, store.StatusWaiting} {
		_, n, err := c.st.ExecutionList(ctx, store.ExecutionListParams{Statuses: []string{status}, Limit: 1})
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(n), status)
	}
}
