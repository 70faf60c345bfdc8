package events

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
)

func TestBrokerDeliversToSubscribersOfTheExecution(t *testing.T) {
	b := NewBroker(4)
	a, cancelA := b.Subscribe("ex-1")
	defer cancelA()
	other, cancelOther := b.Subscribe("ex-2")
	defer cancelOther()

	b.OnEvent(engine.Event{Kind: engine.EventStepStarted, ExecutionID: "ex-1", StepName: "s1"})
	got := <-a
	require.Equal(t, "s1", got.StepName)
	require.Empty(t, other)
	require.Equal(t, 1, b.Subscribers("ex-1"))
}

func TestBrokerDropsAndCountsWhenASubscriberIsFull(t *testing.T) {
	tests := []struct {
		name    string
		buffer  int
		sent    int
		dropped uint64
	}{
		{"fits", 3, 3, 0},
		{"two over", 3, 5, 2},
		{"default buffer", 0, DefaultBuffer + 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBroker(tt.buffer)
			ch, cancel := b.Subscribe("ex")
			defer cancel()
			for i := 0; i < tt.sent; i++ {
				b.OnEvent(engine.Event{ExecutionID: "ex", Kind: engine.EventLog})
			}
			require.Equal(t, tt.dropped, b.Dropped())
			require.Len(t, ch, tt.sent-int(tt.dropped))
		})
	}
}

func TestBrokerCancelClosesAndUnsubscribes(t *testing.T) {
	b := NewBroker(1)
	ch, cancel := b.Subscribe("ex")
	cancel()
	cancel() // twice is fine
	_, open := <-ch
	require.False(t, open)
	require.Equal(t, 0, b.Subscribers("ex"))
	b.OnEvent(engine.Event{ExecutionID: "ex"}) // no subscriber: no panic, nothing counted
	require.Zero(t, b.Dropped())
}
