package kql

import (
	"strconv"
	"strings"
	"time"
)

// dateLayouts are the ISO-8601 forms accepted as dates; a layout without a zone is UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseDate parses an ISO-8601 date or Elasticsearch date math (`now`, `now-1d`,
// `now+2h/d`, `2024-01-01||+1M`) relative to now.
func parseDate(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return time.Time{}, false
	}
	anchor, math := s, ""
	switch {
	case strings.HasPrefix(s, "now"):
		anchor, math = "", s[3:]
	case strings.Contains(s, "||"):
		i := strings.Index(s, "||")
		anchor, math = s[:i], s[i+2:]
	}
	t := now.UTC()
	if anchor != "" {
		var ok bool
		if t, ok = parseISO(anchor); !ok {
			return time.Time{}, false
		}
	}
	return applyDateMath(t, math)
}

func parseISO(s string) (time.Time, bool) {
	if s[0] < '0' || s[0] > '9' {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// applyDateMath applies `+N<unit>`, `-N<unit>` and `/<unit>` operations in order.
func applyDateMath(t time.Time, math string) (time.Time, bool) {
	for math != "" {
		op := math[0]
		math = math[1:]
		n := 1
		if op == '+' || op == '-' {
			i := 0
			for i < len(math) && math[i] >= '0' && math[i] <= '9' {
				i++
			}
			if i > 0 {
				var err error
				if n, err = strconv.Atoi(math[:i]); err != nil || n > 1_000_000 {
					return time.Time{}, false
				}
			}
			math = math[i:]
		} else if op != '/' {
			return time.Time{}, false
		}
		if math == "" {
			return time.Time{}, false
		}
		unit := math[0]
		math = math[1:]
		if op == '-' {
			n = -n
		}
		var ok bool
		if op == '/' {
			t, ok = roundDown(t, unit)
		} else {
			t, ok = addUnits(t, n, unit)
		}
		if !ok {
			return time.Time{}, false
		}
	}
	return t, true
}

func addUnits(t time.Time, n int, unit byte) (time.Time, bool) {
	switch unit {
	case 'y':
		return t.AddDate(n, 0, 0), true
	case 'M':
		return t.AddDate(0, n, 0), true
	case 'w':
		return t.AddDate(0, 0, 7*n), true
	case 'd':
		return t.AddDate(0, 0, n), true
	case 'h', 'H':
		return t.Add(time.Duration(n) * time.Hour), true
	case 'm':
		return t.Add(time.Duration(n) * time.Minute), true
	case 's':
		return t.Add(time.Duration(n) * time.Second), true
	}
	return time.Time{}, false
}

func roundDown(t time.Time, unit byte) (time.Time, bool) {
	y, mo, d := t.Date()
	switch unit {
	case 'y':
		return time.Date(y, 1, 1, 0, 0, 0, 0, t.Location()), true
	case 'M':
		return time.Date(y, mo, 1, 0, 0, 0, 0, t.Location()), true
	case 'w':
		wd := (int(t.Weekday()) + 6) % 7 // Monday starts the week
		return time.Date(y, mo, d-wd, 0, 0, 0, 0, t.Location()), true
	case 'd':
		return time.Date(y, mo, d, 0, 0, 0, 0, t.Location()), true
	case 'h', 'H':
		return t.Truncate(time.Hour), true
	case 'm':
		return t.Truncate(time.Minute), true
	case 's':
		return t.Truncate(time.Second), true
	}
	return time.Time{}, false
}
