package secret

import (
	"encoding/json"
	"errors"
	"net/http"
)

// RedactValue returns a copy of v with secrets redacted everywhere: strings, map keys, the
// elements of maps and slices at any depth, numbers equal to a secret value, raw JSON and
// bytes. Values of other types (structs, typed maps) are converted to their JSON form first,
// so nothing escapes because of its type. v itself is never modified.
func (r *Redactor) RedactValue(v any) any {
	st := r.state.Load()
	if st == nil || st.m == nil {
		return v
	}
	return r.redactValue(st, v)
}

// redactValue is RedactValue with the state loaded once.
func (r *Redactor) redactValue(st *redactorState, v any) any {
	switch x := v.(type) {
	case nil, bool:
		return x
	case string:
		return r.Redact(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[r.Redact(k)] = r.redactValue(st, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.redactValue(st, e)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = r.Redact(e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			out[r.Redact(k)] = r.Redact(e)
		}
		return out
	case http.Header:
		return http.Header(r.redactStrings(x))
	case map[string][]string:
		return r.redactStrings(x)
	case json.RawMessage:
		return json.RawMessage(r.RedactBytes(x))
	case []byte:
		return r.RedactBytes(x)
	case error:
		return errors.New(r.Redact(x.Error()))
	}
	if s, ok := numberText(v); ok {
		if _, secret := st.values[s]; secret {
			return Redacted
		}
		return v
	}
	return r.redactViaJSON(st, v)
}

// redactStrings redacts a header-like map.
func (r *Redactor) redactStrings(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, list := range m {
		vals := make([]string, len(list))
		for i, e := range list {
			vals[i] = r.Redact(e)
		}
		out[r.Redact(k)] = vals
	}
	return out
}

// redactViaJSON redacts a value of another type through its JSON form; a value that does
// not marshal becomes a redacted error text rather than passing through.
func (r *Redactor) redactViaJSON(st *redactorState, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return r.Redact("unrepresentable value: " + err.Error())
	}
	var decoded any
	if err := json.Unmarshal(b, &decoded); err != nil {
		return r.Redact(string(b))
	}
	return r.redactValue(st, decoded)
}
