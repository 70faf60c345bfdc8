package builtin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/errand-dev/errand/internal/engine"
)

// maxJSONSource caps the text data.parseJson will parse.
const maxJSONSource = 10 << 20

// runDataParseJSON is `data.parseJson`: it parses the string `source` into a value. A
// source that is already an object or array is returned as it is.
func runDataParseJSON(_ context.Context, in engine.StepInput) (any, error) {
	const t = "data.parseJson"
	src, ok := param(in, "source")
	if !ok {
		return nil, paramErrorf(t, "source is required: set `source:` to the JSON text to parse")
	}
	s, isString := src.(string)
	if !isString {
		if _, isList := asList(src); isList {
			return src, nil
		}
		if _, isMap := src.(map[string]any); isMap {
			return src, nil
		}
		return nil, paramErrorf(t, "source must be a JSON string, got %s", describe(src))
	}
	if len(s) > maxJSONSource {
		return nil, paramErrorf(t, "source is %d bytes; the limit is %d", len(s), maxJSONSource)
	}
	v, err := parseJSON(s)
	if err != nil {
		return nil, paramErrorf(t, "source is not valid JSON: %v", err)
	}
	return v, nil
}

// parseJSON decodes exactly one JSON value.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// runDataStringifyJSON is `data.stringifyJson`: it encodes `source` as JSON, indented with
// two spaces when with.pretty is true.
func runDataStringifyJSON(_ context.Context, in engine.StepInput) (any, error) {
	const t = "data.stringifyJson"
	src, ok := param(in, "source")
	if !ok {
		return nil, paramErrorf(t, "source is required: set `source:` to the value to encode")
	}
	pv, present := param(in, "pretty")
	pretty, err := optBool(t, "pretty", pv, present)
	if err != nil {
		return nil, err
	}
	s, err := marshalJSON(src, pretty)
	if err != nil {
		return nil, paramErrorf(t, "source cannot be encoded as JSON: %v", err)
	}
	return s, nil
}
