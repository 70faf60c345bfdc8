package connector_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

// encodings returns the forms of v a leak could take.
func encodings(v string) map[string]string {
	j, _ := json.Marshal(v)
	return map[string]string{
		"raw": v, "base64": b64(v), "base64 raw": strings.TrimRight(b64(v), "="),
		"query": url.QueryEscape(v), "path": url.PathEscape(v), "json": strings.Trim(string(j), `"`),
	}
}

func TestSQLiteFileHoldsNoSecret(t *testing.T) {
	ts := stores(t)[0]
	srv := echoServer(t)
	oldKey := newKey(t)
	s := newService(t, ts.st, newRing(t, oldKey))
	secrets := []string{testToken, "pa55-word-xyz", "rotated/secret+value=", "b4sic-pass-word"}
	c, err := s.Create(t.Context(), echoParams("Echo", srv.URL))
	require.NoError(t, err)
	_, err = s.Update(t.Context(), c.ID, connector.UpdateParams{Secrets: map[string]any{"password": "rotated/secret+value="}})
	require.NoError(t, err)
	_, err = s.Update(t.Context(), c.ID, connector.UpdateParams{Secrets: map[string]any{"password": "b4sic-pass-word"}})
	require.NoError(t, err)
	n, err := newService(t, ts.st, newRing(t, newKey(t), oldKey)).RotateKey(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, ts.st.Close())

	var files bytes.Buffer
	matches, err := filepath.Glob(ts.path + "*")
	require.NoError(t, err)
	require.NotEmpty(t, matches)
	for _, m := range matches {
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		files.Write(b)
	}
	require.Contains(t, files.String(), "alice@example.com", "the file is searchable")
	for _, v := range secrets {
		for name, form := range encodings(v) {
			require.NotContains(t, files.String(), form, "%s form of %q found in the SQLite files", name, v)
		}
	}
	for name, form := range encodings("alice@example.com:" + testToken) {
		require.NotContains(t, files.String(), form, "%s form of the Basic auth pair", name)
	}
}
