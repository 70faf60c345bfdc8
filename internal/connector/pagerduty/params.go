package pagerduty

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// str returns params[key] when it is a string, trimmed; numbers are formatted, other
// values give "".
func str(params map[string]any, key string) string {
	switch v := params[key].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64, int, int64:
		return fmt.Sprint(v)
	}
	return ""
}

// oneOf reports whether s is one of the allowed values.
func oneOf(s string, allowed []string) bool { return slices.Contains(allowed, s) }

// customDetails returns the details as given; a string holding a JSON object (what `{{ x |
// json }}` renders) is decoded so that PagerDuty shows its fields.
func customDetails(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) == nil {
		return obj
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return s
}

// objects returns v as a list of objects, decoding a JSON string; name is for the error.
func objects(name string, v any) ([]map[string]any, error) {
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		var decoded any
		if err := json.Unmarshal([]byte(s), &decoded); err != nil {
			return nil, fmt.Errorf("%s must be a list of objects", name)
		}
		v = decoded
	}
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list of objects", name)
	}
	out := make([]map[string]any, 0, len(list))
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be an object", name, i)
		}
		out = append(out, obj)
	}
	return out, nil
}

// links reads the `links` param: [{href, text?}].
func links(v any) ([]link, error) {
	list, err := objects("links", v)
	if err != nil {
		return nil, err
	}
	out := make([]link, 0, len(list))
	for i, obj := range list {
		l := link{Href: str(obj, "href"), Text: str(obj, "text")}
		if l.Href == "" {
			return nil, fmt.Errorf("links[%d].href is required", i)
		}
		out = append(out, l)
	}
	return out, nil
}

// images reads the `images` param: [{src, href?, alt?}].
func images(v any) ([]image, error) {
	list, err := objects("images", v)
	if err != nil {
		return nil, err
	}
	out := make([]image, 0, len(list))
	for i, obj := range list {
		img := image{Src: str(obj, "src"), Href: str(obj, "href"), Alt: str(obj, "alt")}
		if img.Src == "" {
			return nil, fmt.Errorf("images[%d].src is required", i)
		}
		out = append(out, img)
	}
	return out, nil
}
