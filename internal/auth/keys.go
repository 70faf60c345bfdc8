package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// KeysOptions tune a Keys service. Zero values take the defaults.
type KeysOptions struct {
	// Now is the clock (default time.Now); tests inject theirs.
	Now func() time.Time
	// CacheTTL is how long a valid key is served from memory (default 10s). A key revoked
	// on another node is refused here at most this long after.
	CacheTTL time.Duration
	// TouchEvery is the least time between two LastUsedAt writes of a key (default 1m).
	TouchEvery time.Duration
	// MaxFailures failed attempts per FailureWindow are allowed per client address before
	// further failures answer ErrRateLimited (defaults 10 per 1m).
	MaxFailures   int
	FailureWindow time.Duration
	// ClientAddr names the client of a request for the failure limit (default: the host of
	// RemoteAddr). Behind a trusted proxy, return the address it forwards.
	ClientAddr func(r *http.Request) string
	// Logger receives failed LastUsedAt writes (default slog.Default()). Tokens are never logged.
	Logger *slog.Logger
}

// Keys creates, lists and revokes API keys and authenticates requests with them.
type Keys struct {
	st   store.APIKeyStore
	opts KeysOptions
	lim  *failureLimiter

	mu      sync.Mutex
	cache   map[string]cachedKey
	gen     uint64               // bumped on each revoke, so lookups in flight do not cache stale keys
	touched map[string]time.Time // last LastUsedAt write per key id
}

// cachedKey is a valid key and when it was read.
type cachedKey struct {
	key    *store.APIKey
	readAt time.Time
}

// NewKeys returns the key service over st.
func NewKeys(st store.APIKeyStore, opts KeysOptions) *Keys {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 10 * time.Second
	}
	if opts.TouchEvery <= 0 {
		opts.TouchEvery = time.Minute
	}
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 10
	}
	if opts.FailureWindow <= 0 {
		opts.FailureWindow = time.Minute
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = remoteHost
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Keys{st: st, opts: opts, lim: newFailureLimiter(opts.MaxFailures, opts.FailureWindow),
		cache: map[string]cachedKey{}, touched: map[string]time.Time{}}
}

// Create makes a key with a random id and secret and returns the token to send,
// base64(id:secret). The token is shown once: only a hash of the secret is stored.
// expiresAt nil means the key does not expire.
func (k *Keys) Create(ctx context.Context, name, role string, expiresAt *time.Time, createdBy string) (string, *store.APIKey, error) {
	id, err := newID()
	if err != nil {
		return "", nil, err
	}
	secret, err := newSecret()
	if err != nil {
		return "", nil, err
	}
	key, err := k.create(ctx, id, secret, name, role, expiresAt, createdBy)
	if err != nil {
		return "", nil, err
	}
	return EncodeToken(id, secret), key, nil
}

// create validates and stores a key with the given id and secret.
func (k *Keys) create(ctx context.Context, id, secret, name, role string, expiresAt *time.Time, createdBy string) (*store.APIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("creating API key: a name is required")
	}
	if !ValidRole(role) {
		return nil, fmt.Errorf("creating API key %q: role %q is not one of viewer, editor, admin", name, role)
	}
	now := k.opts.Now().UTC()
	if expiresAt != nil && !expiresAt.After(now) {
		return nil, fmt.Errorf("creating API key %q: expiry %s is not in the future", name, expiresAt.Format(time.RFC3339))
	}
	key := &store.APIKey{ID: id, Name: name, Role: role, Hash: hashSecret(secret),
		CreatedAt: now, CreatedBy: createdBy, ExpiresAt: expiresAt}
	if err := k.st.APIKeyCreate(ctx, key); err != nil {
		return nil, fmt.Errorf("creating API key %q: %w", name, err)
	}
	return key, nil
}

// List returns every key, revoked and expired ones included, oldest first.
func (k *Keys) List(ctx context.Context) ([]*store.APIKey, error) {
	keys, err := k.st.APIKeyList(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing API keys: %w", err)
	}
	return keys, nil
}

// Revoke revokes key id (store.ErrNotFound when unknown). This process refuses it at once;
// other nodes within KeysOptions.CacheTTL.
func (k *Keys) Revoke(ctx context.Context, id string) error {
	if err := k.st.APIKeyRevoke(ctx, id, k.opts.Now().UTC()); err != nil {
		return err // the store names the operation and the key
	}
	k.mu.Lock()
	delete(k.cache, id)
	k.gen++
	k.mu.Unlock()
	return nil
}

// Authenticate returns the caller of r from its Authorization header. Wrong, unknown,
// revoked and expired keys and malformed headers are ErrUnauthenticated; once a client
// address has failed too often they are a *RateLimitError (ErrRateLimited) instead. A valid
// key is never limited. Other errors are the store's.
func (k *Keys) Authenticate(r *http.Request) (*Principal, error) {
	header := r.Header.Get("Authorization")
	id, secret, err := ParseAuthorization(header)
	if err == nil {
		var key *store.APIKey
		if key, err = k.verify(r.Context(), id, secret); err == nil {
			k.touch(r.Context(), key)
			return &Principal{KeyID: key.ID, Name: key.Name, Role: key.Role}, nil
		}
	}
	if !errors.Is(err, ErrUnauthenticated) || strings.TrimSpace(header) == "" {
		return nil, err // store failures and absent credentials are not guesses
	}
	if wait := k.lim.fail(k.opts.ClientAddr(r), k.opts.Now()); wait > 0 {
		return nil, &RateLimitError{Wait: wait}
	}
	return nil, err
}

// verify checks secret against key id and the key's revocation and expiry.
func (k *Keys) verify(ctx context.Context, id, secret string) (*store.APIKey, error) {
	key, err := k.lookup(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: invalid API key", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(hashSecret(secret), key.Hash) != 1 {
		return nil, fmt.Errorf("%w: invalid API key", ErrUnauthenticated) // same words as unknown id
	}
	if key.RevokedAt != nil {
		return nil, fmt.Errorf("%w: API key %s was revoked", ErrUnauthenticated, id)
	}
	if key.ExpiresAt != nil && !k.opts.Now().Before(*key.ExpiresAt) {
		return nil, fmt.Errorf("%w: API key %s expired at %s", ErrUnauthenticated, id, key.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return key, nil
}

// lookup returns key id from the cache when read within CacheTTL, else from the store;
// only unrevoked keys are cached.
func (k *Keys) lookup(ctx context.Context, id string) (*store.APIKey, error) {
	now := k.opts.Now()
	k.mu.Lock()
	c, ok := k.cache[id]
	gen := k.gen
	k.mu.Unlock()
	if ok && now.Sub(c.readAt) < k.opts.CacheTTL {
		return c.key, nil
	}
	key, err := k.st.APIKeyGet(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading API key %s: %w", id, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key.RevokedAt == nil && k.gen == gen {
		k.cache[id] = cachedKey{key: key, readAt: now}
	} else {
		delete(k.cache, id)
	}
	return key, nil
}

// touch writes LastUsedAt of key at most once per TouchEvery (best effort: a failure is
// logged, the request goes on).
func (k *Keys) touch(ctx context.Context, key *store.APIKey) {
	now := k.opts.Now()
	k.mu.Lock()
	last, ok := k.touched[key.ID]
	if !ok && key.LastUsedAt != nil {
		last = *key.LastUsedAt
	}
	due := now.Sub(last) >= k.opts.TouchEvery
	if due {
		k.touched[key.ID] = now
	}
	k.mu.Unlock()
	if !due {
		return
	}
	if err := k.st.APIKeyTouch(ctx, key.ID, now.UTC()); err != nil {
		k.opts.Logger.WarnContext(ctx, "recording last use of API key", "key_id", key.ID, "error", err)
	}
}

// remoteHost is the host part of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
