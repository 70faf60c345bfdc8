package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/errand-dev/errand/internal/client"
)

// sample is what one webhook call gave.
type sample struct {
	scheduled time.Time
	accepted  time.Duration // scheduled time → the webhook answered
	total     time.Duration // scheduled time → the execution was seen finished
	err       string
}

// results are the samples of a run with its time marks.
type results struct {
	samples []sample
	start   time.Time // first scheduled call
	sent    time.Time // last call issued
	end     time.Time // last execution finished
}

// fire calls the webhook rate times a second for the duration, each call on its own
// goroutine at its scheduled time (open loop), and waits for every execution.
func fire(ctx context.Context, c *client.Client, wfID string, o options) *results {
	n := int(o.rate * o.duration.Seconds())
	interval := time.Duration(float64(time.Second) / o.rate)
	res := &results{samples: make([]sample, n), start: time.Now().Add(20 * time.Millisecond)}
	var wg sync.WaitGroup
	issued := 0
	for ; issued < n; issued++ {
		at := res.start.Add(time.Duration(issued) * interval)
		if sleepUntil(ctx, at) != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res.samples[i] = one(ctx, c, wfID, i, at, o)
		}(issued)
	}
	res.sent = time.Now()
	wg.Wait()
	res.end = time.Now()
	res.samples = res.samples[:issued]
	return res
}

// one triggers one execution and waits until it finishes.
func one(ctx context.Context, c *client.Client, wfID string, i int, at time.Time, o options) sample {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s := sample{scheduled: at}
	id, err := c.TriggerWebhook(ctx, wfID, map[string]any{"n": i}, nil)
	s.accepted = time.Since(at)
	if err != nil {
		s.err = "trigger: " + err.Error()
		return s
	}
	status, err := waitDone(ctx, c, id, o.observe)
	s.total = time.Since(at)
	switch {
	case err != nil:
		s.err = "observe: " + err.Error()
	case status != "completed":
		s.err = "execution " + status
	}
	return s
}

// waitDone returns the terminal status of an execution, seen on its event stream or by
// polling (every 20 ms, backing off to 250 ms so that a backlog does not multiply the
// polls).
func waitDone(ctx context.Context, c *client.Client, id, observe string) (string, error) {
	if observe == "poll" {
		wait := 20 * time.Millisecond
		for {
			ex, err := c.GetExecution(ctx, id, false)
			if err != nil {
				return "", err
			}
			if client.Terminal(ex.Status) {
				return ex.Status, nil
			}
			if err := sleepUntil(ctx, time.Now().Add(wait)); err != nil {
				return "", err
			}
			wait = min(2*wait, 250*time.Millisecond)
		}
	}
	status := ""
	err := c.Follow(ctx, id, func(ev client.Event) error {
		if ev.IsTerminalStatus() {
			status = ev.Status
		}
		return nil
	})
	if err == nil && status == "" {
		err = fmt.Errorf("the stream of %s ended without a status", id)
	}
	return status, err
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
