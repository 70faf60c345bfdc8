package httpcall

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/errand-dev/errand/internal/httpclient"
)

// maxExactInt is the largest integer a float64 holds exactly (2^53).
const maxExactInt = 1 << 53

// Output is the step output of an answer: {status, statusText, headers, data}, the same for
// the plain http step and the .http connector.
func Output(resp *httpclient.Response) map[string]any {
	return map[string]any{
		"status":     resp.Status,
		"statusText": resp.StatusText,
		"headers":    flattenHeaders(resp.Headers),
		"data":       decodeData(resp.Headers.Get("Content-Type"), resp.Body),
	}
}

// flattenHeaders lower-cases names and joins repeated values with ", ".
func flattenHeaders(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for name, values := range h {
		out[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	return out
}

// decodeData parses a JSON body (by Content-Type, or by sniffing an object or array when the
// type says nothing reliable) and returns any other body as text; an empty body is "".
func decodeData(contentType string, body []byte) any {
	if len(body) == 0 {
		return ""
	}
	if isJSONType(contentType) || looksLikeJSON(body) {
		if v, ok := decodeJSON(body); ok {
			return v
		}
	}
	return string(body)
}

// isJSONType reports application/json, text/json and any +json type.
func isJSONType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || mediaType == "text/json" || strings.HasSuffix(mediaType, "+json")
}

// looksLikeJSON reports whether body is a JSON object or array.
func looksLikeJSON(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return false
	}
	return json.Valid(trimmed)
}

// decodeJSON decodes one JSON value into plain values, keeping integers beyond 2^53 exact
// (as int) and every other number as float64.
func decodeJSON(body []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false // trailing data: not one JSON document
	}
	return plainNumbers(v), true
}

// plainNumbers replaces json.Number values throughout v.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			x[k] = plainNumbers(item)
		}
	case []any:
		for i, item := range x {
			x[i] = plainNumbers(item)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil && (n > maxExactInt || n < -maxExactInt) {
			return int(n)
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
