package connectortest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
)

// Want is the request a test expects. Method, Path, RawQuery and Body are compared
// exactly; Header lists the headers to check, "" meaning the header is absent or empty.
type Want struct {
	Method   string
	Path     string
	RawQuery string
	Body     string
	Header   map[string]string
}

// RequireOneRequest requires that f received exactly one request, and that it is want.
func (f *Fake) RequireOneRequest(t testing.TB, want Want) Request {
	t.Helper()
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	require.Equal(t, want.Method, got.Method)
	require.Equal(t, want.Path, got.Path)
	require.Equal(t, want.RawQuery, got.RawQuery)
	require.Equal(t, want.Body, got.Body)
	for name, value := range want.Header {
		require.Equal(t, value, got.Header.Get(name), name)
	}
	return got
}

// RequireNoSecret fails when any of the secrets appears anywhere in the result, encoded as
// JSON or printed.
func RequireNoSecret(t testing.TB, r connector.Result, secrets ...string) {
	t.Helper()
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	for _, secret := range secrets {
		require.NotContains(t, string(raw), secret)
		require.NotContains(t, fmt.Sprintf("%+v", r), secret)
	}
}

// RequireValidation checks a ValidateConfig answer: no error when wantErr is "", else an
// error containing wantErr.
func RequireValidation(t testing.TB, err error, wantErr string) {
	t.Helper()
	if wantErr == "" {
		require.NoError(t, err)
		return
	}
	require.ErrorContains(t, err, wantErr)
}

// Schema compiles a connector's JSON-Schema spec, so tests can validate documents with it.
func Schema(t testing.TB, schema json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}
