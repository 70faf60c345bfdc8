package connector_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
)

func TestCreateGetListNeverReturnSecrets(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := newService(t, ts.st, newRing(t, newKey(t)), &connector.Connector{
				ID: "pre-1", Name: "Preconfigured echo", TypeID: ".echo",
				Config: map[string]any{"url": "https://pre.example.test"}, Secrets: map[string]any{"token": "pre-token-value"}})
			c, err := s.Create(t.Context(), echoParams("Echo", "https://echo.example.test"))
			require.NoError(t, err)
			require.Len(t, c.ID, 36, "a UUID")
			require.Nil(t, c.Secrets)
			require.Equal(t, map[string]any{"url": "https://echo.example.test", "user": "alice@example.com"}, c.Config)
			require.False(t, c.CreatedAt.IsZero())

			got, err := s.Get(t.Context(), c.ID)
			require.NoError(t, err)
			require.Nil(t, got.Secrets)
			require.Equal(t, c.Config, got.Config)
			list, err := s.List(t.Context())
			require.NoError(t, err)
			require.Len(t, list, 2)
			require.Equal(t, []string{"Echo", "Preconfigured echo"}, []string{list[0].Name, list[1].Name})
			require.True(t, list[1].IsPreconfigured)
			b, err := json.Marshal(map[string]any{"c": c, "got": got, "list": list})
			require.NoError(t, err)
			require.NotContains(t, string(b), testToken)
			require.NotContains(t, string(b), "pre-token-value")
			require.Contains(t, string(b), `"is_preconfigured":true`)
			require.Contains(t, string(b), `"is_missing_secrets":false`)

			withID, err := s.Create(t.Context(), connector.CreateParams{ID: "my-id", Name: "Other", TypeID: ".other"})
			require.NoError(t, err)
			require.Equal(t, "my-id", withID.ID)
		})
	}
}

func TestCreateValidation(t *testing.T) {
	ts := stores(t)[0]
	s := newService(t, ts.st, newRing(t, newKey(t)), &connector.Connector{ID: "pre-1", Name: "taken by pre", TypeID: ".other"})
	_, err := s.Create(t.Context(), echoParams("taken", "https://x.test"))
	require.NoError(t, err)
	tests := []struct {
		name string
		edit func(p *connector.CreateParams)
		kind error
		msg  string
	}{
		{"unknown type", func(p *connector.CreateParams) { p.TypeID = ".nope" }, connector.ErrUnknownType,
			`unknown connector type ".nope"; known types: .echo, .other`},
		{"missing config field", func(p *connector.CreateParams) { delete(p.Config, "url") }, connector.ErrInvalid,
			"config.url: is required; add it"},
		{"unknown config field", func(p *connector.CreateParams) { p.Config["urll"] = "x" }, connector.ErrInvalid,
			"config.urll: is not a known field; remove it or check its spelling"},
		{"wrong type", func(p *connector.CreateParams) { p.Config["retries"] = "three" }, connector.ErrInvalid,
			"config.retries: must be integer, not string"},
		{"missing secret", func(p *connector.CreateParams) { p.Secrets = nil }, connector.ErrInvalid,
			"secrets.token: is required; add it"},
		{"empty string", func(p *connector.CreateParams) { p.Secrets["password"] = "" }, connector.ErrInvalid,
			"secrets.password: must not be an empty string"},
		{"type rule", func(p *connector.CreateParams) { p.Config["url"] = "not a url" }, connector.ErrInvalid,
			"config.url: must be an absolute URL"},
		{"secrets for a type without", func(p *connector.CreateParams) { p.TypeID, p.Config = ".other", nil }, connector.ErrInvalid,
			"secrets: connector type .other takes no secrets"},
		{"duplicate name", func(p *connector.CreateParams) { p.Name = "taken" }, connector.ErrConnectorExists,
			`is already named "taken"`},
		{"name of a preconfigured", func(p *connector.CreateParams) { p.Name = "taken by pre" }, connector.ErrConnectorExists,
			`preconfigured connector "pre-1" is named "taken by pre"`},
		{"id of a preconfigured", func(p *connector.CreateParams) { p.ID = "pre-1" }, connector.ErrConnectorExists,
			`a preconfigured connector has id "pre-1"`},
		{"no name", func(p *connector.CreateParams) { p.Name = " " }, connector.ErrInvalid, "name: is required"},
		{"bad id", func(p *connector.CreateParams) { p.ID = "a/b" }, connector.ErrInvalid, `id: "a/b" is not a valid connector id`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := echoParams("fresh", "https://x.test")
			tc.edit(&p)
			_, err := s.Create(t.Context(), p)
			require.ErrorIs(t, err, tc.kind)
			require.ErrorContains(t, err, tc.msg)
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestUpdateSecretsOmittedKeepNullClears(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := newService(t, ts.st, newRing(t, newKey(t)))
			c, err := s.Create(t.Context(), echoParams("Echo", "https://a.test"))
			require.NoError(t, err)
			secretsOf := func() map[string]any {
				r, err := s.Resolve(t.Context(), c.ID, "")
				require.NoError(t, err)
				return r.Secrets
			}
			steps := []struct {
				name string
				p    connector.UpdateParams
				want map[string]any
			}{
				{"rename keeps secrets", connector.UpdateParams{Name: ptr("Renamed")},
					map[string]any{"token": testToken, "password": "pa55-word-xyz"}},
				{"new config keeps secrets", connector.UpdateParams{Config: map[string]any{"url": "https://b.test"}},
					map[string]any{"token": testToken, "password": "pa55-word-xyz"}},
				{"omitted keeps, set replaces", connector.UpdateParams{Secrets: map[string]any{"token": "tok-2-abcdef"}},
					map[string]any{"token": "tok-2-abcdef", "password": "pa55-word-xyz"}},
				{"null clears", connector.UpdateParams{Secrets: map[string]any{"password": nil}},
					map[string]any{"token": "tok-2-abcdef"}},
			}
			for _, st := range steps {
				got, err := s.Update(t.Context(), c.ID, st.p)
				require.NoError(t, err, st.name)
				require.Nil(t, got.Secrets)
				require.Equal(t, c.CreatedAt, got.CreatedAt, st.name)
				require.Equal(t, st.want, secretsOf(), st.name)
			}
			got, err := s.Get(t.Context(), c.ID)
			require.NoError(t, err)
			require.Equal(t, "Renamed", got.Name)
			require.Equal(t, map[string]any{"url": "https://b.test"}, got.Config)

			_, err = s.Update(t.Context(), c.ID, connector.UpdateParams{Secrets: map[string]any{"token": nil}})
			require.ErrorIs(t, err, connector.ErrInvalid)
			require.ErrorContains(t, err, "secrets.token: is required")
			_, err = s.Update(t.Context(), "missing", connector.UpdateParams{Name: ptr("x")})
			require.ErrorIs(t, err, connector.ErrConnectorNotFound)
		})
	}
}

func TestPreconfiguredAreReadOnly(t *testing.T) {
	s := newService(t, stores(t)[0].st, newRing(t, newKey(t)), &connector.Connector{ID: "pre-1", Name: "Pre", TypeID: ".other"})
	_, err := s.Update(t.Context(), "pre-1", connector.UpdateParams{Name: ptr("x")})
	require.ErrorIs(t, err, connector.ErrReadOnly)
	require.ErrorContains(t, err, "preconfigured connectors are read-only")
	require.ErrorIs(t, s.Delete(t.Context(), "pre-1"), connector.ErrReadOnly)
	got, err := s.Get(t.Context(), "pre-1")
	require.NoError(t, err)
	require.True(t, got.IsPreconfigured)
}

func TestNewServiceRejectsBadPreconfigured(t *testing.T) {
	st := stores(t)[0].st
	tests := []struct {
		name string
		pre  []*connector.Connector
		msg  string
	}{
		{"unknown type", []*connector.Connector{{ID: "a", Name: "A", TypeID: ".nope"}}, "unknown connector type"},
		{"invalid config", []*connector.Connector{{ID: "a", Name: "A", TypeID: ".echo", Secrets: map[string]any{"token": "abcd"}}}, "config.url: is required"},
		{"duplicate id", []*connector.Connector{{ID: "a", Name: "A", TypeID: ".other"}, {ID: "a", Name: "B", TypeID: ".other"}}, "used twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connector.NewService(st, newRing(t, newKey(t)), newRegistry(t), connector.ServiceOptions{Preconfigured: tc.pre})
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestDelete(t *testing.T) {
	s := newService(t, stores(t)[0].st, newRing(t, newKey(t)))
	c, err := s.Create(t.Context(), echoParams("Echo", "https://a.test"))
	require.NoError(t, err)
	require.NoError(t, s.Delete(t.Context(), c.ID))
	_, err = s.Get(t.Context(), c.ID)
	require.ErrorIs(t, err, connector.ErrConnectorNotFound)
	require.ErrorIs(t, s.Delete(t.Context(), c.ID), connector.ErrConnectorNotFound)
}

func TestSecretsAreBoundToIDTypeAndConfig(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := newService(t, ts.st, newRing(t, newKey(t)))
			a, err := s.Create(t.Context(), echoParams("A", "https://a.test"))
			require.NoError(t, err)
			b, err := s.Create(t.Context(), echoParams("B", "https://b.test"))
			require.NoError(t, err)

			// Someone with database access points A at their own server.
			rec, err := ts.st.ConnectorGet(t.Context(), a.ID)
			require.NoError(t, err)
			rec.Config = json.RawMessage(`{"url":"https://attacker.test","user":"alice@example.com"}`)
			require.NoError(t, ts.st.ConnectorUpdate(t.Context(), rec))
			_, err = s.Resolve(t.Context(), a.ID, "echo")
			require.ErrorIs(t, err, connector.ErrSecrets)
			require.ErrorIs(t, err, secret.ErrDecrypt)
			require.ErrorContains(t, err, "changed outside Errand")

			// ... or copies B's ciphertext into another row.
			recB, err := ts.st.ConnectorGet(t.Context(), b.ID)
			require.NoError(t, err)
			require.NoError(t, ts.st.ConnectorCreate(t.Context(), &store.Connector{ID: "copy", Name: "copy",
				TypeID: recB.TypeID, Config: recB.Config, Secrets: recB.Secrets}))
			_, err = s.Resolve(t.Context(), "copy", "")
			require.ErrorIs(t, err, secret.ErrDecrypt)

			// Re-entering the secrets repairs A.
			_, err = s.Update(t.Context(), a.ID, connector.UpdateParams{Secrets: map[string]any{"token": "tok-new-123"}})
			require.NoError(t, err)
			got, err := s.Resolve(t.Context(), a.ID, "echo")
			require.NoError(t, err)
			require.Equal(t, map[string]any{"token": "tok-new-123"}, got.Secrets)
		})
	}
}

func TestRotateKey(t *testing.T) {
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			oldKey, newKey2 := newKey(t), newKey(t)
			old := newService(t, ts.st, newRing(t, oldKey))
			for _, name := range []string{"a", "b", "c"} {
				_, err := old.Create(t.Context(), echoParams(name, "https://"+name+".test"))
				require.NoError(t, err)
			}
			_, err := old.Create(t.Context(), connector.CreateParams{Name: "no secrets", TypeID: ".other"})
			require.NoError(t, err)

			_, err = newService(t, ts.st, newRing(t, newKey2)).Resolve(t.Context(), "a", "")
			require.ErrorIs(t, err, secret.ErrUnknownKey, "the new key alone cannot read old rows")

			rotating := newService(t, ts.st, newRing(t, newKey2, oldKey))
			n, err := rotating.RotateKey(t.Context())
			require.NoError(t, err)
			require.Equal(t, 3, n)
			n, err = rotating.RotateKey(t.Context())
			require.NoError(t, err)
			require.Zero(t, n)

			fresh := newService(t, ts.st, newRing(t, newKey2))
			for _, name := range []string{"a", "b", "c"} {
				c, err := fresh.Resolve(t.Context(), name, "echo")
				require.NoError(t, err)
				require.Equal(t, testToken, c.Secrets["token"])
			}
		})
	}
}

func TestRotateKeyReportsUnreadableRows(t *testing.T) {
	st := stores(t)[0].st
	_, err := newService(t, st, newRing(t, newKey(t))).Create(t.Context(), echoParams("lost", "https://a.test"))
	require.NoError(t, err)
	n, err := newService(t, st, newRing(t, newKey(t))).RotateKey(t.Context())
	require.Zero(t, n)
	require.ErrorIs(t, err, secret.ErrUnknownKey)
	require.ErrorContains(t, err, "1 connector(s) failed")
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
