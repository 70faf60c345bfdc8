package auth

import (
	"sync"
	"time"
)

// sweepThreshold is the number of tracked addresses above which idle buckets are dropped.
const sweepThreshold = 1024

// failureLimiter is a token bucket per client address that only failed attempts drain. A
// full bucket holds burst tokens and refills one every interval; an address whose bucket is
// empty is limited until the next token.
type failureLimiter struct {
	burst    float64
	interval time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	nextSweep int // sweep when this many addresses are tracked
}

// bucket is the state of one address: tokens left at time at.
type bucket struct {
	tokens float64
	at     time.Time
}

// newFailureLimiter allows burst failures per window per address.
func newFailureLimiter(burst int, window time.Duration) *failureLimiter {
	return &failureLimiter{
		burst:     float64(burst),
		interval:  window / time.Duration(burst),
		buckets:   map[string]*bucket{},
		nextSweep: sweepThreshold,
	}
}

// fail records a failed attempt from addr at now. It returns zero when the failure is
// within the allowance, else how long addr must wait (the failure is then not counted).
func (l *failureLimiter) fail(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= l.nextSweep {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.interval))
}

// refill adds the tokens earned since b.at, up to burst.
func (l *failureLimiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+float64(elapsed)/float64(l.interval))
		b.at = now
	}
}

// sweep drops the buckets that are full again (forgetting them changes nothing) and puts
// the next sweep at twice the addresses left, so many active addresses cost amortised O(1).
func (l *failureLimiter) sweep(now time.Time) {
	for addr, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, addr)
		}
	}
	l.nextSweep = max(sweepThreshold, 2*len(l.buckets))
}
