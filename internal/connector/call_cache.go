package connector

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/secret"
)

// basicAuthUserKeys are the config and secrets fields that hold a user name next to a
// password or token (Jira Cloud: email + API token; .http basic auth: user + password).
var basicAuthUserKeys = []string{"user", "username", "email", "login", "clientId", "client_id"}

// callCache keeps, per connector, the Redactor and the HTTP client its calls use: building
// them costs far more than a call's own work. An entry is rebuilt when the connector's type,
// config or secrets change. It is safe for concurrent use.
type callCache struct {
	mu      sync.Mutex
	entries map[string]*callEntry // by connector id
}

// callEntry is one connector version's tools.
type callEntry struct {
	version  [sha256.Size]byte
	redactor *secret.Redactor
	http     *httpclient.Client
}

// newCallCache returns an empty cache.
func newCallCache() *callCache { return &callCache{entries: map[string]*callEntry{}} }

// get returns c's entry, building it with build when missing or stale.
func (cc *callCache) get(c *Connector, build func(red *secret.Redactor) *httpclient.Client) *callEntry {
	version := fingerprint(c)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.entries[c.ID]; ok && e.version == version {
		return e
	}
	red := newConnectorRedactor(c)
	e := &callEntry{version: version, redactor: red, http: build(red)}
	if old, ok := cc.entries[c.ID]; ok && old.http != nil {
		old.http.CloseIdleConnections()
	}
	cc.entries[c.ID] = e
	return e
}

// forget drops id's entry (the connector changed or is gone).
func (cc *callCache) forget(id string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.entries[id]; ok && e.http != nil {
		e.http.CloseIdleConnections()
	}
	delete(cc.entries, id)
}

// fingerprint hashes what an entry depends on: type, config and secrets.
func fingerprint(c *Connector) [sha256.Size]byte {
	if c.version != nil {
		return *c.version
	}
	b, err := json.Marshal([]any{c.TypeID, c.Config, c.Secrets})
	if err != nil {
		// Unencodable values cannot come from the store; hash the id alone so the entry is
		// still per connector.
		b = []byte(c.ID)
	}
	return sha256.Sum256(b)
}

// newConnectorRedactor returns a Redactor of every secret value of c, plus the Basic auth
// pairs a user-like field and a secret may form.
func newConnectorRedactor(c *Connector) *secret.Redactor {
	red := secret.NewRedactor(c.Secrets)
	var leaves []string
	collectStrings(c.Secrets, &leaves)
	for _, key := range basicAuthUserKeys {
		for _, src := range []map[string]any{c.Config, c.Secrets} {
			user, ok := src[key].(string)
			if !ok {
				continue
			}
			for _, pass := range leaves {
				if pass != user {
					red.AddBasicAuth(user, pass)
				}
			}
		}
	}
	return red
}

// collectStrings appends the string leaves of v.
func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	}
}
