package connector

import (
	"context"
	"errors"
	"fmt"
)

// RotateKey re-encrypts, with the key ring's primary key, the secrets of every stored
// connector that was encrypted with another key (a decrypt-only key of the ring). It returns
// how many it re-encrypted; a connector that fails is reported in the error and the others
// are still rotated, so running it again after fixing the key ring finishes the job.
func (s *Service) RotateKey(ctx context.Context) (int, error) {
	recs, err := s.st.ConnectorList(ctx)
	if err != nil {
		return 0, fmt.Errorf("rotating key: listing connectors: %w", err)
	}
	n := 0
	var errs []error
	for _, rec := range recs {
		if len(rec.Secrets) == 0 || !s.keys.NeedsRotation(rec.Secrets) {
			continue
		}
		secrets, err := open(s.keys, rec)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if rec.Secrets, err = seal(s.keys, rec.ID, rec.TypeID, rec.Config, secrets); err != nil {
			errs = append(errs, fmt.Errorf("re-encrypting connector %q: %w", rec.ID, err))
			continue
		}
		if err := s.st.ConnectorUpdate(ctx, rec); err != nil {
			errs = append(errs, fmt.Errorf("storing re-encrypted connector %q: %w", rec.ID, err))
			continue
		}
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("rotating key: %d connector(s) failed: %w", len(errs), err)
	}
	return n, nil
}
