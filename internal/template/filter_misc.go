package template

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

func registerMiscFilters() {
	filters["default"] = defaultFilter
	filters["json"] = jsonFilter
	filters["jsonify"] = jsonFilter
	filters["inspect"] = jsonFilter
	filters["json_parse"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		parsed, err := parseJSON(s)
		if err != nil {
			return v, nil
		}
		return parsed, nil
	}
	filters["entries"] = entries
	filters["pick"] = pick
	filters["base64_encode"] = strFilter(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) })
	filters["base64_decode"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		s := stringify(v)
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		}
		if err != nil {
			return nil, renderErr("invalid base64 provided to base64_decode")
		}
		return string(data), nil
	}
	filters["url_encode"] = strFilter(func(s string) string {
		return strings.ReplaceAll(encodeURIComponent(s), "%20", "+")
	})
	filters["url_decode"] = strFilter(func(s string) string {
		d, err := url.PathUnescape(strings.ReplaceAll(s, "+", " "))
		if err != nil {
			return s
		}
		return d
	})
	filters["cgi_escape"] = strFilter(func(s string) string {
		e := encodeURIComponent(s)
		e = strings.NewReplacer("!", "%21", "'", "%27", "(", "%28", ")", "%29", "*", "%2A").Replace(e)
		return strings.ReplaceAll(e, "%20", "+")
	})
	filters["uri_escape"] = strFilter(func(s string) string {
		return strings.NewReplacer("%5B", "[", "%5D", "]").Replace(encodeURI(s))
	})
	filters["to_integer"] = func(_ *state, v any, _ []any, _ map[string]any) (any, error) {
		return jsRound(toNumber(v)), nil
	}
	registerDateFilters()
}

// defaultFilter returns the argument when the value is nil, false, or an
// empty string or array (allow_false: true keeps false).
func defaultFilter(_ *state, v any, args []any, kw map[string]any) (any, error) {
	def, _ := arg(args, 0)
	if len(args) == 0 {
		def = undefined
	}
	switch x := toValue(v).(type) {
	case string:
		if x == "" {
			return def, nil
		}
		return v, nil
	case []any:
		if len(x) == 0 {
			return def, nil
		}
		return v, nil
	case bool:
		if !x && isTruthy(kw["allow_false"]) {
			return false, nil
		}
	}
	if _, isDrop := v.(drop); isDrop && !isNil(v) {
		return v, nil
	}
	if !isTruthy(v) {
		return def, nil
	}
	return v, nil
}

func jsonFilter(_ *state, v any, args []any, _ map[string]any) (any, error) {
	if _, u := v.(undefinedType); u {
		return undefined, nil
	}
	return toJSON(v, toInteger(argOr(args, 0, 0.0))), nil
}

// entries turns an object into [key, value] pairs (pair values).
func entries(st *state, v any, _ []any, _ map[string]any) (any, error) {
	var out []any
	switch x := toValue(v).(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = append(out, pair{key: k, value: x[k]})
		}
	case *object:
		for _, k := range x.keys {
			out = append(out, pair{key: k, value: x.vals[k]})
		}
	default:
		return v, nil
	}
	return nonNil(out), chargeArray(st, len(out))
}

// pick keeps the listed dotted paths of an object.
func pick(_ *state, v any, args []any, _ map[string]any) (any, error) {
	switch toValue(v).(type) {
	case map[string]any, *object:
	default:
		return v, nil
	}
	out := newObject(len(args))
	for _, a := range args {
		path := strings.Split(stringify(a), ".")
		val := pathValue(v, stringify(a))
		if _, u := val.(undefinedType); u {
			continue
		}
		cur := out
		for _, seg := range path[:len(path)-1] {
			next, ok := cur.vals[seg].(*object)
			if !ok {
				next = newObject(1)
				cur.set(seg, next)
			}
			cur = next
		}
		cur.set(path[len(path)-1], val)
	}
	return out, nil
}

const uriUnreserved = "-_.!~*'()"

func encodeURIComponent(s string) string { return percentEncode(s, uriUnreserved) }

func encodeURI(s string) string { return percentEncode(s, uriUnreserved+";,/?:@&=+$#") }

func percentEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
