package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/store"
)

const connectorColumns = `id, name, type_id, config, secrets, is_missing_secrets, created_at, updated_at`

// scanConnector reads one row selected with connectorColumns.
func scanConnector(row rowScanner) (*store.Connector, error) {
	var (
		c                store.Connector
		config, secrets  []byte
		missing          int
		created, updated int64
	)
	err := row.Scan(&c.ID, &c.Name, &c.TypeID, &config, &secrets, &missing, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.Config, c.Secrets = jsonOf(config), secrets
	c.IsMissingSecrets = missing != 0
	c.CreatedAt, c.UpdatedAt = timeOf(created), timeOf(updated)
	return &c, nil
}

// blobArg passes bytes as a BLOB (nil ⇒ NULL).
func blobArg(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// ConnectorCreate inserts c. A zero CreatedAt or UpdatedAt is set to now (written back into c);
// a duplicate id or name fails with store.ErrConflict.
func (s *Store) ConnectorCreate(ctx context.Context, c *store.Connector) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO connectors (`+connectorColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, c.TypeID, jsonArg(c.Config), blobArg(c.Secrets), boolArg(c.IsMissingSecrets),
		timeArg(c.CreatedAt), timeArg(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("creating connector %q: %w", c.ID, mapError(err))
	}
	return nil
}

// ConnectorGet returns the connector with the given id, or store.ErrNotFound.
func (s *Store) ConnectorGet(ctx context.Context, id string) (*store.Connector, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+connectorColumns+` FROM connectors WHERE id = ?`, id)
	c, err := scanConnector(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting connector %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting connector %q: %w", id, err)
	}
	return c, nil
}

// ConnectorGetByName returns the connector named name (names are unique), or
// store.ErrNotFound.
func (s *Store) ConnectorGetByName(ctx context.Context, name string) (*store.Connector, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+connectorColumns+` FROM connectors WHERE name = ?`, name)
	c, err := scanConnector(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("getting connector by name %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("getting connector by name %q: %w", name, err)
	}
	return c, nil
}

// ConnectorList returns every connector ordered by name ignoring ASCII case.
func (s *Store) ConnectorList(ctx context.Context) ([]*store.Connector, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+connectorColumns+` FROM connectors ORDER BY lower(name), name, id`)
	if err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	defer rows.Close()
	list := []*store.Connector{}
	for rows.Next() {
		c, err := scanConnector(rows)
		if err != nil {
			return nil, fmt.Errorf("listing connectors: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	return list, nil
}

// ConnectorUpdate replaces the name, type, config, secrets and flags of connector c.ID; it
// keeps CreatedAt. A zero UpdatedAt is set to now (written back into c). It fails with
// store.ErrNotFound when the connector does not exist and store.ErrConflict when the new
// name is taken.
func (s *Store) ConnectorUpdate(ctx context.Context, c *store.Connector) error {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now()
	}
	res, err := s.write.ExecContext(ctx, `UPDATE connectors SET name = ?, type_id = ?, config = ?,
		secrets = ?, is_missing_secrets = ?, updated_at = ? WHERE id = ?`,
		c.Name, c.TypeID, jsonArg(c.Config), blobArg(c.Secrets), boolArg(c.IsMissingSecrets),
		timeArg(c.UpdatedAt), c.ID)
	if err := expectOne(res, err); err != nil {
		return fmt.Errorf("updating connector %q: %w", c.ID, err)
	}
	return nil
}

// ConnectorDelete deletes the connector with the given id, or fails with store.ErrNotFound.
func (s *Store) ConnectorDelete(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM connectors WHERE id = ?`, id)
	if err := expectOne(res, err); err != nil {
		return fmt.Errorf("deleting connector %q: %w", id, err)
	}
	return nil
}
