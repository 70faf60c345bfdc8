// Package server wires Errand's parts together: configuration → store → queue → engine, and
// (later) the API. It owns startup order and graceful shutdown so that the CLI and the
// service share one assembly.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/queue"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/sqlite"
	"github.com/errand-dev/errand/internal/template"
)

// Config is what a runtime needs. Zero values take the documented defaults.
type Config struct {
	// DataDir holds the embedded SQLite database (errand.db). Default: DefaultDataDir().
	DataDir string
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://;
	// empty means the embedded SQLite file in DataDir.
	DatabaseURL string
	// Workers is how many executions this process runs at once (default 100).
	Workers int
	// LeaseTTL is how long a crashed worker's executions stay claimed before another
	// process continues them (default 30s; env ERRAND_LEASE_TTL, a Go duration).
	LeaseTTL time.Duration
	// ConnectorsFile is a YAML file of preconfigured (read-only) connectors, Kibana's
	// `xpack.actions.preconfigured` shape; secrets may be ${env:NAME} or ${file:PATH}.
	// Default: env ERRAND_CONNECTORS_FILE, else <DataDir>/connectors.yaml when it exists.
	ConnectorsFile string
	// Egress is the outbound policy (allowed hosts, private addresses).
	Egress Egress
	// StopTimeout is how long a stopping queue lets running executions go on before it
	// interrupts them (they continue on the next start; default 10s).
	StopTimeout time.Duration
	// Observer receives live execution events (may be nil).
	Observer engine.Observer
	Logger   *slog.Logger
}

// Runtime is an assembled Errand: store, engine and queue.
type Runtime struct {
	Store      store.Store
	Engine     *engine.Engine
	Queue      *queue.Queue
	Connectors *connector.Service
	Registry   *connector.Registry
	// Keys is the encryption key ring (connector secrets; keys derived for other purposes).
	Keys *secret.KeyRing
}

// DefaultDataDir is $ERRAND_DATA_DIR, else $XDG_DATA_HOME/errand, else ~/.local/share/errand.
func DefaultDataDir() string {
	if d := os.Getenv("ERRAND_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "errand")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".errand"
	}
	return filepath.Join(home, ".local", "share", "errand")
}

// OpenStore opens the store the config names.
func OpenStore(ctx context.Context, cfg Config) (store.Store, error) {
	url := cfg.DatabaseURL
	if url == "" {
		url = os.Getenv("ERRAND_DATABASE_URL")
	}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		st, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("opening postgres store: %w", err)
		}
		return st, nil
	}
	if url != "" {
		return nil, fmt.Errorf("opening store: database URL %q is not postgres:// (leave it empty for the embedded SQLite)", url)
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = DefaultDataDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory %s: %w", dir, err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "errand.db"))
	if err != nil {
		return nil, fmt.Errorf("opening sqlite store in %s: %w", dir, err)
	}
	return st, nil
}

// NewEvaluator returns the template + KQL evaluator with default limits.
func NewEvaluator() engine.Evaluator {
	return engine.NewEvaluator(template.New(template.DefaultLimits()))
}

// Open assembles a runtime. The queue is created but not started.
func Open(ctx context.Context, cfg Config) (*Runtime, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	rt, err := assemble(st, cfg)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return rt, nil
}

func assemble(st store.Store, cfg Config) (*Runtime, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if cfg.LeaseTTL == 0 {
		if d, err := time.ParseDuration(os.Getenv("ERRAND_LEASE_TTL")); err == nil && d > 0 {
			cfg.LeaseTTL = d
		}
	}
	h := &lateHandler{}
	node := nodeID()
	q, err := queue.New(st, h, queue.Options{NodeID: node, Workers: cfg.Workers, LeaseTTL: cfg.LeaseTTL,
		StopTimeout: cfg.StopTimeout, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("creating queue: %w", err)
	}
	svc, reg, keys, err := openConnectors(st, cfg, logger)
	if err != nil {
		return nil, err
	}
	eng := engine.New(st, NewEvaluator(), executors(svc, reg, cfg.Egress), q, cfg.Observer,
		engine.Options{NodeID: node, LeasedByCaller: true})
	h.eng = eng
	return &Runtime{Store: st, Engine: eng, Queue: q, Connectors: svc, Registry: reg, Keys: keys}, nil
}

// Close stops the queue (gracefully) and closes the store.
func (r *Runtime) Close() error {
	r.Queue.Stop()
	return r.Store.Close()
}

// nodeID names this process for leases and logs: host-pid-random.
func nodeID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// lateHandler breaks the construction cycle between queue and engine.
type lateHandler struct{ eng *engine.Engine }

func (h *lateHandler) Execute(ctx context.Context, id string) (time.Time, error) {
	return h.eng.Execute(ctx, id)
}
