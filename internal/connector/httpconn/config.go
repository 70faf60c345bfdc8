package httpconn

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// Auth modes of a .http connector.
const (
	authNone   = "none"
	authBasic  = "basic"
	authBearer = "bearer"
	authAPIKey = "apiKey"
	authOAuth2 = "oauth2"
)

// defaultAPIKeyHeader is the header an API key is sent in when apiKeyHeader is not set.
const defaultAPIKeyHeader = "X-API-Key"

// authAliases maps Kibana's shared auth type names to Errand's.
var authAliases = map[string]string{
	"":                                  "",
	authNone:                            authNone,
	authBasic:                           authBasic,
	authBearer:                          authBearer,
	authAPIKey:                          authAPIKey,
	authOAuth2:                          authOAuth2,
	"webhook-authentication-basic":      authBasic,
	"webhook-oauth2-client-credentials": authOAuth2,
}

// config is a .http connector's config.
type config struct {
	URL              string            `json:"url"`
	HasAuth          *bool             `json:"hasAuth"`
	AuthType         string            `json:"authType"`
	APIKeyHeader     string            `json:"apiKeyHeader"`
	AccessTokenURL   string            `json:"accessTokenUrl"`
	ClientID         string            `json:"clientId"`
	Scope            string            `json:"scope"`
	AdditionalFields string            `json:"additionalFields"`
	Headers          map[string]string `json:"headers"`
	VerificationMode string            `json:"verificationMode"`
	// CA is a PEM (or base64 of PEM) certificate authority trusted for this connector; the
	// server builds the connector's HTTP client with it.
	CA string `json:"ca"`

	base *url.URL
	auth string
}

// secrets are a .http connector's secrets.
type secrets struct {
	User          string            `json:"user"`
	Password      string            `json:"password"`
	Token         string            `json:"token"`
	APIKey        string            `json:"apiKey"`
	ClientSecret  string            `json:"clientSecret"`
	SecretHeaders map[string]string `json:"secretHeaders"`
	// Crt and Key are a TLS client certificate and its key (PEM, or base64 of PEM); the
	// server builds the connector's HTTP client with them.
	Crt string `json:"crt"`
	Key string `json:"key"`
}

// fields maps the config's JSON names to its fields, for assignFields.
func (c *config) fields() map[string]any {
	return map[string]any{"url": &c.URL, "hasAuth": &c.HasAuth, "authType": &c.AuthType,
		"apiKeyHeader": &c.APIKeyHeader, "accessTokenUrl": &c.AccessTokenURL, "clientId": &c.ClientID,
		"scope": &c.Scope, "additionalFields": &c.AdditionalFields, "headers": &c.Headers,
		"verificationMode": &c.VerificationMode}
}

// fields maps the secrets' JSON names to their fields, for assignFields.
func (s *secrets) fields() map[string]any {
	return map[string]any{"user": &s.User, "password": &s.Password, "token": &s.Token,
		"apiKey": &s.APIKey, "clientSecret": &s.ClientSecret, "secretHeaders": &s.SecretHeaders,
		"crt": &s.Crt, "key": &s.Key}
}

// assignFields copies m into the fields named by their JSON names (pointers to string,
// *bool or map[string]string), as decode would, without its JSON round trip on every call.
// It reports false at a key or a value shape it does not know; the caller then resets the
// struct and decodes (which also gives the error message).
func assignFields(m map[string]any, fields map[string]any) bool {
	for k, v := range m {
		dst, ok := fields[k]
		if !ok {
			return false
		}
		if v == nil {
			continue // JSON null leaves the zero value
		}
		switch d := dst.(type) {
		case *string:
			if *d, ok = v.(string); !ok {
				return false
			}
		case **bool:
			b, ok := v.(bool)
			if !ok {
				return false
			}
			*d = &b
		case *map[string]string:
			src, ok := v.(map[string]any)
			if !ok {
				return false
			}
			out := make(map[string]string, len(src))
			for name, e := range src {
				if out[name], ok = e.(string); !ok {
					return false
				}
			}
			*d = out
		default:
			return false
		}
	}
	return true
}

// decode copies a JSON-like map into a struct.
func decode(m map[string]any, v any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	return nil
}

// parseConfig decodes and checks a connector's config and secrets.
func parseConfig(rawConfig, rawSecrets map[string]any) (*config, *secrets, error) {
	var c config
	var s secrets
	if !assignFields(rawConfig, c.fields()) {
		c = config{}
		if err := decode(rawConfig, &c); err != nil {
			return nil, nil, fmt.Errorf("reading config: %w", err)
		}
	}
	if !assignFields(rawSecrets, s.fields()) {
		s = secrets{}
		if err := decode(rawSecrets, &s); err != nil {
			return nil, nil, fmt.Errorf("reading secrets: %w", err)
		}
	}
	if err := c.check(&s); err != nil {
		return nil, nil, err
	}
	return &c, &s, nil
}

// check validates the base URL, the auth mode and the headers.
func (c *config) check(s *secrets) error {
	u, err := url.Parse(strings.TrimSpace(c.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config.url %q is not an absolute http or https URL", c.URL)
	}
	if u.User != nil {
		return errors.New("config.url must not carry credentials; set authType basic with user and password secrets")
	}
	c.base = u
	switch c.VerificationMode {
	case "", "full", "certificate", "none":
	default:
		return fmt.Errorf("config.verificationMode %q is not supported; use full (default), certificate or none", c.VerificationMode)
	}
	if err := c.checkAuth(s); err != nil {
		return err
	}
	for name, value := range c.Headers {
		if err := httpcall.SetHeader(http.Header{}, name, value); err != nil {
			return fmt.Errorf("config.headers: %w", err)
		}
	}
	for name, value := range s.SecretHeaders {
		if err := httpcall.SetHeader(http.Header{}, name, value); err != nil {
			return fmt.Errorf("secrets.secretHeaders: %w", err)
		}
	}
	return nil
}

// checkAuth resolves the auth mode and checks that its settings and secrets are present.
func (c *config) checkAuth(s *secrets) error {
	mode, ok := authAliases[c.AuthType]
	if !ok {
		return fmt.Errorf("config.authType %q is not supported; use none, basic, bearer, apiKey or oauth2", c.AuthType)
	}
	if c.HasAuth != nil && !*c.HasAuth {
		if mode != "" && mode != authNone {
			return fmt.Errorf("config.authType %q needs hasAuth true", c.AuthType)
		}
		mode = authNone
	}
	if mode == "" {
		mode = authNone
		if s.User != "" {
			mode = authBasic
		}
	}
	c.auth = mode
	missing := map[string][]string{
		authBasic:  missingFields(map[string]string{"secrets.user": s.User, "secrets.password": s.Password}),
		authBearer: missingFields(map[string]string{"secrets.token": s.Token}),
		authAPIKey: missingFields(map[string]string{"secrets.apiKey": s.APIKey}),
		authOAuth2: missingFields(map[string]string{"config.accessTokenUrl": c.AccessTokenURL,
			"config.clientId": c.ClientID, "secrets.clientSecret": s.ClientSecret}),
	}[mode]
	if len(missing) > 0 {
		return fmt.Errorf("authType %s needs %s", mode, strings.Join(missing, " and "))
	}
	if mode == authAPIKey {
		if err := httpcall.SetHeader(http.Header{}, c.apiKeyHeader(), "x"); err != nil {
			return fmt.Errorf("config.apiKeyHeader: %w", err)
		}
	}
	return c.checkOAuth2()
}

// checkOAuth2 checks the token URL and the additional fields of OAuth2 client credentials.
func (c *config) checkOAuth2() error {
	if c.auth != authOAuth2 {
		return nil
	}
	u, err := url.Parse(c.AccessTokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config.accessTokenUrl %q is not an absolute http or https URL", c.AccessTokenURL)
	}
	if _, err := c.additionalFields(); err != nil {
		return err
	}
	return nil
}

// additionalFields decodes Kibana's additionalFields, a JSON object in a string, sent with
// the token request.
func (c *config) additionalFields() (map[string]any, error) {
	if strings.TrimSpace(c.AdditionalFields) == "" {
		return nil, nil
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(c.AdditionalFields), &fields); err != nil {
		return nil, fmt.Errorf("config.additionalFields must be a JSON object: %w", err)
	}
	return fields, nil
}

// apiKeyHeader is the header the API key goes in.
func (c *config) apiKeyHeader() string {
	if c.APIKeyHeader != "" {
		return c.APIKeyHeader
	}
	return defaultAPIKeyHeader
}

// missingFields lists, sorted, the names whose values are empty.
func missingFields(fields map[string]string) []string {
	var out []string
	for _, name := range []string{"config.accessTokenUrl", "config.clientId", "secrets.user",
		"secrets.password", "secrets.token", "secrets.apiKey", "secrets.clientSecret"} {
		if v, ok := fields[name]; ok && v == "" {
			out = append(out, name)
		}
	}
	return out
}
