package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/errand-dev/errand/internal/connector"
	connbuiltin "github.com/errand-dev/errand/internal/connector/builtin"
	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/builtin"
	"github.com/errand-dev/errand/internal/engine/connstep"
	"github.com/errand-dev/errand/internal/engine/httpstep"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// Egress is the outbound policy every step and connector obeys.
type Egress struct {
	// AllowedHosts limits outbound requests to these hosts ("api.example.com",
	// "*.example.com"); empty allows every host. Env ERRAND_ALLOWED_HOSTS (comma list).
	AllowedHosts []string
	// DenyPrivate refuses loopback, private and link-local addresses after DNS resolution
	// and at every redirect hop. Env ERRAND_DENY_PRIVATE_ADDRESSES=true. Cloud metadata
	// addresses are refused always unless listed in AllowedHosts.
	DenyPrivate bool
	// LookupIP, when set, replaces DNS for outbound requests (split-horizon setups, tests).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// TLS, when set, is the trust and verification of plain http steps (custom CA bundle).
	TLS *httpclient.TLSOptions
}

// egressFromEnv fills the zero fields of e from the environment.
func egressFromEnv(e Egress) Egress {
	if len(e.AllowedHosts) == 0 {
		for _, h := range strings.Split(os.Getenv("ERRAND_ALLOWED_HOSTS"), ",") {
			if h = strings.TrimSpace(h); h != "" {
				e.AllowedHosts = append(e.AllowedHosts, h)
			}
		}
	}
	if !e.DenyPrivate {
		e.DenyPrivate = strings.EqualFold(os.Getenv("ERRAND_DENY_PRIVATE_ADDRESSES"), "true")
	}
	return e
}

func (e Egress) clientOptions() httpclient.Options {
	return httpclient.Options{AllowedHosts: e.AllowedHosts, DenyPrivate: e.DenyPrivate, LookupIP: e.LookupIP,
		SettingNames: httpclient.SettingNames{AllowedHosts: "ERRAND_ALLOWED_HOSTS",
			DenyPrivate: "ERRAND_DENY_PRIVATE_ADDRESSES"}}
}

// StepTypeNames lists every step type this build runs (executors and connector steps), for
// validation and the JSON Schema.
func StepTypeNames() []string {
	set := map[string]bool{}
	execs := map[string]engine.StepExecutor{}
	builtin.Register(execs)
	for n := range execs {
		set[n] = true
	}
	set["http"] = true
	for _, st := range connbuiltin.NewRegistry().StepTypes() {
		set[st] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ValidateOptions are the workflow validation options of this build.
func ValidateOptions() workflow.ValidateOptions {
	names := StepTypeNames()
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return workflow.ValidateOptions{StepTypes: func(t string) bool { return set[t] }, StepTypeNames: names}
}

// openConnectors loads the key ring and the preconfigured connectors and returns the
// connector service with the shipped types.
func openConnectors(st store.Store, cfg Config, logger *slog.Logger) (*connector.Service, *connector.Registry, *secret.KeyRing, error) {
	keys, info, err := secret.LoadKeyRing(secret.KeyRingOptions{DataDir: cfg.dataDir()})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading the encryption key: %w", err)
	}
	if info.Created != "" {
		logger.Warn("created encryption key for connector secrets; back it up", "path", info.Created)
	}
	for _, w := range info.Warnings {
		logger.Warn(w)
	}
	var pre []*connector.Connector
	if file := cfg.connectorsFile(); file != "" {
		if pre, err = connector.LoadPreconfigured(file, os.Getenv); err != nil {
			return nil, nil, nil, fmt.Errorf("loading preconfigured connectors: %w", err)
		}
	}
	reg := connbuiltin.NewRegistry()
	egress := egressFromEnv(cfg.Egress)
	svc, err := connector.NewService(st, keys, reg, connector.ServiceOptions{
		Preconfigured: pre, Logger: logger,
		HTTP: func(c *connector.Connector, redact func(string) string) *httpclient.Client {
			opts := egress.clientOptions()
			opts.Redact = redact
			opts.TLS = connectorTLS(c)
			return httpclient.New(opts)
		},
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return svc, reg, keys, nil
}

// connectorTLS reads the TLS settings a connector may carry (config verificationMode and ca,
// secrets crt and key; PEM or base64 of PEM).
func connectorTLS(c *connector.Connector) *httpclient.TLSOptions {
	mode, _ := c.Config["verificationMode"].(string)
	ca := pemField(c.Config["ca"])
	crt, key := pemField(c.Secrets["crt"]), pemField(c.Secrets["key"])
	if mode == "" && ca == nil && crt == nil {
		return nil
	}
	return &httpclient.TLSOptions{VerificationMode: httpclient.VerificationMode(mode), CAPEM: ca,
		ClientCertPEM: crt, ClientKeyPEM: key}
}

func pemField(v any) []byte {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if strings.Contains(s, "-----BEGIN") {
		return []byte(s)
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b
	}
	return []byte(s)
}

// executors returns every step executor: built-in steps, the plain http step and the
// connector steps.
func executors(svc *connector.Service, reg *connector.Registry, egress Egress) map[string]engine.StepExecutor {
	execs := map[string]engine.StepExecutor{}
	builtin.Register(execs)
	opts := egressFromEnv(egress).clientOptions()
	opts.TLS = egress.TLS
	plain := httpstep.New(httpclient.New(opts))
	connstep.Register(execs, connstep.New(svc, reg), plain)
	return execs
}

func (c Config) dataDir() string {
	if c.DataDir != "" {
		return c.DataDir
	}
	return DefaultDataDir()
}

func (c Config) connectorsFile() string {
	if c.ConnectorsFile != "" {
		return c.ConnectorsFile
	}
	if f := os.Getenv("ERRAND_CONNECTORS_FILE"); f != "" {
		return f
	}
	if f := filepath.Join(c.dataDir(), "connectors.yaml"); fileExists(f) {
		return f
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ConnectorRuntime is the store and connector service without the queue and engine, for
// the `errand connectors` commands.
type ConnectorRuntime struct {
	Store      store.Store
	Connectors *connector.Service
	Registry   *connector.Registry
}

// OpenConnectors opens the store and the connector service.
func OpenConnectors(ctx context.Context, cfg Config) (*ConnectorRuntime, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, reg, _, err := openConnectors(st, cfg, logger)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return &ConnectorRuntime{Store: st, Connectors: svc, Registry: reg}, nil
}
