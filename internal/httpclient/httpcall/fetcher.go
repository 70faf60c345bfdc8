package httpcall

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Fetcher is `with.fetcher`: transport options.
type Fetcher struct {
	SkipSSLVerification bool
	FollowRedirects     bool
	// MaxRedirects is -1 when unset (the client's default); 0 follows none.
	MaxRedirects     int
	MaxContentLength int64
	KeepAlive        bool
}

// parseFetcher reads `with.fetcher`: skip_ssl_verification, follow_redirects, max_redirects,
// max_content_length and keep_alive, in sorted order.
func (p *Params) parseFetcher(v any) error {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("%w, got %s", ErrWantMap, Describe(v))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := p.Fetcher.set(k, m[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// set assigns one fetcher option.
func (f *Fetcher) set(key string, v any) error {
	var err error
	switch key {
	case "skip_ssl_verification":
		f.SkipSSLVerification, err = toBool(v)
	case "follow_redirects":
		f.FollowRedirects, err = toBool(v)
	case "keep_alive":
		f.KeepAlive, err = toBool(v)
	case "max_redirects":
		var n int64
		n, err = toInt(v)
		if err == nil && (n < 0 || n > 1000) {
			err = fmt.Errorf("%d is out of range (0 to 1000)", n)
		}
		f.MaxRedirects = int(n)
	case "max_content_length":
		f.MaxContentLength, err = toInt(v)
		if err == nil && f.MaxContentLength <= 0 {
			err = fmt.Errorf("%d is not a positive number of bytes", f.MaxContentLength)
		}
	default:
		return fmt.Errorf("%w (use skip_ssl_verification, follow_redirects, max_redirects, max_content_length or keep_alive)", errUnknownFetcherOption)
	}
	return err
}

// toBool accepts booleans and the strings "true" and "false" (what `{{ }}` renders).
func toBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if parsed, err := strconv.ParseBool(strings.TrimSpace(b)); err == nil {
			return parsed, nil
		}
	}
	return false, fmt.Errorf("%w, got %s", errWantBool, Describe(v))
}

// toInt accepts integral numbers of any Go numeric type and numeric strings.
func toInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case int32:
		return int64(n), nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
			return int64(n), nil
		}
	case json.Number:
		return toInt(string(n))
	case string:
		if parsed, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return parsed, nil
		}
	}
	return 0, fmt.Errorf("%w, got %s", errWantInteger, Describe(v))
}
