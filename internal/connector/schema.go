package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders the validator's messages in English.
var printer = message.NewPrinter(language.English)

// schemaCache compiles each JSON Schema of the registered types once. It is safe for
// concurrent use.
type schemaCache struct {
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// newSchemaCache returns an empty cache.
func newSchemaCache() *schemaCache {
	return &schemaCache{compiled: map[string]*jsonschema.Schema{}}
}

// get returns the compiled schema of raw, named key ("<type>/config"); nil when raw is empty
// (anything goes).
func (c *schemaCache) get(key string, raw json.RawMessage) (*jsonschema.Schema, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[key]; ok {
		return s, nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing schema %s: %w", key, err)
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	url := "errand:///" + strings.TrimPrefix(key, ".") + ".json"
	if err := comp.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("adding schema %s: %w", key, err)
	}
	s, err := comp.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", key, err)
	}
	c.compiled[key] = s
	return s, nil
}

// validate checks value against the schema named key. A failure is ErrInvalid whose message
// lists every problem as "<what>.<field>: <problem>; <fix>".
func (c *schemaCache) validate(key string, raw json.RawMessage, what string, value map[string]any) error {
	s, err := c.get(key, raw)
	if err != nil || s == nil {
		return err
	}
	if value == nil {
		value = map[string]any{}
	}
	err = s.Validate(map[string]any(value))
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return newUserError(ErrInvalid, "%s", strings.Join(describe(what, ve), "; "))
	}
	return err
}

// describe turns the leaves of a validation error into messages naming the field and the fix.
func describe(what string, ve *jsonschema.ValidationError) []string {
	if len(ve.Causes) > 0 {
		var out []string
		for _, c := range ve.Causes {
			out = append(out, describe(what, c)...)
		}
		sort.Strings(out)
		return out
	}
	at := fieldPath(what, ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		var out []string
		for _, m := range k.Missing {
			out = append(out, fieldPath(at, []string{m})+": is required; add it")
		}
		return out
	case *kind.AdditionalProperties:
		var out []string
		for _, p := range k.Properties {
			out = append(out, fieldPath(at, []string{p})+": is not a known field; remove it or check its spelling")
		}
		return out
	case *kind.Type:
		return []string{fmt.Sprintf("%s: must be %s, not %s", at, strings.Join(k.Want, " or "), k.Got)}
	}
	return []string{at + ": " + ve.ErrorKind.LocalizedString(printer)}
}

// fieldPath joins a JSON location to a prefix: config.headers.X-Api-Key, params.items[2].
func fieldPath(prefix string, loc []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, tok := range loc {
		if isIndex(tok) {
			b.WriteString("[" + tok + "]")
			continue
		}
		b.WriteString("." + tok)
	}
	return b.String()
}

// isIndex reports whether a location token is an array index.
func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for _, r := range tok {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkNoEmptyStrings rejects empty-string values at any depth, as Kibana does: an empty
// value is almost always a form field left blank, and stored it would only fail later.
func checkNoEmptyStrings(what string, v any) error {
	var bad []string
	walkEmpty(what, v, &bad)
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	for i, p := range bad {
		bad[i] = p + ": must not be an empty string; give a value or leave the field out"
	}
	return newUserError(ErrInvalid, "%s", strings.Join(bad, "; "))
}

// walkEmpty collects the paths of empty strings under v.
func walkEmpty(path string, v any, bad *[]string) {
	switch x := v.(type) {
	case string:
		if x == "" {
			*bad = append(*bad, path)
		}
	case map[string]any:
		for k, e := range x {
			walkEmpty(path+"."+k, e, bad)
		}
	case []any:
		for i, e := range x {
			walkEmpty(fmt.Sprintf("%s[%d]", path, i), e, bad)
		}
	}
}

// normalize returns v as encoding/json decodes it (map[string]any, []any, float64 ...), the
// shape schemas and actions expect whatever produced v (YAML, Go literals).
func normalize(v map[string]any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	if out, ok := jsonShaped(v); ok {
		return out.(map[string]any), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding as JSON: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	return out, nil
}

// jsonShaped returns a copy of v in the shapes encoding/json decodes to, without the JSON
// round trip normalize would otherwise make for every call's params. It reports false when
// v holds a value only the round trip shapes faithfully (structs, typed maps and slices,
// float32, invalid UTF-8, NaN or infinities), and normalize falls back to it.
func jsonShaped(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool:
		return x, true
	case string:
		return x, utf8.ValidString(x)
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case map[string]any:
		if x == nil {
			return nil, true // JSON null
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, ok := jsonShaped(e)
			if !ok || !utf8.ValidString(k) {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	case []any:
		if x == nil {
			return nil, true // JSON null
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := jsonShaped(e)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}
