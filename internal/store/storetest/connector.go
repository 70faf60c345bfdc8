package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

var connectorCases = []testCase{
	{"CreateGetRoundTrip", testConnectorRoundTrip},
	{"CreateSetsZeroTimes", func(t *testing.T, s store.Store) {
		before := time.Now().Add(-time.Second)
		c := &store.Connector{ID: "c-1", Name: "n", TypeID: ".slack"}
		require.NoError(t, s.ConnectorCreate(t.Context(), c))
		require.True(t, c.CreatedAt.After(before))
		require.Equal(t, c.CreatedAt, c.UpdatedAt)
		got, err := s.ConnectorGet(t.Context(), "c-1")
		require.NoError(t, err)
		require.WithinDuration(t, c.CreatedAt, got.CreatedAt, time.Microsecond)
	}},
	{"CreateDuplicateConflicts", testConnectorCreateConflicts},
	{"GetMissing", func(t *testing.T, s store.Store) {
		_, err := s.ConnectorGet(t.Context(), "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.ConnectorGetByName(t.Context(), "nope")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"GetByName", func(t *testing.T, s store.Store) {
		require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-1", "Slack alerts")))
		got, err := s.ConnectorGetByName(t.Context(), "Slack alerts")
		require.NoError(t, err)
		require.Equal(t, "c-1", got.ID)
		_, err = s.ConnectorGetByName(t.Context(), "slack alerts")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"Update", testConnectorUpdate},
	{"UpdateConflictsAndMissing", testConnectorUpdateErrors},
	{"Delete", func(t *testing.T, s store.Store) {
		require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-1", "a")))
		require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-2", "b")))
		require.NoError(t, s.ConnectorDelete(t.Context(), "c-1"))
		_, err := s.ConnectorGet(t.Context(), "c-1")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.ConnectorDelete(t.Context(), "c-1"), store.ErrNotFound)
		_, err = s.ConnectorGet(t.Context(), "c-2")
		require.NoError(t, err)
		// The name of a deleted connector is free again.
		require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-3", "a")))
	}},
	{"List", testConnectorList},
}

// newConnector returns a connector with every field set.
func newConnector(id, name string) *store.Connector {
	return &store.Connector{
		ID: id, Name: name, TypeID: ".slack",
		Config:    raw(`{"url": "https://hooks.example.test/x",  "ünï": [1, null]}`),
		Secrets:   []byte{0x01, 0x00, 0xff, 0x7f, 'x', 0x00},
		CreatedAt: at(0), UpdatedAt: at(time.Minute),
	}
}

func testConnectorRoundTrip(t *testing.T, s store.Store) {
	for _, c := range []*store.Connector{
		newConnector("c-1", "Full"),
		{ID: "c-2", Name: "Bare", TypeID: ".http", IsMissingSecrets: true, CreatedAt: at(0), UpdatedAt: at(0)},
	} {
		require.NoError(t, s.ConnectorCreate(t.Context(), c))
		got, err := s.ConnectorGet(t.Context(), c.ID)
		require.NoError(t, err)
		require.Equal(t, c, got)
		got, err = s.ConnectorGetByName(t.Context(), c.Name)
		require.NoError(t, err)
		require.Equal(t, c, got)
	}
}

func testConnectorCreateConflicts(t *testing.T, s store.Store) {
	require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-1", "a")))
	tests := []struct{ name, id, cname string }{
		{"same id", "c-1", "b"},
		{"same name", "c-2", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.ConnectorCreate(t.Context(), newConnector(tc.id, tc.cname))
			require.ErrorIs(t, err, store.ErrConflict)
		})
	}
	list, err := s.ConnectorList(t.Context())
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "a", list[0].Name)
}

func testConnectorUpdate(t *testing.T, s store.Store) {
	c := newConnector("c-1", "a")
	require.NoError(t, s.ConnectorCreate(t.Context(), c))
	upd := &store.Connector{
		ID: "c-1", Name: "renamed", TypeID: ".slack", Config: raw(`{"url":"https://other.test"}`),
		Secrets: nil, IsMissingSecrets: true,
		CreatedAt: at(time.Hour), // ignored: the store keeps the original
		UpdatedAt: at(2 * time.Hour),
	}
	require.NoError(t, s.ConnectorUpdate(t.Context(), upd))
	got, err := s.ConnectorGet(t.Context(), "c-1")
	require.NoError(t, err)
	want := *upd
	want.CreatedAt = c.CreatedAt
	require.Equal(t, &want, got)

	upd.UpdatedAt = time.Time{}
	upd.Secrets = []byte("ciphertext")
	before := time.Now().Add(-time.Second)
	require.NoError(t, s.ConnectorUpdate(t.Context(), upd))
	require.True(t, upd.UpdatedAt.After(before))
	got, err = s.ConnectorGet(t.Context(), "c-1")
	require.NoError(t, err)
	require.Equal(t, []byte("ciphertext"), got.Secrets)
	require.Equal(t, c.CreatedAt, got.CreatedAt)
}

func testConnectorUpdateErrors(t *testing.T, s store.Store) {
	require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-1", "a")))
	require.NoError(t, s.ConnectorCreate(t.Context(), newConnector("c-2", "b")))
	err := s.ConnectorUpdate(t.Context(), newConnector("c-2", "a"))
	require.ErrorIs(t, err, store.ErrConflict)
	err = s.ConnectorUpdate(t.Context(), newConnector("c-9", "z"))
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err := s.ConnectorGet(t.Context(), "c-2")
	require.NoError(t, err)
	require.Equal(t, "b", got.Name)
}

func testConnectorList(t *testing.T, s store.Store) {
	list, err := s.ConnectorList(t.Context())
	require.NoError(t, err)
	require.Empty(t, list)
	for i, name := range []string{"beta", "Alpha", "gamma", "alpha2", "Beta"} {
		require.NoError(t, s.ConnectorCreate(t.Context(), newConnector(seqID("c", i), name)))
	}
	list, err = s.ConnectorList(t.Context())
	require.NoError(t, err)
	names := make([]string, 0, len(list))
	for _, c := range list {
		names = append(names, c.Name)
	}
	require.Equal(t, []string{"Alpha", "alpha2", "Beta", "beta", "gamma"}, names)
	require.Equal(t, newConnector("c-001", "Alpha"), list[0])
}
