package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/api"
	"github.com/errand-dev/errand/internal/auth"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/events"
	"github.com/errand-dev/errand/internal/trigger"
)

// ServeConfig is the configuration of `errand serve`: the runtime's plus the service's.
type ServeConfig struct {
	Config
	// Listen is the HTTP address (default 127.0.0.1:8080; env ERRAND_LISTEN).
	Listen string
	// Retention deletes executions finished longer ago than this (default 720h = 30 days;
	// env ERRAND_RETENTION; 0 keeps everything).
	Retention time.Duration
	// ShutdownTimeout bounds the graceful stop (default 30s): HTTP requests in flight and
	// running executions get this long; executions still running continue after the next
	// start from their last finished step.
	ShutdownTimeout time.Duration
	// ScheduleScan is how often schedules are re-read from the store (default 10s).
	ScheduleScan time.Duration
	// Version is reported by the API.
	Version string
	// PublicURL is the base URL users reach the server at, for links the server hands out
	// (external resume links); default: the Host of the request (env ERRAND_PUBLIC_URL).
	PublicURL string
}

// Service is Errand as a service: the runtime, the REST API, schedules, webhooks, metrics
// and retention. Start it, then Stop it.
type Service struct {
	cfg       ServeConfig
	log       *slog.Logger
	rt        *Runtime
	keys      *auth.Keys
	auditor   *auth.Auditor
	scheduler *trigger.Scheduler
	retention *Retention
	metrics   *Metrics
	tracing   *Tracing
	srv       *http.Server
	ln        net.Listener
	served    chan error
	stopOnce  sync.Once
	// BootstrapToken is the admin API key created on the first start ("" afterwards); the
	// caller prints it once.
	BootstrapToken string
}

// fanout is an engine Observer forwarding to several observers set after construction.
type fanout struct {
	mu  sync.RWMutex
	obs []engine.Observer
}

func (f *fanout) OnEvent(ev engine.Event) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, o := range f.obs {
		o.OnEvent(ev)
	}
}

func (f *fanout) add(o engine.Observer) {
	f.mu.Lock()
	f.obs = append(f.obs, o)
	f.mu.Unlock()
}

// NewService assembles the service; nothing listens or runs until Start.
func NewService(ctx context.Context, cfg ServeConfig) (*Service, error) {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	obs := &fanout{}
	cfg.Observer = obs
	cfg.StopTimeout = cfg.ShutdownTimeout
	rt, err := Open(ctx, cfg.Config)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, log: log, rt: rt, served: make(chan error, 1)}
	broker := events.NewBroker(256)
	s.metrics = NewMetrics(rt.Store, rt.Registry.StepTypes())
	obs.add(broker)
	obs.add(s.metrics)
	obs.add(&logObserver{log: log})
	s.keys = auth.NewKeys(rt.Store, auth.KeysOptions{Logger: log})
	if s.BootstrapToken, _, err = s.keys.EnsureBootstrap(ctx, os.Getenv); err != nil {
		_ = rt.Close()
		return nil, fmt.Errorf("creating the bootstrap API key: %w", err)
	}
	s.auditor = auth.NewAuditor(rt.Store, auth.AuditorOptions{Logger: log})
	s.scheduler = trigger.NewScheduler(rt.Store, rt.Engine, trigger.SchedulerOptions{Interval: cfg.ScheduleScan, Logger: log})
	s.retention = NewRetention(rt.Store, cfg.Retention, time.Hour, log)
	h, err := s.handler(broker)
	if err != nil {
		_ = rt.Close()
		return nil, fmt.Errorf("building the API: %w", err)
	}
	if s.tracing, err = NewTracing(ctx, cfg.Version, os.Getenv); err != nil {
		_ = rt.Close()
		return nil, fmt.Errorf("configuring traces: %w", err)
	}
	if s.tracing != nil {
		obs.add(s.tracing)
	}
	s.srv = &http.Server{Handler: s.tracing.Middleware(h), ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// handler builds the HTTP handler: the API, /metrics, behind the latency middleware.
func (s *Service) handler(broker *events.Broker) (http.Handler, error) {
	rt := s.rt
	// Resume links are signed with a key derived from the encryption key, so every node
	// sharing the database verifies them and they survive restarts.
	resumeKey, err := rt.Keys.Derive("resume-links")
	if err != nil {
		return nil, err
	}
	a := api.New(api.Deps{
		ResumeLinks: api.NewResumeSigner(resumeKey), PublicURL: s.cfg.PublicURL,
		Store: rt.Store, Engine: rt.Engine, Connectors: rt.Connectors, Registry: rt.Registry,
		Auth: s.keys, Audit: s.auditor, Broker: broker, Logger: s.log, Version: s.cfg.Version,
		Webhooks: trigger.NewWebhooks(rt.Store, rt.Engine, trigger.WebhooksOptions{
			APIKeyCheck: func(r *http.Request) error { _, err := s.keys.Authenticate(r); return err },
			Logger:      s.log}),
		Events: trigger.NewEvents(rt.Store, rt.Engine, trigger.EventsOptions{Logger: s.log}),
		Ready:  s.ready,
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("/", a)
	return s.metrics.Middleware(mux), nil
}

// ready reports whether the store answers.
func (s *Service) ready(ctx context.Context) error {
	return s.rt.Store.DB().PingContext(ctx)
}

// Start listens and starts the queue, the scheduler, the auditor and retention.
func (s *Service) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	for _, start := range []func(context.Context) error{s.auditor.Start, s.rt.Queue.Start, s.scheduler.Start, s.retention.Start} {
		if err := start(ctx); err != nil {
			_ = ln.Close()
			return err
		}
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	s.log.Info("errand serving", "addr", ln.Addr().String(), "data_dir", s.cfg.dataDir())
	return nil
}

// Addr is the address the service listens on (after Start).
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Done delivers the error that ended serving (http.ErrServerClosed after Stop).
func (s *Service) Done() <-chan error { return s.served }

// Stop shuts down gracefully: no new requests, in-flight ones finish, schedules stop, the
// queue lets running executions finish up to the timeout (the rest continue on the next
// start), the audit log drains and the store closes.
func (s *Service) Stop() {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("stopping HTTP server", "error", err)
		}
		s.scheduler.Stop()
		s.retention.Stop()
		_ = s.rt.Close()
		tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.tracing.Shutdown(tctx); err != nil {
			s.log.Warn("flushing traces", "error", err)
		}
		tcancel()
		s.auditor.Stop()
	})
}

func (c ServeConfig) withDefaults() ServeConfig {
	if c.Listen == "" {
		c.Listen = envOr("ERRAND_LISTEN", "127.0.0.1:8080")
	}
	if c.Retention == 0 {
		c.Retention = 720 * time.Hour
		if d, err := time.ParseDuration(os.Getenv("ERRAND_RETENTION")); err == nil {
			c.Retention = d
		}
	}
	if c.Retention < 0 {
		c.Retention = 0
	}
	if c.PublicURL == "" {
		c.PublicURL = os.Getenv("ERRAND_PUBLIC_URL")
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return c
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// logObserver writes one structured line per finished step and per execution status, with
// the execution and step ids, so JSON logs can be joined with the API's records.
type logObserver struct{ log *slog.Logger }

func (l *logObserver) OnEvent(ev engine.Event) {
	switch ev.Kind {
	case engine.EventStepFinished:
		l.log.Info("step finished", "execution_id", ev.ExecutionID, "step_path", ev.StepPath,
			"step_name", ev.StepName, "step_type", ev.StepType, "status", ev.Status, "duration_ms", ev.Duration.Milliseconds())
	case engine.EventExecutionStatus:
		l.log.Info("execution status", "execution_id", ev.ExecutionID, "status", ev.Status)
	}
}
