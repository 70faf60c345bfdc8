package secret

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeriveIsStablePerLabelAndKey(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, KeySize)
	k2 := bytes.Repeat([]byte{2}, KeySize)
	a, err := NewKeyRing(k1)
	require.NoError(t, err)
	b, err := NewKeyRing(k1, k2)
	require.NoError(t, err)
	c, err := NewKeyRing(k2)
	require.NoError(t, err)
	x, err := a.Derive("resume-links")
	require.NoError(t, err)
	y, err := b.Derive("resume-links")
	require.NoError(t, err)
	require.Equal(t, x, y, "nodes sharing the primary key derive the same key")
	z, err := c.Derive("resume-links")
	require.NoError(t, err)
	require.NotEqual(t, x, z)
	w, err := a.Derive("other")
	require.NoError(t, err)
	require.NotEqual(t, x, w)
	require.Len(t, x, KeySize)
	require.NotEqual(t, k1, x, "the derived key is not the primary key")
}
