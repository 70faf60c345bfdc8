package opsgenie

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// maxAlias is the longest alias Opsgenie accepts; longer ones are hashed (as Kibana does, so
// that createAlert and closeAlert agree).
const maxAlias = 512

// str returns params[key] when it is a string, trimmed; numbers are formatted.
func str(params map[string]any, key string) string {
	switch v := params[key].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	return ""
}

// truncate cuts s to n characters.
func truncate(s string, n int) string {
	if runes := []rune(s); len(runes) > n {
		return string(runes[:n])
	}
	return s
}

// alias returns a, or "sha-<hex sha256>" when a is longer than Opsgenie allows.
func alias(a string) string {
	if len([]rune(a)) <= maxAlias {
		return a
	}
	sum := sha256.Sum256([]byte(a))
	return "sha-" + hex.EncodeToString(sum[:])
}

// list returns v as a list, decoding a JSON string (what `{{ x | json }}` renders).
func list(name string, v any) ([]any, error) {
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%s must be a list", name)
		}
	}
	if v == nil {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list", name)
	}
	return items, nil
}

// stringList reads a list of strings of at most limit items.
func stringList(name string, v any, limit int) ([]string, error) {
	items, err := list(name, v)
	if err != nil {
		return nil, err
	}
	if len(items) > limit {
		return nil, fmt.Errorf("%s has %d items; Opsgenie allows %d", name, len(items), limit)
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be a string", name, i)
		}
		out = append(out, s)
	}
	return out, nil
}

// recipients reads responders or visibleTo: objects with a type (team, user, escalation,
// schedule) and an id, name or username.
func recipients(name string, v any) ([]map[string]any, error) {
	items, err := list(name, v)
	if err != nil {
		return nil, err
	}
	if len(items) > maxResponders {
		return nil, fmt.Errorf("%s has %d items; Opsgenie allows %d", name, len(items), maxResponders)
	}
	out := make([]map[string]any, 0, len(items))
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be an object", name, i)
		}
		switch str(obj, "type") {
		case "team", "user", "escalation", "schedule":
		default:
			return nil, fmt.Errorf("%s[%d].type must be one of team, user, escalation, schedule", name, i)
		}
		if str(obj, "id") == "" && str(obj, "name") == "" && str(obj, "username") == "" {
			return nil, fmt.Errorf("%s[%d] needs an id, a name or a username", name, i)
		}
		out = append(out, obj)
	}
	return out, nil
}

// details reads the details map; Opsgenie takes string values, so numbers and booleans are
// formatted.
func details(v any) (map[string]string, error) {
	if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("details must be an object of strings")
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil || v == "" {
			return nil, nil
		}
		return nil, fmt.Errorf("details must be an object of strings")
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		switch val := val.(type) {
		case string:
			out[k] = val
		case float64, int, bool:
			out[k] = fmt.Sprint(val)
		default:
			return nil, fmt.Errorf("details.%s must be a string", k)
		}
	}
	return out, nil
}
