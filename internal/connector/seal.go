package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/errand-dev/errand/internal/secret"
	"github.com/errand-dev/errand/internal/store"
)

// aadLabel starts the additional data of every connector ciphertext, so a ciphertext made
// for another purpose never opens as connector secrets.
const aadLabel = "errand connector secrets v1"

// canonicalConfig returns config as canonical JSON: keys sorted (encoding/json sorts map
// keys), no insignificant space. It is what the store keeps and what the secrets are bound to.
func canonicalConfig(config map[string]any) (json.RawMessage, error) {
	if config == nil {
		config = map[string]any{}
	}
	b, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return b, nil
}

// canonicalize re-encodes stored config bytes canonically (numbers keep their text), so
// that a stored row whose config was edited outside Errand yields different bytes.
func canonicalize(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return []byte("{}"), nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding config: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	return b, nil
}

// secretsAAD binds a ciphertext to the connector's id, type and config, as Kibana binds its
// encrypted attributes to the saved object and its config: moving the ciphertext to another
// connector, or editing the config in the database, makes decryption fail.
func secretsAAD(id, typeID string, canonical []byte) []byte {
	out := make([]byte, 0, len(aadLabel)+len(id)+len(typeID)+len(canonical)+3)
	out = append(out, aadLabel...)
	out = append(append(out, 0), id...)
	out = append(append(out, 0), typeID...)
	return append(append(out, 0), canonical...)
}

// seal encrypts secrets for the connector id of typeID with config; no secrets seal to nil.
func seal(keys *secret.KeyRing, id, typeID string, config json.RawMessage, secrets map[string]any) ([]byte, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	canonical, err := canonicalize(config)
	if err != nil {
		return nil, err
	}
	pt, err := json.Marshal(secrets)
	if err != nil {
		return nil, fmt.Errorf("encoding secrets: %w", err)
	}
	ct, err := keys.Encrypt(pt, secretsAAD(id, typeID, canonical))
	if err != nil {
		return nil, fmt.Errorf("encrypting secrets: %w", err)
	}
	return ct, nil
}

// open decrypts the secrets of a stored connector (nil when it has none).
func open(keys *secret.KeyRing, rec *store.Connector) (map[string]any, error) {
	if len(rec.Secrets) == 0 {
		return nil, nil
	}
	canonical, err := canonicalize(rec.Config)
	if err != nil {
		return nil, fmt.Errorf("decrypting secrets of connector %q: %w", rec.ID, err)
	}
	pt, err := keys.Decrypt(rec.Secrets, secretsAAD(rec.ID, rec.TypeID, canonical))
	if err != nil {
		hint := "is the encryption key the one it was stored with?"
		if errors.Is(err, secret.ErrDecrypt) {
			hint = "the key is wrong or its id, type or config was changed outside Errand; set its secrets again with `errand connectors update`"
		}
		return nil, fmt.Errorf("decrypting secrets of connector %q (%s): %w", rec.ID, hint, errors.Join(ErrSecrets, err))
	}
	var out map[string]any
	if err := json.Unmarshal(pt, &out); err != nil {
		return nil, fmt.Errorf("decoding secrets of connector %q: %w", rec.ID, err)
	}
	return out, nil
}
