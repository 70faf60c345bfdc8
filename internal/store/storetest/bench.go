package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/errand-dev/errand/internal/store"
)

// BenchmarkTickClaim measures TickClaim on stores from open (each sub-benchmark gets a fresh
// one): a new tick claimed one after another; new ticks of distinct triggers claimed from 8
// goroutines at once (many schedules due together); every tick raced for by 4 callers (nodes
// sharing a database), reporting the share of claims won; and a tick already taken.
func BenchmarkTickClaim(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("sequential", func(b *testing.B) {
		s := open(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.TickClaim(b.Context(), "wf-1", "every:1m", at(time.Duration(i)*time.Minute)); err != nil {
				b.Fatal(err)
			}
		}
		reportPerClaim(b)
	})
	b.Run("parallel", func(b *testing.B) {
		s := open(b)
		var trigger atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			key := seqID("trigger", int(trigger.Add(1)))
			for i := 0; pb.Next(); i++ {
				if _, err := s.TickClaim(b.Context(), "wf-1", key, at(time.Duration(i)*time.Minute)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportPerClaim(b)
	})
	b.Run("contended", func(b *testing.B) {
		const racers = 4
		s := open(b)
		var next, won atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tick := at(time.Duration(next.Add(1)/racers) * time.Minute)
				claimed, err := s.TickClaim(b.Context(), "wf-1", "every:1m", tick)
				if err != nil {
					b.Error(err)
					return
				}
				if claimed {
					won.Add(1)
				}
			}
		})
		reportPerClaim(b)
		b.ReportMetric(float64(won.Load())/float64(b.N), "won/claim")
	})
	b.Run("taken", func(b *testing.B) {
		s := open(b)
		if _, err := s.TickClaim(b.Context(), "wf-1", "every:1m", at(0)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			claimed, err := s.TickClaim(b.Context(), "wf-1", "every:1m", at(0))
			if err != nil || claimed {
				b.Fatal("a taken tick was claimed again", err)
			}
		}
		reportPerClaim(b)
	})
}

// reportPerClaim reports the wall time per claim in microseconds.
func reportPerClaim(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/claim")
}
