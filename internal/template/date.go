package template

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zone names for the date filter without a system database
)

const defaultDateFormat = "%A, %B %-d, %Y at %-I:%M %P %z"

var digitsRe = regexp.MustCompile(`^\d+$`)

// dateLayouts are the textual forms toDate understands (JavaScript's Date
// parser accepts these and more); times without a zone are UTC.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	time.RFC1123Z, time.RFC1123, time.RFC822Z, time.RFC822, time.RFC850, time.ANSIC, time.UnixDate,
	"Mon Jan 02 2006 15:04:05 GMT-0700", "Mon Jan 2 2006 15:04:05 GMT-0700",
	"January 2, 2006", "January 2 2006", "Jan 2, 2006", "Jan 2 2006", "2 January 2006", "2 Jan 2006",
	"January 2, 2006 15:04:05", "Jan 2, 2006 15:04:05", "January 2, 2006 3:04 PM",
	"Mon, 2 Jan 2006 15:04:05 MST", "2006/01/02", "2006/01/02 15:04:05", "01/02/2006", "01/02/2006 15:04:05",
}

// toDate converts a filter input to a time, the way LiquidJS's date filter
// does: "now"/"today", numbers and digit strings as Unix seconds, or text.
func toDate(v any) (time.Time, bool) {
	switch x := toValue(v).(type) {
	case time.Time:
		return x, true
	case float64:
		return time.UnixMilli(int64(x * 1000)).UTC(), true
	case string:
		if x == "now" || x == "today" {
			return time.Now().UTC(), true
		}
		if digitsRe.MatchString(x) {
			n, err := strconv.ParseInt(x, 10, 64)
			return time.Unix(n, 0).UTC(), err == nil
		}
		s := strings.TrimSpace(x)
		for _, layout := range dateLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func registerDateFilters() {
	filters["date"] = dateFilter
	fixed := func(format string) filterFunc {
		return func(st *state, v any, _ []any, kw map[string]any) (any, error) {
			return dateFilter(st, v, []any{format}, kw)
		}
	}
	filters["date_to_xmlschema"] = fixed("%Y-%m-%dT%H:%M:%S%:z")
	filters["date_to_rfc822"] = fixed("%a, %d %b %Y %H:%M:%S %z")
	filters["date_to_string"] = fixed("%d %b %Y")
	filters["date_to_long_string"] = fixed("%d %B %Y")
}

func dateFilter(_ *state, v any, args []any, _ map[string]any) (any, error) {
	t, ok := toDate(v)
	if !ok {
		return v, nil
	}
	format := defaultDateFormat
	if f, ok := arg(args, 0); ok && !isNil(f) {
		format = stringify(f)
	}
	t = t.UTC()
	if tz, ok := arg(args, 1); ok && !isNil(tz) {
		switch z := toValue(tz).(type) {
		case float64:
			t = t.In(time.FixedZone("", int(-z*60)))
		default:
			loc, err := time.LoadLocation(stringify(z))
			if err != nil || stringify(z) == "" {
				return nil, renderErr("Invalid time zone specified: %s", stringify(z))
			}
			t = t.In(loc)
		}
	}
	return strftime(t, format), nil
}

// strftime formats t with Ruby/LiquidJS directives, flags - 0 _ ^ # and widths.
func strftime(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		flags := ""
		for j < len(format) && strings.IndexByte("-0_^#:", format[j]) >= 0 {
			flags += string(format[j])
			j++
		}
		width := 0
		for j < len(format) && format[j] >= '0' && format[j] <= '9' {
			width = width*10 + int(format[j]-'0')
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		b.WriteString(directive(t, format[j], flags, width))
		i = j
	}
	return b.String()
}

func pad(n int, width int, padChar byte, flags string) string {
	s := strconv.Itoa(n)
	if strings.Contains(flags, "-") {
		return s
	}
	if strings.Contains(flags, "_") {
		padChar = ' '
	} else if strings.Contains(flags, "0") {
		padChar = '0'
	}
	for len(s) < width {
		s = string(padChar) + s
	}
	return s
}

func directive(t time.Time, d byte, flags string, width int) string {
	w := func(def int) int {
		if width > 0 {
			return width
		}
		return def
	}
	text := func(s string) string {
		if strings.Contains(flags, "^") {
			s = strings.ToUpper(s)
		}
		if strings.Contains(flags, "#") {
			s = strings.ToLower(s)
		}
		for len(s) < width {
			s = " " + s
		}
		return s
	}
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch d {
	case 'a':
		return text(t.Format("Mon"))
	case 'A':
		return text(t.Format("Monday"))
	case 'b', 'h':
		return text(t.Format("Jan"))
	case 'B':
		return text(t.Format("January"))
	case 'c':
		return text(t.Format("Mon Jan  2 15:04:05 2006"))
	case 'C':
		return pad(t.Year()/100, w(2), '0', flags)
	case 'd':
		return pad(t.Day(), w(2), '0', flags)
	case 'e':
		return pad(t.Day(), w(2), ' ', flags)
	case 'H':
		return pad(t.Hour(), w(2), '0', flags)
	case 'I':
		return pad(hour12, w(2), '0', flags)
	case 'j':
		return pad(t.YearDay(), w(3), '0', flags)
	case 'k':
		return pad(t.Hour(), w(2), ' ', flags)
	case 'l':
		return pad(hour12, w(2), ' ', flags)
	case 'L':
		return pad(t.Nanosecond()/1e6, w(3), '0', flags)
	case 'N':
		return pad(t.Nanosecond(), w(9), '0', flags)
	case 'm':
		return pad(int(t.Month()), w(2), '0', flags)
	case 'M':
		return pad(t.Minute(), w(2), '0', flags)
	case 'p':
		return text(t.Format("PM"))
	case 'P':
		return text(strings.ToLower(t.Format("PM")))
	case 'q':
		return ordinalSuffix(t.Day())
	case 's':
		return strconv.FormatInt(t.Unix(), 10)
	case 'S':
		return pad(t.Second(), w(2), '0', flags)
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return strconv.Itoa(wd)
	case 'w':
		return strconv.Itoa(int(t.Weekday()))
	case 'y':
		return pad(t.Year()%100, w(2), '0', flags)
	case 'Y':
		return strconv.Itoa(t.Year())
	case 'z':
		if strings.Contains(flags, ":") {
			return t.Format("-07:00")
		}
		return t.Format("-0700")
	case 'Z':
		return text(t.Format("MST"))
	case 'F':
		return t.Format("2006-01-02")
	case 'T', 'X':
		return t.Format("15:04:05")
	case 'D', 'x':
		return t.Format("01/02/06")
	case 'R':
		return t.Format("15:04")
	case 'r':
		return t.Format("03:04:05 PM")
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case '%':
		return "%"
	}
	return "%" + flags + string(d)
}

func ordinalSuffix(day int) string {
	switch {
	case day%100 >= 11 && day%100 <= 13:
		return "th"
	case day%10 == 1:
		return "st"
	case day%10 == 2:
		return "nd"
	case day%10 == 3:
		return "rd"
	}
	return "th"
}
