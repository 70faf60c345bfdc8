package connector

import (
	"bytes"
	"context"
	"sync"

	"github.com/errand-dev/errand/internal/store"
)

// maxResolved bounds the resolution cache; references come from workflows, and a templated
// connector-id could name many connectors.
const maxResolved = 1024

// resolveCache remembers, per reference of a stored connector (its id or its name), the
// record it resolved to and that record's decrypted connector. Resolving the reference again
// reads only that id's record: when the record is unchanged (name, type, config, ciphertext,
// timestamps), the decrypted connector is reused; otherwise the reference is resolved
// afresh. An update, rename, key rotation or deletion, from this process or another, is thus
// seen at the next call, for one store read instead of two reads and a decryption. The one
// change it does not see is a connector created in another process with an id equal to a
// name already cached (ids take precedence over names); Create in this process clears the
// cache. It is safe for concurrent use.
type resolveCache struct {
	mu      sync.Mutex
	entries map[string]*resolvedEntry
}

// resolvedEntry is one reference's record and its decrypted connector, never handed out.
type resolvedEntry struct {
	rec  *store.Connector
	conn *Connector
}

func newResolveCache() *resolveCache { return &resolveCache{entries: map[string]*resolvedEntry{}} }

// lookup returns a copy of the connector ref resolved to, when its record is unchanged.
func (rc *resolveCache) lookup(ctx context.Context, st store.Store, ref string) (*Connector, bool) {
	rc.mu.Lock()
	e, ok := rc.entries[ref]
	rc.mu.Unlock()
	if !ok {
		return nil, false
	}
	rec, err := st.ConnectorGet(ctx, e.rec.ID)
	if err != nil || !sameRecord(rec, e.rec) || (ref != rec.ID && ref != rec.Name) {
		rc.drop(ref)
		return nil, false
	}
	return withSecrets(e.conn), true
}

// put remembers that ref resolved to rec, decrypted as c.
func (rc *resolveCache) put(ref string, rec *store.Connector, c *Connector) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.entries) >= maxResolved {
		clear(rc.entries)
	}
	kept := withSecrets(c)
	version := fingerprint(kept)
	kept.version = &version
	rc.entries[ref] = &resolvedEntry{rec: rec, conn: kept}
}

func (rc *resolveCache) drop(ref string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	delete(rc.entries, ref)
}

// reset forgets every reference.
func (rc *resolveCache) reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.entries)
}

// sameRecord reports whether two reads of a connector record are the same version.
func sameRecord(a, b *store.Connector) bool {
	return a.ID == b.ID && a.Name == b.Name && a.TypeID == b.TypeID &&
		a.IsMissingSecrets == b.IsMissingSecrets && a.UpdatedAt.Equal(b.UpdatedAt) &&
		bytes.Equal(a.Config, b.Config) && bytes.Equal(a.Secrets, b.Secrets)
}
