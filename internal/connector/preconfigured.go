package connector

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// preconfiguredEntry is one connector of the preconfigured file, Kibana's
// `xpack.actions.preconfigured.<id>` shape (connector_type_id accepted for actionTypeId).
type preconfiguredEntry struct {
	Name            string         `yaml:"name"`
	ActionTypeID    string         `yaml:"actionTypeId"`
	ConnectorTypeID string         `yaml:"connector_type_id"`
	Config          map[string]any `yaml:"config"`
	Secrets         map[string]any `yaml:"secrets"`
}

// reference matches ${env:NAME} and ${file:PATH} inside a value.
var reference = regexp.MustCompile(`\$\{(env|file):([^}]+)\}`)

// LoadPreconfigured reads the preconfigured connectors file at path: a YAML map of
// connector id to {name, actionTypeId (or connector_type_id), config, secrets}, optionally
// under a top-level `preconfigured` or `xpack.actions.preconfigured` key, as in kibana.yml.
// In config and secrets strings, ${env:NAME} is replaced by the environment variable (read
// with env; default os.Getenv) and ${file:PATH} by the file's content without its trailing
// newline, so secrets need not be written in the file. The connectors are read-only.
func LoadPreconfigured(path string, env func(string) string) ([]*Connector, error) {
	if env == nil {
		env = os.Getenv
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading preconfigured connectors: %w", err)
	}
	entries, err := decodePreconfigured(b)
	if err != nil {
		return nil, fmt.Errorf("parsing preconfigured connectors %s: %w", path, err)
	}
	ids := make([]string, 0, len(entries))
	for id := range entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]*Connector, 0, len(ids))
	for _, id := range ids {
		c, err := preconfiguredConnector(id, entries[id], env)
		if err != nil {
			return nil, fmt.Errorf("loading preconfigured connectors %s: %w", path, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// decodePreconfigured decodes the file, unwrapping a kibana.yml-style top-level key.
func decodePreconfigured(b []byte) (map[string]preconfiguredEntry, error) {
	var wrapped map[string]map[string]preconfiguredEntry
	if err := yaml.Unmarshal(b, &wrapped); err == nil && len(wrapped) == 1 {
		for _, key := range []string{"preconfigured", "xpack.actions.preconfigured"} {
			if inner, ok := wrapped[key]; ok {
				return inner, nil
			}
		}
	}
	var entries map[string]preconfiguredEntry
	if err := yaml.Unmarshal(b, &entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// preconfiguredConnector checks one entry and resolves its references.
func preconfiguredConnector(id string, e preconfiguredEntry, env func(string) string) (*Connector, error) {
	if id == "" || id == "__proto__" || id == "constructor" {
		return nil, fmt.Errorf("connector id %q is not allowed", id)
	}
	typeID := e.ActionTypeID
	if typeID == "" {
		typeID = e.ConnectorTypeID
	}
	if e.Name == "" || typeID == "" {
		return nil, fmt.Errorf("connector %q: name and actionTypeId are required", id)
	}
	config, err := resolveRefs(id, "config", e.Config, env)
	if err != nil {
		return nil, err
	}
	secrets, err := resolveRefs(id, "secrets", e.Secrets, env)
	if err != nil {
		return nil, err
	}
	cfg, _ := config.(map[string]any)
	sec, _ := secrets.(map[string]any)
	return &Connector{ID: id, Name: e.Name, TypeID: typeID, Config: cfg, Secrets: sec, IsPreconfigured: true}, nil
}

// resolveRefs returns a copy of v with ${env:…} and ${file:…} references replaced.
func resolveRefs(id, path string, v any, env func(string) string) (any, error) {
	switch x := v.(type) {
	case string:
		return resolveString(id, path, x, env)
	case map[string]any:
		if x == nil {
			return x, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := resolveRefs(id, path+"."+k, e, env)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := resolveRefs(id, fmt.Sprintf("%s[%d]", path, i), e, env)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// resolveString replaces the references in one string.
func resolveString(id, path, s string, env func(string) string) (string, error) {
	var firstErr error
	out := reference.ReplaceAllStringFunc(s, func(m string) string {
		sub := reference.FindStringSubmatch(m)
		kind, name := sub[1], strings.TrimSpace(sub[2])
		if kind == "env" {
			v := env(name)
			if v == "" && firstErr == nil {
				firstErr = fmt.Errorf("connector %q: %s: environment variable %s is not set", id, path, name)
			}
			return v
		}
		b, err := os.ReadFile(name)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("connector %q: %s: reading %s: %w", id, path, name, err)
		}
		return strings.TrimRight(string(b), "\r\n")
	})
	return out, firstErr
}
