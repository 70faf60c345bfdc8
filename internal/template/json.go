package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

const maxJSONDepth = 200

// writeJSON encodes v compactly: map keys sorted, *object keys in their
// order, numbers JavaScript-style, times as ISO-8601, undefined as null.
func writeJSON(b *strings.Builder, v any, depth int) {
	if depth > maxJSONDepth {
		b.WriteString("null")
		return
	}
	switch x := toValue(v).(type) {
	case nil, undefinedType:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(formatNumber(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case time.Time:
		writeJSONString(b, formatTime(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, depth+1)
		}
		b.WriteByte(']')
	case map[string]any:
		writeJSONObject(b, sortedKeys(x), func(k string) any { return x[k] }, depth)
	case *object:
		writeJSONObject(b, x.keys, func(k string) any { return x.vals[k] }, depth)
	case pair:
		b.WriteString(`{"key":`)
		writeJSONString(b, x.key)
		b.WriteString(`,"value":`)
		writeJSON(b, x.value, depth+1)
		b.WriteByte('}')
	default:
		data, err := json.Marshal(x)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(data)
	}
}

func writeJSONObject(b *strings.Builder, keys []string, get func(string) any, depth int) {
	b.WriteByte('{')
	first := true
	for _, k := range keys {
		val := get(k)
		if _, ok := val.(undefinedType); ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(b, k)
		b.WriteByte(':')
		writeJSON(b, val, depth+1)
	}
	b.WriteByte('}')
}

func writeJSONString(b *strings.Builder, s string) {
	data, _ := json.Marshal(s)
	// json.Marshal escapes <, > and & for HTML; JSON.stringify does not.
	data = bytes.ReplaceAll(data, []byte(`\u003c`), []byte("<"))
	data = bytes.ReplaceAll(data, []byte(`\u003e`), []byte(">"))
	data = bytes.ReplaceAll(data, []byte(`\u0026`), []byte("&"))
	b.Write(data)
}

// toJSON returns the JSON text of v, indented by space characters when
// space > 0 (like JSON.stringify(v, null, space)).
func toJSON(v any, space int) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	if space <= 0 {
		return b.String()
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(b.String()), "", strings.Repeat(" ", min(space, 10))); err != nil {
		return b.String()
	}
	return out.String()
}

var errJSONDepth = errors.New("json nested too deeply")

// parseJSON decodes JSON text keeping the key order of objects (as *object)
// and numbers as float64.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSONValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decoding json: trailing data")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errJSONDepth
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			arr := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		obj := newObject(4)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeJSONValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			obj.set(k, v)
		}
		_, err := dec.Token()
		return obj, err
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return tok, nil
}
