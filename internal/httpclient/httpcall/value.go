package httpcall

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Stringify renders a scalar the way a template would: numbers without a trailing ".0",
// strings as they are, objects and arrays as JSON.
func Stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool, int, int64, int32, uint, uint64, uint32, json.Number:
		return fmt.Sprint(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Describe names a value's JSON type for error messages.
func Describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, float32, int, int64, int32, uint, uint64, uint32, json.Number:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
