package workflow

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// durationRe matches the workflow duration format: units w d h m s ms, each at most once,
// in descending order.
var durationRe = regexp.MustCompile(`^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$`)

// durationUnits are the unit lengths in the order of durationRe's groups.
var durationUnits = []time.Duration{
	7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second, time.Millisecond,
}

// everyRe is Kibana 9.4's `scheduled` interval format: at least 60 seconds, or minutes,
// hours or days.
var everyRe = regexp.MustCompile(`^(([6-9]\d|\d{3,})s|\d+[mhd])$`)

// byteSizeRe is the `max-step-size` format (case-insensitive).
var byteSizeRe = regexp.MustCompile(`(?i)^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$`)

// everyMessage is Kibana's message for a bad `every` interval.
const everyMessage = `Scheduled interval must be at least 1 minute. Use format like "1m", "90s", "2h", "1d"`

// ParseDuration parses a workflow duration such as "30s", "1h30m" or "2s500ms". Units are
// w, d, h, m, s and ms, combinable in descending order; amounts are non-negative integers.
func ParseDuration(s string) (time.Duration, error) {
	m := durationRe.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, fmt.Errorf("parsing duration %q: %w (use units w d h m s ms in descending order, like \"30s\" or \"1h30m\")", s, ErrInvalidDuration)
	}
	var total time.Duration
	for i, unit := range durationUnits {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil || n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, fmt.Errorf("parsing duration %q: %w (too large)", s, ErrInvalidDuration)
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// ParseByteSize parses a byte size such as "10mb", "512 KB" or "1.5gb" into bytes. Units
// are b, kb, mb and gb (powers of 1024, as Kibana's ByteSizeValue), case-insensitive.
func ParseByteSize(s string) (int64, error) {
	m := byteSizeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("parsing byte size %q: %w (use a number and b, kb, mb or gb, like \"10mb\")", s, ErrInvalidByteSize)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("parsing byte size %q: %w", s, ErrInvalidByteSize)
	}
	mult := map[string]float64{"b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30}[strings.ToLower(m[2])]
	v := n * mult
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("parsing byte size %q: %w (too large)", s, ErrInvalidByteSize)
	}
	return int64(v), nil
}

// parseEvery parses a `scheduled` trigger's `every` interval.
func parseEvery(s string) (time.Duration, bool) {
	if !everyRe.MatchString(s) {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil || d < time.Minute {
		return 0, false
	}
	return d, true
}

// isTemplate reports whether s contains Liquid output or tag markup and so is only known at
// run time.
func isTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}
