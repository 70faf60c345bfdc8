package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
)

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// Preconfigured are read-only connectors from the configuration (LoadPreconfigured),
	// secrets included. They are listed and resolved with the stored ones.
	Preconfigured []*Connector
	// HTTP returns the HTTP client a call of connector c uses; redact is c's redactor, to be
	// set as the client's Redact option. It is called once per connector version and the
	// client reused. Default: httpclient.New with the redactor and no other setting.
	HTTP func(c *Connector, redact func(string) string) *httpclient.Client
	// Logger receives the lines connectors log when ctx carries no logger (see
	// ContextWithLogger); lines are redacted. Default: discard.
	Logger *slog.Logger
}

// Service manages connectors: stored ones (secrets encrypted with the key ring) and
// preconfigured ones, their validation against their type's schemas, resolution by id or
// name, and calls with redaction of every secret value. It is safe for concurrent use.
type Service struct {
	st       store.Store
	keys     *secret.KeyRing
	reg      *Registry
	opts     ServiceOptions
	pre      map[string]*Connector // preconfigured, by id
	schemas  *schemaCache
	cache    *callCache
	resolved *resolveCache
}

// NewService returns a Service over st, encrypting with keys, knowing the types of reg. It
// checks every preconfigured connector against its type.
func NewService(st store.Store, keys *secret.KeyRing, reg *Registry, opts ServiceOptions) (*Service, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, keys: keys, reg: reg, opts: opts, pre: map[string]*Connector{},
		schemas: newSchemaCache(), cache: newCallCache(), resolved: newResolveCache()}
	for _, c := range opts.Preconfigured {
		if err := s.addPreconfigured(c); err != nil {
			return nil, fmt.Errorf("checking preconfigured connector %q: %w", c.ID, err)
		}
	}
	return s, nil
}

// addPreconfigured validates c and keeps a normalized copy.
func (s *Service) addPreconfigured(c *Connector) error {
	if c.ID == "" || c.Name == "" {
		return newUserError(ErrInvalid, "a preconfigured connector needs an id and a name")
	}
	if _, dup := s.pre[c.ID]; dup {
		return newUserError(ErrConnectorExists, "preconfigured connector id %q is used twice", c.ID)
	}
	t, err := s.typeOf(c.TypeID)
	if err != nil {
		return err
	}
	config, secrets, err := s.validateParts(t, c.Config, c.Secrets)
	if err != nil {
		return err
	}
	cp := *c
	cp.Config, cp.Secrets, cp.IsPreconfigured = config, secrets, true
	s.pre[c.ID] = &cp
	return nil
}

// typeOf returns the registered type typeID or an error listing the known types.
func (s *Service) typeOf(typeID string) (*Type, error) {
	if t, ok := s.reg.Type(typeID); ok {
		return t, nil
	}
	var ids []string
	for _, t := range s.reg.Types() {
		ids = append(ids, t.ID)
	}
	return nil, newUserError(ErrUnknownType, "unknown connector type %q; known types: %s", typeID, strings.Join(ids, ", "))
}

// validateParts checks config and secrets against t (schemas, empty strings, the type's
// own rules) and returns them normalized to their JSON shapes.
func (s *Service) validateParts(t *Type, config, secrets map[string]any) (map[string]any, map[string]any, error) {
	config, err := normalize(config)
	if err != nil {
		return nil, nil, newUserError(ErrInvalid, "config: %v", err)
	}
	secrets, err = normalize(secrets)
	if err != nil {
		return nil, nil, newUserError(ErrInvalid, "secrets cannot be encoded as JSON")
	}
	if err := errors.Join(checkNoEmptyStrings("config", config), checkNoEmptyStrings("secrets", secrets)); err != nil {
		return nil, nil, newUserError(ErrInvalid, "%s", joinedMessage(err))
	}
	if len(secrets) > 0 && len(t.SecretsSchema) == 0 {
		return nil, nil, newUserError(ErrInvalid, "secrets: connector type %s takes no secrets; remove them", t.ID)
	}
	if err := s.schemas.validate(t.ID+"/config", t.ConfigSchema, "config", config); err != nil {
		return nil, nil, err
	}
	if err := s.schemas.validate(t.ID+"/secrets", t.SecretsSchema, "secrets", secrets); err != nil {
		return nil, nil, err
	}
	if t.ValidateConfig != nil {
		if err := t.ValidateConfig(config, secrets); err != nil {
			return nil, nil, newUserError(ErrInvalid, "%s", err.Error())
		}
	}
	return config, secrets, nil
}

// joinedMessage renders errors.Join output on one line.
func joinedMessage(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// Get returns the connector with the given id, without its secrets.
func (s *Service) Get(ctx context.Context, id string) (*Connector, error) {
	if c, ok := s.pre[id]; ok {
		return public(c), nil
	}
	rec, err := s.st.ConnectorGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("getting connector %q: %w", id, err)
	}
	c, err := fromRecord(rec)
	if err != nil {
		return nil, err
	}
	return public(c), nil
}

// List returns the stored and preconfigured connectors by name, without their secrets.
func (s *Service) List(ctx context.Context) ([]*Connector, error) {
	recs, err := s.st.ConnectorList(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	out := make([]*Connector, 0, len(recs)+len(s.pre))
	for _, rec := range recs {
		c, err := fromRecord(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, public(c))
	}
	for _, c := range s.pre {
		out = append(out, public(c))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if la, lb := strings.ToLower(a.Name), strings.ToLower(b.Name); la != lb {
			return la < lb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	return out, nil
}

// Delete deletes a stored connector; preconfigured ones are read-only.
func (s *Service) Delete(ctx context.Context, id string) error {
	if _, ok := s.pre[id]; ok {
		return readOnly(id)
	}
	err := s.st.ConnectorDelete(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	if err != nil {
		return fmt.Errorf("deleting connector %q: %w", id, err)
	}
	s.cache.forget(id)
	return nil
}

// fromRecord turns a stored record into a Connector without secrets.
func fromRecord(rec *store.Connector) (*Connector, error) {
	c := &Connector{ID: rec.ID, Name: rec.Name, TypeID: rec.TypeID, IsMissingSecrets: rec.IsMissingSecrets,
		CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, Config: map[string]any{}}
	if len(rec.Config) > 0 {
		if err := json.Unmarshal(rec.Config, &c.Config); err != nil {
			return nil, fmt.Errorf("decoding config of connector %q: %w", rec.ID, err)
		}
	}
	return c, nil
}

// public returns a copy of c without secrets, safe to return from an API.
func public(c *Connector) *Connector {
	cp := *c
	cp.Secrets = nil
	cp.Config, _ = deepCopy(c.Config).(map[string]any)
	return &cp
}

// notFound is the error for an id or name that names no connector.
func notFound(idOrName string) error {
	return newUserError(ErrConnectorNotFound,
		"connector %q not found; create it with `errand connectors create` or check the name", idOrName)
}

// readOnly is the error for a change to a preconfigured connector.
func readOnly(id string) error {
	return newUserError(ErrReadOnly,
		"connector %q is preconfigured: preconfigured connectors are read-only; change it in the preconfigured connectors file", id)
}

// deepCopy copies the maps and slices of a decoded JSON value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
