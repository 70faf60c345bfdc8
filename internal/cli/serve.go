package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/errand-dev/errand/internal/server"
)

// serveFile is the configuration file of `errand serve` (YAML). Every key has an
// environment variable and most a flag; flags win over the environment, which wins over the
// file. docs/configuration.md lists them in one place.
type serveFile struct {
	Listen               string   `yaml:"listen"`
	DataDir              string   `yaml:"data_dir"`
	Database             string   `yaml:"database"`
	Workers              int      `yaml:"workers"`
	LeaseTTL             string   `yaml:"lease_ttl"`
	Retention            string   `yaml:"retention"`
	ConnectorsFile       string   `yaml:"connectors_file"`
	AllowedHosts         []string `yaml:"allowed_hosts"`
	DenyPrivateAddresses bool     `yaml:"deny_private_addresses"`
	LogFormat            string   `yaml:"log_format"`
	LogLevel             string   `yaml:"log_level"`
	PublicURL            string   `yaml:"public_url"`
}

func newServeCmd(g *globals) *cobra.Command {
	var file, listen, logFormat string
	var workers int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Errand as a service: REST API, schedules, webhooks, metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := serveConfig(g, file, listen, logFormat, workers)
			if err != nil {
				return err
			}
			return runService(cmd, cfg)
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "", "YAML configuration file (env ERRAND_CONFIG)")
	cmd.Flags().StringVar(&listen, "listen", "", "HTTP address (env ERRAND_LISTEN; default 127.0.0.1:8080)")
	cmd.Flags().StringVar(&logFormat, "log-format", "", "json or text (env ERRAND_LOG_FORMAT; default json)")
	cmd.Flags().IntVar(&workers, "workers", 0, "executions run at once (env ERRAND_WORKERS; default 100)")
	return cmd
}

// serveConfig merges file, environment and flags.
func serveConfig(g *globals, file, listen, logFormat string, workers int) (server.ServeConfig, error) {
	var f serveFile
	if file == "" {
		file = os.Getenv("ERRAND_CONFIG")
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return server.ServeConfig{}, fmt.Errorf("reading configuration %s: %w", file, err)
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return server.ServeConfig{}, fmt.Errorf("parsing configuration %s: %w", file, err)
		}
	}
	cfg := server.ServeConfig{Config: server.Config{
		DataDir: firstOf(g.dataDir, os.Getenv("ERRAND_DATA_DIR"), f.DataDir), DatabaseURL: firstOf(g.database, os.Getenv("ERRAND_DATABASE_URL"), f.Database),
		ConnectorsFile: firstOf(os.Getenv("ERRAND_CONNECTORS_FILE"), f.ConnectorsFile),
		Egress:         server.Egress{AllowedHosts: f.AllowedHosts, DenyPrivate: f.DenyPrivateAddresses},
		Workers:        firstInt(workers, envInt("ERRAND_WORKERS"), f.Workers),
	}, Listen: firstOf(listen, os.Getenv("ERRAND_LISTEN"), f.Listen),
		PublicURL: firstOf(os.Getenv("ERRAND_PUBLIC_URL"), f.PublicURL)}
	var err error
	if cfg.LeaseTTL, err = durationOf("lease_ttl", firstOf(os.Getenv("ERRAND_LEASE_TTL"), f.LeaseTTL)); err != nil {
		return cfg, err
	}
	ret := firstOf(os.Getenv("ERRAND_RETENTION"), f.Retention)
	if cfg.Retention, err = durationOf("retention", ret); err != nil {
		return cfg, err
	}
	if ret == "0" || ret == "0s" {
		cfg.Retention = -1 // keep everything
	}
	cfg.Logger, err = newLogger(firstOf(logFormat, os.Getenv("ERRAND_LOG_FORMAT"), f.LogFormat, "json"),
		firstOf(os.Getenv("ERRAND_LOG_LEVEL"), f.LogLevel, "info"))
	return cfg, err
}

func durationOf(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q: use a Go duration such as 30s, 720h: %w", name, v, err)
	}
	return d, nil
}

func envInt(name string) int {
	var n int
	_, _ = fmt.Sscan(os.Getenv(name), &n)
	return n
}

func firstInt(vals ...int) int {
	for _, v := range vals {
		if v > 0 {
			return v
		}
	}
	return 0
}

func newLogger(format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use json or text", format)
}

// runService starts the service and stops it gracefully when the context ends (SIGINT or
// SIGTERM).
func runService(cmd *cobra.Command, cfg server.ServeConfig) error {
	ctx := cmd.Context()
	svc, err := server.NewService(ctx, cfg)
	if err != nil {
		return err
	}
	if svc.BootstrapToken != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "\nCreated the first admin API key. It is shown once; keep it safe:\n\n  %s\n\n"+
			"Use it as `Authorization: ApiKey %s` or ERRAND_API_KEY.\n\n", svc.BootstrapToken, svc.BootstrapToken)
	}
	if err := svc.Start(ctx); err != nil {
		svc.Stop()
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "errand serving on http://%s (API docs at /api/docs)\n", svc.Addr())
	select {
	case <-ctx.Done():
	case err := <-svc.Done():
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			svc.Stop()
			return err
		}
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "stopping: finishing requests and running steps")
	svc.Stop()
	return nil
}
