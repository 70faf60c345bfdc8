package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/errand-dev/errand/internal/store"
)

// Bootstrap key constants. The generated key has a fixed id so that two nodes starting at
// once on an empty PostgreSQL database create one key, not two.
const (
	BootstrapEnv      = "ERRAND_BOOTSTRAP_API_KEY"
	bootstrapID       = "bootstrap-admin"
	bootstrapName     = "bootstrap admin"
	bootstrapCreateBy = "bootstrap"
)

// EnsureBootstrap creates an admin key when the store holds no key at all, so that a fresh
// install can be administered. The key comes from env(ERRAND_BOOTSTRAP_API_KEY) when set
// ("id:secret" or its token form, validated), else it is random and its token is returned
// for the caller to print once. When the key came from the environment the token is empty:
// the operator has it, and printing it would copy a secret into logs. created is false when
// keys already existed or another node bootstrapped first.
func (k *Keys) EnsureBootstrap(ctx context.Context, env func(string) string) (token string, created bool, err error) {
	keys, err := k.st.APIKeyList(ctx)
	if err != nil {
		return "", false, fmt.Errorf("bootstrapping API key: listing keys: %w", err)
	}
	if len(keys) > 0 {
		return "", false, nil
	}
	id, secret, fromEnv, err := bootstrapCredential(env)
	if err != nil {
		return "", false, err
	}
	_, err = k.create(ctx, id, secret, bootstrapName, store.RoleAdmin, nil, bootstrapCreateBy)
	if errors.Is(err, store.ErrConflict) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("bootstrapping API key: %w", err)
	}
	if fromEnv {
		return "", true, nil
	}
	return EncodeToken(id, secret), true, nil
}

// bootstrapCredential reads and validates ERRAND_BOOTSTRAP_API_KEY (id:secret, or the token
// base64(id:secret)), or makes a random secret
// for the fixed bootstrap id.
func bootstrapCredential(env func(string) string) (id, secret string, fromEnv bool, err error) {
	if v := strings.TrimSpace(env(BootstrapEnv)); v != "" {
		id, secret, err := splitCredential(v)
		if err != nil {
			return "", "", false, fmt.Errorf("reading %s: expected id:secret: %w", BootstrapEnv, err)
		}
		if len(secret) < minSecretLength {
			return "", "", false, fmt.Errorf("reading %s: the secret must be at least %d characters (try: openssl rand -base64 32)", BootstrapEnv, minSecretLength)
		}
		return id, secret, true, nil
	}
	secret, err = newSecret()
	if err != nil {
		return "", "", false, fmt.Errorf("bootstrapping API key: %w", err)
	}
	return bootstrapID, secret, false, nil
}
