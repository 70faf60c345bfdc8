package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/errand-dev/errand/internal/store"
)

// maxIDLen bounds a connector id given by the caller.
const maxIDLen = 255

// CreateParams describes a new connector.
type CreateParams struct {
	// ID is the connector id; a new UUID when empty.
	ID string
	// Name must be unique among stored and preconfigured connectors.
	Name   string
	TypeID string
	Config map[string]any
	// Secrets are encrypted at rest and never returned.
	Secrets map[string]any
}

// UpdateParams changes a stored connector. The type cannot change.
type UpdateParams struct {
	// Name, when set, renames the connector.
	Name *string
	// Config, when non-nil, replaces the whole config.
	Config map[string]any
	// Secrets changes the secrets key by key: a key left out keeps its value, a key set to
	// nil (JSON null) clears it, any other value replaces it. A nil map keeps them all.
	Secrets map[string]any
}

// Create validates and stores a new connector and returns it without its secrets.
func (s *Service) Create(ctx context.Context, p CreateParams) (*Connector, error) {
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	if err := checkID(p.ID); err != nil {
		return nil, err
	}
	t, err := s.typeOf(p.TypeID)
	if err != nil {
		return nil, fmt.Errorf("creating connector %q: %w", p.Name, err)
	}
	if _, ok := s.pre[p.ID]; ok {
		return nil, newUserError(ErrConnectorExists, "a preconfigured connector has id %q; choose another id", p.ID)
	}
	if err := s.checkName(ctx, p.ID, p.Name); err != nil {
		return nil, err
	}
	config, secrets, err := s.validateParts(t, p.Config, p.Secrets)
	if err != nil {
		return nil, err
	}
	rec, err := s.record(p.ID, p.Name, t.ID, config, secrets)
	if err != nil {
		return nil, fmt.Errorf("creating connector %q: %w", p.Name, err)
	}
	if err := s.st.ConnectorCreate(ctx, rec); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, newUserError(ErrConnectorExists, "a connector with id %q or name %q already exists", p.ID, p.Name)
		}
		return nil, fmt.Errorf("creating connector %q: %w", p.Name, err)
	}
	s.resolved.reset() // the new id may equal a name resolved before
	c, err := fromRecord(rec)
	if err != nil {
		return nil, err
	}
	return public(c), nil
}

// Update changes a stored connector (see UpdateParams) and returns it without secrets.
// Preconfigured connectors are read-only.
func (s *Service) Update(ctx context.Context, id string, p UpdateParams) (*Connector, error) {
	if _, ok := s.pre[id]; ok {
		return nil, readOnly(id)
	}
	rec, err := s.st.ConnectorGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("updating connector %q: %w", id, err)
	}
	t, err := s.typeOf(rec.TypeID)
	if err != nil {
		return nil, fmt.Errorf("updating connector %q: %w", id, err)
	}
	cur, err := fromRecord(rec)
	if err != nil {
		return nil, err
	}
	name, config := cur.Name, cur.Config
	if p.Name != nil && *p.Name != name {
		if err := s.checkName(ctx, id, *p.Name); err != nil {
			return nil, err
		}
		name = *p.Name
	}
	if p.Config != nil {
		config = p.Config
	}
	secrets, err := s.mergeSecrets(rec, p.Secrets)
	if err != nil {
		return nil, err
	}
	if config, secrets, err = s.validateParts(t, config, secrets); err != nil {
		return nil, err
	}
	next, err := s.record(id, name, t.ID, config, secrets)
	if err != nil {
		return nil, fmt.Errorf("updating connector %q: %w", id, err)
	}
	next.CreatedAt = rec.CreatedAt
	next.IsMissingSecrets = rec.IsMissingSecrets && p.Secrets == nil
	if err := s.st.ConnectorUpdate(ctx, next); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, newUserError(ErrConnectorExists, "a connector named %q already exists; choose another name", name)
		}
		return nil, fmt.Errorf("updating connector %q: %w", id, err)
	}
	s.cache.forget(id)
	c, err := fromRecord(next)
	if err != nil {
		return nil, err
	}
	return public(c), nil
}

// mergeSecrets applies an update's secrets to the stored ones: omitted keys keep, nil
// clears, values replace. When the stored secrets cannot be decrypted, an update that sets
// secrets starts from none (that is how a user repairs a connector after a lost key).
func (s *Service) mergeSecrets(rec *store.Connector, upd map[string]any) (map[string]any, error) {
	cur, err := open(s.keys, rec)
	if err != nil {
		if upd == nil {
			return nil, err
		}
		cur = nil
	}
	out := map[string]any{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range upd {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out, nil
}

// record builds the store record of a validated connector, secrets sealed.
func (s *Service) record(id, name, typeID string, config, secrets map[string]any) (*store.Connector, error) {
	raw, err := canonicalConfig(config)
	if err != nil {
		return nil, err
	}
	ct, err := seal(s.keys, id, typeID, raw, secrets)
	if err != nil {
		return nil, err
	}
	return &store.Connector{ID: id, Name: name, TypeID: typeID, Config: raw, Secrets: ct}, nil
}

// checkName rejects an empty name and one another connector (stored or preconfigured) has.
func (s *Service) checkName(ctx context.Context, id, name string) error {
	if strings.TrimSpace(name) == "" {
		return newUserError(ErrInvalid, "name: is required; give the connector a name")
	}
	for _, c := range s.pre {
		if c.Name == name {
			return newUserError(ErrConnectorExists, "preconfigured connector %q is named %q; choose another name", c.ID, name)
		}
	}
	other, err := s.st.ConnectorGetByName(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("checking connector name %q: %w", name, err)
	case other.ID != id:
		return newUserError(ErrConnectorExists, "connector %q is already named %q; choose another name", other.ID, name)
	}
	return nil
}

// checkID rejects ids that would be awkward in URLs and logs.
func checkID(id string) error {
	if len(id) > maxIDLen || strings.ContainsAny(id, " \t\r\n/?#%") {
		return newUserError(ErrInvalid, "id: %q is not a valid connector id; use at most %d letters, digits, dots, dashes or underscores", id, maxIDLen)
	}
	return nil
}
