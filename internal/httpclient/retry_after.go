package httpclient

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After header value (RFC 9110 §10.2.3): either a number of
// seconds or an HTTP date, which becomes a delay relative to now. A date in the past gives 0
// and true; an empty or malformed value gives false.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Cap absurd values instead of overflowing time.Duration.
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return min(max(at.Sub(now), 0), maxRetryAfter), true
}

// maxRetryAfter bounds a remote's Retry-After (a year), keeping durations well in range.
const maxRetryAfter = 365 * 24 * time.Hour
