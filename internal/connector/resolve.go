package connector

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/errand-dev/errand/internal/store"
)

// Resolve finds the connector a step names in `connector-id`: by id first, then by name
// (a name shared by several connectors is ErrAmbiguousConnector, listing their ids), and
// checks that its type serves stepType (ErrWrongConnectorType; "" skips the check). The
// result carries the decrypted secrets: keep it in memory for the call only.
func (s *Service) Resolve(ctx context.Context, idOrName, stepType string) (*Connector, error) {
	c, err := s.find(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	if stepType != "" {
		if err := s.checkServes(c, idOrName, stepType); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// find looks idOrName up by id, then by name, and decrypts the secrets.
func (s *Service) find(ctx context.Context, idOrName string) (*Connector, error) {
	if c, ok := s.pre[idOrName]; ok {
		return withSecrets(c), nil
	}
	if c, ok := s.resolved.lookup(ctx, s.st, idOrName); ok {
		return c, nil
	}
	rec, err := s.st.ConnectorGet(ctx, idOrName)
	if errors.Is(err, store.ErrNotFound) {
		rec, err = s.findByName(ctx, idOrName)
		if err != nil || rec == nil {
			return s.preByName(idOrName, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("resolving connector %q: %w", idOrName, err)
	}
	c, err := fromRecord(rec)
	if err != nil {
		return nil, err
	}
	if c.Secrets, err = open(s.keys, rec); err != nil {
		return nil, err
	}
	s.resolved.put(idOrName, rec, c)
	return c, nil
}

// findByName returns the stored connector named name, or nil, checking that no
// preconfigured connector shares the name.
func (s *Service) findByName(ctx context.Context, name string) (*store.Connector, error) {
	rec, err := s.st.ConnectorGetByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolving connector %q: %w", name, err)
	}
	if ids := s.preIDsNamed(name); len(ids) > 0 {
		return nil, ambiguous(name, append(ids, rec.ID))
	}
	return rec, nil
}

// preByName resolves name among the preconfigured connectors once the store had none
// (prevErr, when set, is returned as is).
func (s *Service) preByName(name string, prevErr error) (*Connector, error) {
	if prevErr != nil {
		return nil, prevErr
	}
	ids := s.preIDsNamed(name)
	switch len(ids) {
	case 0:
		return nil, notFound(name)
	case 1:
		return withSecrets(s.pre[ids[0]]), nil
	}
	return nil, ambiguous(name, ids)
}

// preIDsNamed returns the ids of the preconfigured connectors named name.
func (s *Service) preIDsNamed(name string) []string {
	var ids []string
	for id, c := range s.pre {
		if c.Name == name {
			ids = append(ids, id)
		}
	}
	return ids
}

// ambiguous is the error for a name several connectors share.
func ambiguous(name string, ids []string) error {
	sort.Strings(ids)
	return newUserError(ErrAmbiguousConnector,
		"connector name %q is ambiguous: connectors %s share it; use an id instead", name, strings.Join(ids, ", "))
}

// checkServes checks that c's type serves stepType.
func (s *Service) checkServes(c *Connector, ref, stepType string) error {
	want, _, ok := s.reg.ForStep(stepType)
	if !ok {
		prefix, _, _ := strings.Cut(stepType, ".")
		if t, known := s.reg.Type(c.TypeID); known && t.StepType("") == prefix {
			return nil
		}
		want = s.typeForPrefix(prefix)
	}
	if want != nil && want.ID == c.TypeID {
		return nil
	}
	if want == nil {
		return newUserError(ErrWrongConnectorType,
			"connector %q is a %s connector; no connector type serves step type %s", ref, c.TypeID, stepType)
	}
	return newUserError(ErrWrongConnectorType,
		"connector %q is a %s connector; step type %s needs a %s connector", ref, c.TypeID, stepType, want.ID)
}

// typeForPrefix returns the type whose steps start with prefix ("jira" for "jira.issue").
func (s *Service) typeForPrefix(prefix string) *Type {
	for _, t := range s.reg.Types() {
		if t.StepType("") == prefix {
			return t
		}
	}
	return nil
}

// withSecrets returns a deep copy of a preconfigured connector, secrets included.
func withSecrets(c *Connector) *Connector {
	cp := public(c)
	cp.Secrets, _ = deepCopy(c.Secrets).(map[string]any)
	return cp
}
