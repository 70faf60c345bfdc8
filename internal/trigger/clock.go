package trigger

import "time"

// Clock is the time source of the Scheduler and of webhook replay windows. Tests pass a
// manual clock (triggertest.Clock) so that ticks happen when the test moves time, never after
// a real delay.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed (at once when d <= 0).
	After(d time.Duration) <-chan time.Time
}

// systemClock is the real clock.
type systemClock struct{}

// Now returns time.Now.
func (systemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
