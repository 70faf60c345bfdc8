package email

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
)

// services are the well-known SMTP services `service` may name (nodemailer's settings).
var services = map[string]config{
	"gmail":      {Host: "smtp.gmail.com", Port: 465, Secure: true},
	"outlook365": {Host: "smtp.office365.com", Port: 587},
}

// errConfig marks an unusable config or secrets.
var errConfig = errors.New("invalid email connector")

// config is an .email connector's config.
type config struct {
	From    string     `json:"from"`
	Host    string     `json:"host"`
	Port    int        `json:"port"`
	Secure  bool       `json:"secure"`
	HasAuth *bool      `json:"hasAuth"`
	Service string     `json:"service"`
	TLS     *tlsConfig `json:"tls"`

	from *mail.Address
	user string
	pass string
}

// tlsConfig tunes certificate verification, for servers with a private CA.
type tlsConfig struct {
	InsecureSkipVerify bool   `json:"insecureSkipVerify"`
	CA                 string `json:"ca"` // PEM
}

// parseConfig decodes and checks a connector's config and secrets, applying a service's
// host and port.
func parseConfig(rawConfig, rawSecrets map[string]any) (*config, error) {
	var c config
	b, _ := json.Marshal(rawConfig)
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: reading config: %w", errConfig, err)
	}
	c.user, _ = rawSecrets["user"].(string)
	c.pass, _ = rawSecrets["password"].(string)
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("%w: config.from %q is not an email address: %w", errConfig, c.From, err)
	}
	c.from = from
	if err := c.applyService(); err != nil {
		return nil, err
	}
	if c.hasAuth() && (c.user == "" || c.pass == "") {
		return nil, fmt.Errorf("%w: hasAuth needs secrets.user and secrets.password (or set hasAuth false)", errConfig)
	}
	if _, err := c.tlsClientConfig(); err != nil {
		return nil, err
	}
	return &c, nil
}

// applyService fills host and port from a well-known service, or checks them.
func (c *config) applyService() error {
	switch preset, known := services[c.Service]; {
	case known:
		if c.Host == "" {
			c.Host, c.Port, c.Secure = preset.Host, preset.Port, preset.Secure
		}
	case c.Service == "" || c.Service == "other":
	default:
		return fmt.Errorf("%w: config.service %q is not supported; use other (with host and port), gmail or outlook365", errConfig, c.Service)
	}
	if strings.TrimSpace(c.Host) == "" {
		return fmt.Errorf("%w: config.host is required", errConfig)
	}
	if c.Port == 0 {
		c.Port = 587
		if c.Secure {
			c.Port = 465
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("%w: config.port %d is out of range", errConfig, c.Port)
	}
	return nil
}

// hasAuth is true unless the config says false (Kibana's default).
func (c *config) hasAuth() bool { return c.HasAuth == nil || *c.HasAuth }

// address is host:port.
func (c *config) address() string { return c.Host + ":" + strconv.Itoa(c.Port) }

// tlsClientConfig verifies the server's certificate against the system roots, or the
// configured CA, unless insecureSkipVerify.
func (c *config) tlsClientConfig() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.TLS == nil {
		return cfg, nil
	}
	//nolint:gosec // the connector's explicit choice, for test servers and private relays.
	cfg.InsecureSkipVerify = c.TLS.InsecureSkipVerify
	if c.TLS.CA != "" {
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM([]byte(c.TLS.CA)) {
			return nil, fmt.Errorf("%w: config.tls.ca holds no PEM certificate", errConfig)
		}
	}
	return cfg, nil
}
