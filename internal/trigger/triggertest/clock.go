// Package triggertest holds test helpers for the trigger package: a manual clock whose
// timers fire when the test moves time, and a way to wait until every service sleeping on it
// is idle again, so scheduler tests never depend on real delays.
package triggertest

import (
	"sort"
	"sync"
	"time"
)

// Clock is a manual clock. Its timers fire only when Set or Advance reach their deadline.
// Sleeps counts the calls to After, which lets a test wait until a service has finished the
// work a move of time caused and gone back to sleep.
type Clock struct {
	mu     sync.Mutex
	cond   *sync.Cond
	now    time.Time
	timers []*timer
	sleeps int
}

// timer is one pending After.
type timer struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a clock set to start.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: start}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the time when the clock reaches now+d (at once when
// d <= 0).
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.sleeps++
	c.cond.Broadcast()
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, &timer{at: c.now.Add(d), ch: ch})
	return ch
}

// Sleeps returns how many times After was called so far.
func (c *Clock) Sleeps() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sleeps
}

// WaitSleeps blocks until After has been called at least n times in total.
func (c *Clock) WaitSleeps(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.sleeps < n {
		c.cond.Wait()
	}
}

// Set moves the clock to t (never backwards) and fires the timers due by then.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	c.fire()
}

// Advance moves the clock forward by d and fires the timers due by then.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fire()
}

// fire sends the time on every due timer, earliest first, and drops them.
func (c *Clock) fire() {
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}
