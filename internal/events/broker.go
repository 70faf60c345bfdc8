// Package events fans the engine's live execution events out to subscribers (the API's
// server-sent events). The engine must never wait for a slow reader, so every subscriber
// has a bounded buffer and events that do not fit are dropped and counted; readers that
// need completeness read the store (the SSE handler does, from its snapshot and polling).
package events

import (
	"sync"
	"sync/atomic"

	"github.com/errand-dev/errand/internal/engine"
)

// DefaultBuffer is the number of events a subscriber may lag behind before events are
// dropped for it.
const DefaultBuffer = 256

// Broker implements engine.Observer: OnEvent never blocks. It is safe for concurrent use.
type Broker struct {
	buffer  int
	mu      sync.RWMutex
	subs    map[string]map[*subscriber]struct{} // by execution id
	dropped atomic.Uint64
}

// subscriber is one reader of one execution's events.
type subscriber struct {
	ch     chan engine.Event
	closed bool
}

// NewBroker returns a Broker whose subscribers each buffer up to buffer events
// (0: DefaultBuffer).
func NewBroker(buffer int) *Broker {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Broker{buffer: buffer, subs: map[string]map[*subscriber]struct{}{}}
}

var _ engine.Observer = (*Broker)(nil)

// OnEvent hands ev to every subscriber of its execution without waiting: a subscriber
// whose buffer is full misses the event, and Dropped counts it.
func (b *Broker) OnEvent(ev engine.Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[ev.ExecutionID] {
		select {
		case s.ch <- ev:
		default:
			b.dropped.Add(1)
		}
	}
}

// Subscribe returns the events of one execution from now on. The caller must call cancel
// when done; cancel closes the channel and may be called more than once.
func (b *Broker) Subscribe(executionID string) (<-chan engine.Event, func()) {
	s := &subscriber{ch: make(chan engine.Event, b.buffer)}
	b.mu.Lock()
	set := b.subs[executionID]
	if set == nil {
		set = map[*subscriber]struct{}{}
		b.subs[executionID] = set
	}
	set[s] = struct{}{}
	b.mu.Unlock()
	cancel := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if s.closed {
			return
		}
		s.closed = true
		delete(b.subs[executionID], s)
		if len(b.subs[executionID]) == 0 {
			delete(b.subs, executionID)
		}
		close(s.ch)
	}
	return s.ch, cancel
}

// Dropped is how many events were dropped because a subscriber's buffer was full.
func (b *Broker) Dropped() uint64 { return b.dropped.Load() }

// Subscribers is how many subscriptions are open for an execution.
func (b *Broker) Subscribers(executionID string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs[executionID])
}
