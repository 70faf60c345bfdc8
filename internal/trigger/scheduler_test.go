package trigger_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/trigger"
	"github.com/errand-dev/errand/internal/trigger/triggertest"
)

// rescan is the scan interval of the test schedulers; every move of the clock is at least
// this long, so each sleeping scheduler wakes up at each move.
const rescan = 30 * time.Second

// schedulers drives running schedulers with one manual clock.
type schedulers struct {
	t       *testing.T
	clock   *triggertest.Clock
	running []*trigger.Scheduler
}

// newSchedulers returns a driver whose clock starts at start.
func newSchedulers(t *testing.T, start time.Time) *schedulers {
	return &schedulers{t: t, clock: triggertest.NewClock(start)}
}

// start starts a scheduler on st (with its own engine) and waits until it is idle.
func (h *schedulers) start(st store.Store) *trigger.Scheduler {
	h.t.Helper()
	s := trigger.NewScheduler(st, newEngine(st, h.clock), trigger.SchedulerOptions{Clock: h.clock, Interval: rescan})
	sleeps := h.clock.Sleeps()
	require.NoError(h.t, s.Start(h.t.Context()))
	h.t.Cleanup(s.Stop)
	h.clock.WaitSleeps(sleeps + 1)
	h.running = append(h.running, s)
	return s
}

// stopAll stops the running schedulers.
func (h *schedulers) stopAll() {
	for _, s := range h.running {
		s.Stop()
	}
	h.running = nil
}

// moveTo sets the clock to at and waits until every running scheduler has done what it was
// due to do and sleeps again.
func (h *schedulers) moveTo(at time.Time) {
	h.t.Helper()
	require.False(h.t, at.Before(h.clock.Now().Add(rescan)), "moves must be at least the rescan interval")
	sleeps := h.clock.Sleeps()
	h.clock.Set(at)
	h.clock.WaitSleeps(sleeps + len(h.running))
}

// createdAts returns the creation times of a workflow's executions (the tick times, since the
// engine's clock is the test clock) and checks they were started by the scheduler.
func createdAts(t *testing.T, st store.Store, workflowID string) []time.Time {
	t.Helper()
	var out []time.Time
	for _, ex := range executions(t, st, workflowID) {
		require.Equal(t, "scheduled", ex.TriggeredBy)
		require.Empty(t, ex.Event)
		out = append(out, ex.CreatedAt.UTC())
	}
	return out
}

// everyMinute is an enabled workflow ticking every minute.
const everyMinute = `name: every-minute
triggers:
  - type: scheduled
    with:
      every: 1m
` + consoleStep

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// clockAt returns t0 shifted by d.
func clockAt(d time.Duration) time.Time { return t0.Add(d) }

func TestSchedulerEveryMinute(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		st := open(t)
		createWorkflow(t, st, "wf-every", everyMinute, true, t0)
		h := newSchedulers(t, t0)
		h.start(st)
		steps := []struct {
			at   time.Duration
			want []time.Duration
		}{
			{30 * time.Second, nil},
			{time.Minute, []time.Duration{time.Minute}},
			{90 * time.Second, []time.Duration{time.Minute}},
			{2 * time.Minute, []time.Duration{time.Minute, 2 * time.Minute}},
			{3 * time.Minute, []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute}},
		}
		for _, s := range steps {
			h.moveTo(clockAt(s.at))
			var want []time.Time
			for _, d := range s.want {
				want = append(want, clockAt(d))
			}
			require.Equal(t, want, createdAts(t, st, "wf-every"), "at %s", s.at)
		}
		last, err := st.TickLast(t.Context(), "wf-every", "every:1m0s")
		require.NoError(t, err)
		require.Equal(t, clockAt(3*time.Minute), last.UTC())
	})
}

func TestSchedulerWeeklyRRuleAcrossDST(t *testing.T) {
	withTZID := `name: weekly
triggers:
  - type: scheduled
    with:
      rrule: {freq: WEEKLY, interval: 1, tzid: America/New_York, byweekday: [MO], byhour: [9], byminute: [0]}
` + consoleStep
	withSettings := `name: weekly
settings:
  timezone: America/New_York
triggers:
  - type: scheduled
    with:
      rrule: {freq: WEEKLY, interval: 1, byweekday: [MO], byhour: [9], byminute: [0]}
` + consoleStep
	utc := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return at
	}
	tests := []struct {
		name    string
		yaml    string
		created string
		moves   []string // clock positions, in order
		want    []string // the ticks run, as UTC instants
	}{
		{
			// DST starts Sunday March 8, 2026: 09:00 is 14:00Z on March 2 (EST) and 13:00Z
			// on March 9 (EDT).
			name: "spring forward, tzid", yaml: withTZID, created: "2026-02-28T12:00:00Z",
			moves: []string{"2026-03-02T13:59:00Z", "2026-03-02T14:00:00Z", "2026-03-09T12:59:00Z", "2026-03-09T13:00:00Z"},
			want:  []string{"2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z"},
		},
		{
			// DST ends Sunday November 1, 2026: 13:00Z on October 26 (EDT), 14:00Z on
			// November 2 (EST); 13:00Z on November 2 is 08:00 local and must not fire.
			name: "fall back, settings.timezone", yaml: withSettings, created: "2026-10-24T12:00:00Z",
			moves: []string{"2026-10-26T12:59:00Z", "2026-10-26T13:00:00Z", "2026-11-02T13:00:00Z", "2026-11-02T14:00:00Z"},
			want:  []string{"2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := backends[0].open(t)(t)
			createWorkflow(t, st, "wf-weekly", tc.yaml, true, utc(tc.created))
			h := newSchedulers(t, utc(tc.created))
			h.start(st)
			for _, m := range tc.moves {
				h.moveTo(utc(m))
			}
			var want []time.Time
			for _, w := range tc.want {
				want = append(want, utc(w))
			}
			require.Equal(t, want, createdAts(t, st, "wf-weekly"))
		})
	}
}

func TestSchedulerRestartRunsTheMissedTickOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		st := open(t)
		createWorkflow(t, st, "wf-every", everyMinute, true, t0)
		h := newSchedulers(t, t0)
		h.start(open(t))
		h.moveTo(clockAt(time.Minute))
		h.stopAll()
		require.Len(t, createdAts(t, st, "wf-every"), 1)

		// Restarted before the next tick: the claimed 10:01 tick is not run again.
		h.clock.Set(clockAt(100 * time.Second))
		h.start(open(t))
		require.Len(t, createdAts(t, st, "wf-every"), 1)
		h.stopAll()

		// Down over the 10:02 and 10:03 ticks: only the latest runs, once, at start.
		h.clock.Set(clockAt(3*time.Minute + 30*time.Second))
		h.start(open(t))
		require.Equal(t, []time.Time{clockAt(time.Minute), clockAt(3*time.Minute + 30*time.Second)}, createdAts(t, st, "wf-every"))
		last, err := st.TickLast(t.Context(), "wf-every", "every:1m0s")
		require.NoError(t, err)
		require.Equal(t, clockAt(3*time.Minute), last.UTC())

		h.moveTo(clockAt(4 * time.Minute))
		require.Len(t, createdAts(t, st, "wf-every"), 3)
	})
}

func TestSchedulerTwoNodesRunEachTickOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		st := open(t)
		createWorkflow(t, st, "wf-a", everyMinute, true, t0)
		createWorkflow(t, st, "wf-b", everyMinute, true, t0.Add(20*time.Second))
		h := newSchedulers(t, t0.Add(20*time.Second))
		h.start(open(t))
		h.start(open(t))
		for i := 1; i <= 6; i++ {
			h.moveTo(clockAt(time.Duration(i)*time.Minute + 20*time.Second))
		}
		var wantA, wantB []time.Time
		for i := 1; i <= 6; i++ {
			wantA = append(wantA, clockAt(time.Duration(i)*time.Minute+20*time.Second))
			wantB = append(wantB, clockAt(time.Duration(i)*time.Minute+20*time.Second))
		}
		// wf-a ticks at :00 but the clock only stops at :20, so each of its ticks runs once
		// at the next stop; wf-b ticks exactly at each stop.
		require.Equal(t, wantA, createdAts(t, st, "wf-a"))
		require.Equal(t, wantB, createdAts(t, st, "wf-b"))
	})
}

func TestSchedulerFollowsEditsAndNeverStartsDisabledOrInvalid(t *testing.T) {
	st := backends[0].open(t)(t)
	w := createWorkflow(t, st, "wf-edit", everyMinute, true, t0)
	createWorkflow(t, st, "wf-disabled", everyMinute, false, t0)
	invalid := createWorkflow(t, st, "wf-invalid", everyMinute, true, t0)
	invalid.Valid = false
	require.NoError(t, st.WorkflowUpdate(t.Context(), invalid))
	broken := createWorkflow(t, st, "wf-broken", everyMinute+"  - oops: [\n", true, t0)
	h := newSchedulers(t, t0)
	h.start(st)
	h.moveTo(clockAt(time.Minute))
	require.Len(t, createdAts(t, st, "wf-edit"), 1)

	// Disabled between scans: the next tick reloads the workflow and does not start it.
	w.Enabled, w.UpdatedAt = false, clockAt(70*time.Second)
	require.NoError(t, st.WorkflowUpdate(t.Context(), w))
	h.moveTo(clockAt(2 * time.Minute))
	require.Len(t, createdAts(t, st, "wf-edit"), 1)

	// Enabled again as every 2m: ticks stay on the creation grid (10:04, not 10:02:30 + 2m)
	// and the 10:02 tick, before the edit, is not caught up.
	w.Enabled, w.UpdatedAt = true, clockAt(140*time.Second)
	w.YAML = `name: every-two
triggers:
  - type: scheduled
    with:
      every: 2m
` + consoleStep
	require.NoError(t, st.WorkflowUpdate(t.Context(), w))
	h.moveTo(clockAt(150 * time.Second))
	h.moveTo(clockAt(3 * time.Minute))
	require.Len(t, createdAts(t, st, "wf-edit"), 1)
	h.moveTo(clockAt(4 * time.Minute))
	require.Equal(t, []time.Time{clockAt(time.Minute), clockAt(4 * time.Minute)}, createdAts(t, st, "wf-edit"))

	for _, id := range []string{"wf-disabled", "wf-invalid", broken.ID} {
		require.Empty(t, createdAts(t, st, id), id)
	}
}

func TestSchedulerDeletesExpiredIdempotencyKeys(t *testing.T) {
	st := backends[0].open(t)(t)
	for _, k := range []struct {
		key     string
		expires time.Time
	}{{"old", clockAt(-time.Second)}, {"live", clockAt(time.Hour)}} {
		_, claimed, err := st.IdempotencyClaim(t.Context(), "webhook:wf", k.key, "ex-"+k.key, clockAt(-time.Hour), k.expires)
		require.NoError(t, err)
		require.True(t, claimed)
	}
	h := newSchedulers(t, t0)
	h.start(st)
	n, err := st.IdempotencyDeleteExpired(t.Context(), t0)
	require.NoError(t, err)
	require.Zero(t, n, "the scheduler's scan already deleted the expired key")
	existing, claimed, err := st.IdempotencyClaim(t.Context(), "webhook:wf", "live", "ex-new", t0, clockAt(2*time.Hour))
	require.NoError(t, err)
	require.False(t, claimed)
	require.Equal(t, "ex-live", existing)
}
