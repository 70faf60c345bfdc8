package secret

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Redacted replaces every secret value.
const Redacted = "[REDACTED]"

// MinSecretLen is the shortest value a Redactor hides: shorter ones ("on", "123") would
// blank out ordinary text and reveal little anyway.
const MinSecretLen = 4

// minAlignedLen is the shortest base64 fragment added for a secret embedded in a longer
// base64 stream (see alignedBase64): shorter fragments would match ordinary words.
const minAlignedLen = 8

// Redactor replaces secret values with [REDACTED] in text and in decoded JSON values. It
// knows each value in the forms it travels in: as is; base64 (standard and URL alphabets,
// padded and raw, and at each of the three byte alignments inside a longer base64 text, so a
// Basic auth header or a JWT carrying the value is caught too); URL query and path escaped;
// JSON escaped. Add values at any time; Redact and friends are safe for concurrent use.
type Redactor struct {
	mu       sync.Mutex // serialises Add*
	patterns map[string]struct{}
	values   map[string]struct{}
	state    atomic.Pointer[redactorState]
}

// redactorState is one immutable build of the patterns.
type redactorState struct {
	m      *matcher
	values map[string]struct{} // raw secret values, to redact numbers that equal one
}

// NewRedactor returns a Redactor of values (see Add).
func NewRedactor(values ...any) *Redactor {
	r := &Redactor{patterns: map[string]struct{}{}, values: map[string]struct{}{}}
	r.Add(values...)
	return r
}

// Add adds secret values: strings, numbers (hidden as their decimal text), and the leaves of
// maps and slices of them. Strings shorter than MinSecretLen are ignored.
func (r *Redactor) Add(values ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		r.addLocked(v)
	}
	r.rebuildLocked()
}

// AddBasicAuth adds user and pass as HTTP Basic credentials: pass itself, and the base64 of
// "user:pass" that an Authorization header carries.
func (r *Redactor) AddBasicAuth(user, pass string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(pass)
	if pass != "" {
		pair := []byte(user + ":" + pass)
		for _, enc := range encodings {
			r.patterns[enc.EncodeToString(pair)] = struct{}{}
		}
	}
	r.rebuildLocked()
}

// Empty reports whether the Redactor knows no secret.
func (r *Redactor) Empty() bool {
	st := r.state.Load()
	return st == nil || st.m == nil
}

// addLocked adds v's leaves.
func (r *Redactor) addLocked(v any) {
	switch x := v.(type) {
	case string:
		r.addString(x)
	case []string:
		for _, s := range x {
			r.addString(s)
		}
	case map[string]string:
		for _, s := range x {
			r.addString(s)
		}
	case []any:
		for _, e := range x {
			r.addLocked(e)
		}
	case map[string]any:
		for _, e := range x {
			r.addLocked(e)
		}
	case nil, bool:
	default:
		if s, ok := numberText(x); ok {
			r.addString(s)
		}
	}
}

// addString adds one secret value and its encoded forms.
func (r *Redactor) addString(s string) {
	if len(s) < MinSecretLen {
		return
	}
	r.values[s] = struct{}{}
	for _, p := range forms(s) {
		r.patterns[p] = struct{}{}
	}
}

// rebuildLocked publishes a matcher of the current patterns.
func (r *Redactor) rebuildLocked() {
	list := make([]string, 0, len(r.patterns))
	for p := range r.patterns {
		list = append(list, p)
	}
	sort.Strings(list)
	values := make(map[string]struct{}, len(r.values))
	for v := range r.values {
		values[v] = struct{}{}
	}
	r.state.Store(&redactorState{m: newMatcher(list), values: values})
}

// encodings are the base64 variants secrets are searched in.
var encodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// forms returns s and its encoded forms, without duplicates.
func forms(s string) []string {
	out := []string{s}
	for _, enc := range encodings {
		out = append(out, enc.EncodeToString([]byte(s)))
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		out = append(out, alignedBase64(enc, s)...)
	}
	out = append(out, url.QueryEscape(s), url.PathEscape(s), strings.ReplaceAll(url.QueryEscape(s), "+", "%20"))
	out = append(out, jsonEscaped(s, true), jsonEscaped(s, false))
	seen := map[string]bool{}
	uniq := out[:0]
	for _, f := range out {
		if f != "" && !seen[f] {
			seen[f] = true
			uniq = append(uniq, f)
		}
	}
	return uniq
}

// alignedBase64 returns, for each byte offset (0, 1, 2) s may start at inside a longer
// base64-encoded text, the characters of the encoding that depend on s's bytes alone; such a
// fragment appears in any base64 text that carries s at that offset.
func alignedBase64(enc *base64.Encoding, s string) []string {
	var out []string
	for k := range 3 {
		buf := make([]byte, k+len(s))
		copy(buf[k:], s)
		e := enc.EncodeToString(buf)
		from := (8*k + 5) / 6        // first character made of s's bits only
		to := (8 * (k + len(s))) / 6 // characters wholly inside s's bits end here
		if to-from >= minAlignedLen {
			out = append(out, e[from:to])
		}
	}
	return out
}

// jsonEscaped returns s as it appears inside a JSON string, with or without HTML escaping.
func jsonEscaped(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// numberText renders a number as JSON would.
func numberText(v any) (string, bool) {
	switch n := v.(type) {
	case int:
		return strconv.Itoa(n), true
	case int32:
		return strconv.FormatInt(int64(n), 10), true
	case int64:
		return strconv.FormatInt(n, 10), true
	case uint:
		return strconv.FormatUint(uint64(n), 10), true
	case uint32:
		return strconv.FormatUint(uint64(n), 10), true
	case uint64:
		return strconv.FormatUint(n, 10), true
	case float32:
		return strconv.FormatFloat(float64(n), 'f', -1, 32), true
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64), true
	case json.Number:
		return n.String(), true
	}
	return "", false
}

// Redact returns s with every secret form replaced by [REDACTED]. It returns s itself
// (no allocation) when nothing matches.
func (r *Redactor) Redact(s string) string {
	st := r.state.Load()
	if st == nil {
		return s
	}
	spans := st.m.find(s)
	if spans == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(Redacted)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// RedactBytes is Redact for bytes; it returns b itself when nothing matches.
func (r *Redactor) RedactBytes(b []byte) []byte {
	if r.Empty() {
		return b
	}
	s := string(b)
	out := r.Redact(s)
	if len(out) == len(s) && out == s {
		return b
	}
	return []byte(out)
}

// Func returns Redact as a plain function (what httpclient.Options.Redact takes).
func (r *Redactor) Func() func(string) string { return r.Redact }

// String describes the Redactor without revealing anything.
func (r *Redactor) String() string {
	st := r.state.Load()
	if st == nil {
		return "secret.Redactor{0 values}"
	}
	return fmt.Sprintf("secret.Redactor{%d values}", len(st.values))
}
