package secret

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

const testSecret = "s3cr3t/T0ken+with&odd=chars<>\"é"

func TestRedactCatchesEveryEncoding(t *testing.T) {
	r := NewRedactor(testSecret)
	b := []byte(testSecret)
	jsonHTML, err := json.Marshal(testSecret)
	require.NoError(t, err)
	tests := []struct {
		name string
		form string
	}{
		{"raw", testSecret},
		{"base64 std", base64.StdEncoding.EncodeToString(b)},
		{"base64 std raw", base64.RawStdEncoding.EncodeToString(b)},
		{"base64 url", base64.URLEncoding.EncodeToString(b)},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(b)},
		{"query escaped", url.QueryEscape(testSecret)},
		{"path escaped", url.PathEscape(testSecret)},
		{"query escaped with %20", strings.ReplaceAll(url.QueryEscape(testSecret), "+", "%20")},
		{"json escaped (html)", strings.Trim(string(jsonHTML), `"`)},
		{"json escaped (no html)", jsonEscaped(testSecret, false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := "before " + tc.form + " after"
			require.Equal(t, "before "+Redacted+" after", r.Redact(in), "form %q", tc.form)
		})
	}
}

func TestRedactCatchesBase64InsideLongerText(t *testing.T) {
	r := NewRedactor(testSecret)
	tests := []struct {
		name         string
		enc          *base64.Encoding
		prefix, tail string
	}{
		{"offset 0", base64.StdEncoding, "", "tail"},
		{"offset 1", base64.StdEncoding, "x", "tail"},
		{"offset 2", base64.URLEncoding, "xy", "tail!"},
		{"offset 3", base64.RawURLEncoding, "xyz", "more"},
		{"basic auth pair", base64.StdEncoding, "someone@example.com:", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := tc.enc.EncodeToString([]byte(tc.prefix + testSecret + tc.tail))
			got := r.Redact(form)
			require.Contains(t, got, Redacted)
			rest := strings.Replace(got, Redacted, "", 1)
			// Only the characters carrying the surrounding bytes (and at most one partial
			// character on each side of the secret, plus padding) are left.
			require.LessOrEqual(t, len(rest), (len(tc.prefix)+len(tc.tail))*4/3+6, got)
		})
	}
}

func TestRedactEmbeddedBase64KeepsTheRest(t *testing.T) {
	r := NewRedactor("abcdefghijkl")
	enc := base64.StdEncoding.EncodeToString([]byte("xy" + "abcdefghijkl" + "tail"))
	got := r.Redact(enc)
	require.Contains(t, got, Redacted)
	require.NotEqual(t, Redacted, got, "only the secret's part is replaced")
}

func TestAddBasicAuth(t *testing.T) {
	r := NewRedactor()
	require.True(t, r.Empty())
	r.AddBasicAuth("alice@example.com", "pw12")
	header := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("alice@example.com:pw12"))
	require.Equal(t, "Authorization: Basic "+Redacted, r.Redact(header))
	require.Equal(t, "pw="+Redacted, r.Redact("pw=pw12"))
	require.False(t, r.Empty())
}

func TestRedactIgnoresShortValuesAndHandlesNumbers(t *testing.T) {
	r := NewRedactor("abc", "", 987654, 1.5, map[string]any{"n": []any{"nested-secret", nil, true}})
	tests := []struct{ in, want string }{
		{"abc abc", "abc abc"},
		{"pin 987654!", "pin " + Redacted + "!"},
		{"1.5 11.5", "1.5 11.5"},
		{"x nested-secret y", "x " + Redacted + " y"},
		{"", ""},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, r.Redact(tc.in))
	}
}

func TestRedactOverlappingSecretsMerge(t *testing.T) {
	r := NewRedactor("abcdef", "defghi", "abcd")
	tests := []struct{ in, want string }{
		{"abcdefghi", Redacted},
		{"xxabcdefyy", "xx" + Redacted + "yy"},
		{"abcd abcdef", Redacted + " " + Redacted},
		{"abcdefabcdef", Redacted},
		{"nothing here", "nothing here"},
		{"abc", "abc"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, r.Redact(tc.in), tc.in)
	}
}

func TestRedactReturnsInputWhenClean(t *testing.T) {
	r := NewRedactor("secret-value")
	in := strings.Repeat("clean text ", 100)
	allocs := testing.AllocsPerRun(10, func() { _ = r.Redact(in) })
	require.Zero(t, allocs)
	b := []byte(in)
	require.Equal(t, &b[0], &r.RedactBytes(b)[0])
	require.Equal(t, []byte("a "+Redacted), r.RedactBytes([]byte("a secret-value")))
}

type payload struct {
	Token string            `json:"token"`
	Extra map[string]string `json:"extra"`
}

func TestRedactValue(t *testing.T) {
	r := NewRedactor("tok-123456", 424242)
	in := map[string]any{
		"plain":      "tok-123456",
		"tok-123456": "key is secret",
		"list":       []any{"a tok-123456 b", 1.0, nil, true, float64(424242)},
		"strs":       []string{"tok-123456"},
		"header":     http.Header{"Authorization": {"Bearer tok-123456"}},
		"raw":        json.RawMessage(`{"t":"tok-123456"}`),
		"struct":     payload{Token: "tok-123456", Extra: map[string]string{"k": "tok-123456"}},
		"err":        errors.New("failed with tok-123456"),
		"num":        7,
	}
	got := r.RedactValue(in).(map[string]any)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.NotContains(t, string(b), "tok-123456")
	require.NotContains(t, string(b), "424242")
	require.Equal(t, Redacted, got["plain"])
	require.Equal(t, "key is secret", got[Redacted])
	require.Equal(t, []any{"a " + Redacted + " b", 1.0, nil, true, Redacted}, got["list"])
	require.Equal(t, http.Header{"Authorization": {"Bearer " + Redacted}}, got["header"])
	require.Equal(t, json.RawMessage(`{"t":"`+Redacted+`"}`), got["raw"])
	require.Equal(t, map[string]any{"token": Redacted, "extra": map[string]any{"k": Redacted}}, got["struct"])
	require.Equal(t, 7, got["num"])
	require.Equal(t, "tok-123456", in["plain"], "the input is not modified")
	require.Equal(t, "x", NewRedactor().RedactValue("x"))
}

func TestRedactorConcurrentUse(t *testing.T) {
	r := NewRedactor("first-secret")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				require.Equal(t, "x "+Redacted, r.Redact("x first-secret"))
				if j%50 == 0 {
					r.Add(fmt.Sprintf("secret-%d-%d", i, j))
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, Redacted, r.Redact("secret-3-100"))
	require.Contains(t, r.String(), "values")
	require.NotContains(t, r.String(), "first-secret")
}

// FuzzRedact checks that a secret planted anywhere, in any form, never survives.
func FuzzRedact(f *testing.F) {
	f.Add("prefix ", "hunter2-password", " suffix", uint8(0))
	f.Add("", "xoxb-1234-abcd", "", uint8(3))
	f.Add("a\x00b", "ÿ\xff\xfe-bytes", "%%", uint8(7))
	f.Fuzz(func(t *testing.T, before, secretValue, after string, form uint8) {
		if len(secretValue) < MinSecretLen {
			return
		}
		r := NewRedactor(secretValue)
		fs := forms(secretValue)
		planted := fs[int(form)%len(fs)]
		out := r.Redact(before + planted + after)
		require.NotContains(t, out, planted)
		require.NotContains(t, out, secretValue)
	})
}

func BenchmarkRedact(b *testing.B) {
	r := NewRedactor("xoxb-123456789012-abcdefghijklmnop", "super-secret-password", "api-key-0123456789abcdef")
	r.AddBasicAuth("alice@example.com", "super-secret-password")
	clean := strings.Repeat(`{"channel":"C123","text":"Deploy finished for service checkout","ts":"1712.5"} `, 20)
	dirty := clean + "Authorization: Bearer xoxb-123456789012-abcdefghijklmnop"
	for _, bc := range []struct {
		name string
		in   string
	}{{"clean_1.5KB", clean}, {"one_secret_1.5KB", dirty}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = r.Redact(bc.in)
			}
		})
	}
}

func BenchmarkRedactReplacerBaseline(b *testing.B) {
	r := NewRedactor("xoxb-123456789012-abcdefghijklmnop", "super-secret-password", "api-key-0123456789abcdef")
	var pairs []string
	for p := range r.patterns {
		pairs = append(pairs, p, Redacted)
	}
	rep := strings.NewReplacer(pairs...)
	clean := strings.Repeat(`{"channel":"C123","text":"Deploy finished for service checkout","ts":"1712.5"} `, 20)
	b.SetBytes(int64(len(clean)))
	b.ReportAllocs()
	for b.Loop() {
		_ = rep.Replace(clean)
	}
}
