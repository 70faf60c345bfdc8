package trigger

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/errand-dev/errand/internal/workflow"
)

// schedule computes the ticks of one `scheduled` trigger.
//
// An `every` schedule ticks at created + k·interval (k ≥ 1), where created is the workflow's
// creation time truncated to the second: the grid is a pure function of the stored workflow,
// so every node sharing a database computes the same tick instants and TickClaim can arbitrate
// between them.
//
// An `rrule` schedule is evaluated by rrule-go in its time zone (`tzid`, else
// `settings.timezone`, else UTC): occurrences are wall-clock times of that zone, so a weekly
// 09:00 America/New_York rule fires at 09:00 local on both sides of a DST change. `dtstart`
// defaults to the workflow's creation time (to the minute, in the zone); hours and minutes
// not given by byhour/byminute come from dtstart, and seconds are always 0.
type schedule struct {
	// key names the trigger in the tick records: the schedule's canonical text, so that an
	// edit of the schedule starts a fresh series and identical triggers share one.
	key    string
	every  time.Duration
	anchor time.Time // every: the creation time the grid is aligned to
	rule   *rrule.RRule
}

// newSchedule builds the schedule of a scheduled trigger of a workflow created at created.
func newSchedule(t *workflow.Trigger, settingsTZ string, created time.Time) (*schedule, error) {
	switch {
	case t.RRule != nil:
		return newRRuleSchedule(t.RRule, settingsTZ, created)
	case t.Interval > 0:
		return &schedule{
			key:    "every:" + t.Interval.String(),
			every:  t.Interval,
			anchor: created.UTC().Truncate(time.Second),
		}, nil
	}
	return nil, fmt.Errorf("building the schedule of trigger %q: neither `every` nor `rrule` is set", t.Path)
}

// weekdays maps byweekday names to rrule-go weekdays.
var weekdays = map[string]rrule.Weekday{
	"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU,
}

// frequencies maps freq names to rrule-go frequencies.
var frequencies = map[string]rrule.Frequency{"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}

// newRRuleSchedule builds an rrule schedule.
func newRRuleSchedule(r *workflow.RRule, settingsTZ string, created time.Time) (*schedule, error) {
	tz := firstNonEmpty(r.TZID, settingsTZ, "UTC")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("loading time zone %q of an rrule: %w", tz, err)
	}
	freq, ok := frequencies[r.Freq]
	if !ok {
		return nil, fmt.Errorf("building an rrule: unknown freq %q", r.Freq)
	}
	start, err := dtstart(r.DTStart, loc, created)
	if err != nil {
		return nil, err
	}
	opt := rrule.ROption{
		Freq: freq, Interval: max(r.Interval, 1), Dtstart: start,
		Byhour: r.ByHour, Byminute: r.ByMinute, Bymonthday: r.ByMonthDay, Bysecond: []int{0},
	}
	for _, d := range r.ByWeekday {
		opt.Byweekday = append(opt.Byweekday, weekdays[d])
	}
	rule, err := rrule.NewRRule(opt)
	if err != nil {
		return nil, fmt.Errorf("building an rrule: %w", err)
	}
	key := fmt.Sprintf("rrule:FREQ=%s;INTERVAL=%d;TZID=%s;DTSTART=%s;BYHOUR=%s;BYMINUTE=%s;BYDAY=%s;BYMONTHDAY=%s",
		r.Freq, opt.Interval, tz, start.Format("20060102T150405"), ints(r.ByHour), ints(r.ByMinute),
		strings.Join(r.ByWeekday, ","), ints(r.ByMonthDay))
	return &schedule{key: key, rule: rule}, nil
}

// dtstart parses an rrule's dtstart in loc (a zone-less value is wall-clock time there); an
// empty one is the creation time to the minute.
func dtstart(s string, loc *time.Location, created time.Time) (time.Time, error) {
	if s == "" {
		return created.In(loc).Truncate(time.Minute), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "20060102T150405Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.In(loc), nil
		}
	}
	for _, layout := range []string{"20060102T150405", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("parsing rrule dtstart %q: not a date-time", s)
}

// next returns the first tick strictly after t.
func (s *schedule) next(t time.Time) time.Time {
	if s.rule != nil {
		return s.rule.After(t, false).UTC()
	}
	first := s.anchor.Add(s.every)
	if t.Before(first) {
		return first
	}
	k := t.Sub(s.anchor)/s.every + 1
	return s.anchor.Add(k * s.every)
}

// latest returns the last tick at or before t (zero when there is none).
func (s *schedule) latest(t time.Time) time.Time {
	if s.rule != nil {
		at := s.rule.Before(t, true)
		if at.IsZero() {
			return at
		}
		return at.UTC()
	}
	if t.Before(s.anchor.Add(s.every)) {
		return time.Time{}
	}
	return s.anchor.Add(t.Sub(s.anchor) / s.every * s.every)
}

// ints formats a list of integers as "1,2,3".
func ints(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
