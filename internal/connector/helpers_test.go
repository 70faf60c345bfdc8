package connector_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
	"github.com/errand-dev/errand/internal/store/sqlite"
)

// testToken is the echo connector's secret in the tests.
const testToken = "tok_9f8e7d6c5b4a-Secret"

// echoType is a tiny connector type for the tests: it POSTs the message param to its
// config url with the token as a bearer, and returns what the server answered (the fake
// server echoes the request, Authorization header included, so redaction has work to do).
func echoType() *connector.Type {
	return &connector.Type{
		ID: ".echo", Name: "Echo",
		ConfigSchema: json.RawMessage(`{"type":"object","additionalProperties":false,"required":["url"],
			"properties":{"url":{"type":"string"},"user":{"type":"string"},"retries":{"type":"integer","minimum":0}}}`),
		SecretsSchema: json.RawMessage(`{"type":"object","additionalProperties":false,"required":["token"],
			"properties":{"token":{"type":"string"},"password":{"type":"string"}}}`),
		Actions: map[string]*connector.Action{
			"": {ParamsSchema: json.RawMessage(`{"type":"object","required":["message"],
				"properties":{"message":{"type":"string"},"mode":{"enum":["ok","panic","fail"]}}}`), Run: runEcho},
		},
		ValidateConfig: func(config, _ map[string]any) error {
			u, err := url.Parse(config["url"].(string))
			if err != nil || u.Host == "" {
				return errString("config.url: must be an absolute URL; give http(s)://host/path")
			}
			return nil
		},
		Test: func(ctx context.Context, call *connector.Call) error {
			_, err := call.HTTP.Do(ctx, &httpclient.Request{URL: call.Connector.Config["url"].(string) + "/fail",
				Header: http.Header{"Authorization": {"Bearer " + call.Connector.Secrets["token"].(string)}}})
			return err
		},
	}
}

// errString is a plain error.
type errString string

func (e errString) Error() string { return string(e) }

// runEcho is the echo type's action.
func runEcho(ctx context.Context, call *connector.Call) connector.Result {
	token, _ := call.Connector.Secrets["token"].(string)
	call.Log.Info("calling echo with "+token, "token", token, "n", 1)
	switch call.Params["mode"] {
	case "panic":
		panic("boom with " + token)
	case "fail":
		return connector.Result{Status: connector.StatusError, Message: "failed using " + token,
			ServiceMessage: "remote said Bearer " + token}
	}
	body, _ := json.Marshal(call.Params)
	resp, err := call.HTTP.Do(ctx, &httpclient.Request{Method: http.MethodPost,
		URL: call.Connector.Config["url"].(string), Body: body,
		Header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}})
	if err != nil {
		return connector.FromHTTPError("error calling echo", err)
	}
	var data any
	if err := json.Unmarshal(resp.Body, &data); err != nil {
		return connector.UserError("bad echo answer")
	}
	return connector.OK(data)
}

// otherType is a second type, for wrong-type resolution.
func otherType() *connector.Type {
	return &connector.Type{ID: ".other", Name: "Other",
		Actions: map[string]*connector.Action{"ping": {Run: func(context.Context, *connector.Call) connector.Result {
			return connector.OK(nil)
		}}}}
}

// newRegistry registers the test types.
func newRegistry(t testing.TB) *connector.Registry {
	reg := connector.NewRegistry()
	require.NoError(t, reg.Register(echoType()))
	require.NoError(t, reg.Register(otherType()))
	return reg
}

// echoServer answers every request with a JSON echo of it; /fail answers 401.
func echoServer(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/fail") {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid token " + r.Header.Get("Authorization")})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"authorization": r.Header.Get("Authorization"), "body": string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newKey returns a random key.
func newKey(t testing.TB) []byte {
	k := make([]byte, secret.KeySize)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

// newRing returns a key ring of primary and old keys.
func newRing(t testing.TB, primary []byte, old ...[]byte) *secret.KeyRing {
	r, err := secret.NewKeyRing(primary, old...)
	require.NoError(t, err)
	return r
}

// testStore is a store under test with the file holding it (SQLite only).
type testStore struct {
	name string
	st   store.Store
	path string
}

// stores opens a fresh SQLite store, and a PostgreSQL one in its own schema when
// ERRAND_TEST_POSTGRES_URL is set.
func stores(t *testing.T) []testStore {
	path := filepath.Join(t.TempDir(), "e.db")
	lite, err := sqlite.Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	out := []testStore{{"sqlite", lite, path}}
	if base := os.Getenv("ERRAND_TEST_POSTGRES_URL"); base != "" {
		out = append(out, testStore{"postgres", openPostgres(t, base), ""})
	}
	return out
}

// openPostgres opens a store in a fresh schema, dropped when t ends.
func openPostgres(t *testing.T, _ string) store.Store {
	st, err := postgres.Open(t.Context(), pgtest.SchemaURL(t, "errand_conn_test"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// newService returns a Service over st with the test registry.
func newService(t testing.TB, st store.Store, keys *secret.KeyRing, pre ...*connector.Connector) *connector.Service {
	s, err := connector.NewService(st, keys, newRegistry(t), connector.ServiceOptions{Preconfigured: pre})
	require.NoError(t, err)
	return s
}

// echoParams returns a valid create request for an echo connector at srvURL.
func echoParams(name, srvURL string) connector.CreateParams {
	return connector.CreateParams{Name: name, TypeID: ".echo",
		Config:  map[string]any{"url": srvURL, "user": "alice@example.com"},
		Secrets: map[string]any{"token": testToken, "password": "pa55-word-xyz"}}
}

// b64 is standard base64.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
