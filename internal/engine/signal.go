package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// stepFailure is a step that failed and was not continued. It travels up through the
// enclosing scopes (each flow-control ancestor fails with it) and, when nothing handles it,
// fails the execution.
type stepFailure struct {
	step string
	err  *StepError
}

func (f *stepFailure) Error() string {
	return fmt.Sprintf("step %q failed: %s: %s", f.step, f.err.Type, f.err.Message)
}

// parkSignal stops the walk because the execution must wait until a time (a long wait, a
// retry delay, a child still running). Execute stores the status and returns the time.
type parkSignal struct {
	until  time.Time
	status string
}

func (p *parkSignal) Error() string { return "execution parked until " + p.until.Format(time.RFC3339) }

// terminateSignal ends the execution early (workflow.output, workflow.fail).
type terminateSignal struct {
	status string
	output any
	err    *StepError
}

func (t *terminateSignal) Error() string { return "execution terminated with status " + t.status }

// loopSignal is loop.break or loop.continue travelling to the innermost loop.
type loopSignal struct {
	brk  bool
	step string
}

func (l *loopSignal) Error() string {
	if l.brk {
		return "loop.break outside of a loop in step " + l.step
	}
	return "loop.continue outside of a loop in step " + l.step
}

// abortSignal is a step or scope stopped because its context was cancelled; cause says why
// (execution cancelled, workflow timeout, an enclosing scope's timeout, a failed sibling).
type abortSignal struct {
	cause error
}

func (a *abortSignal) Error() string { return "aborted: " + a.cause.Error() }

// scopeTimeout is the cancellation cause of a scope with its own timeout (a step, a loop, an
// iteration, a parallel branch). Identity matters: the owner recognises its own value.
type scopeTimeout struct {
	d time.Duration
}

func (s *scopeTimeout) Error() string {
	return "Step execution exceeded the configured timeout of " + formatDuration(s.d) + "."
}

// newAbort builds the abort signal of a cancelled context.
func newAbort(ctx context.Context) *abortSignal {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = context.Canceled
	}
	return &abortSignal{cause: cause}
}

// asFailure returns the step failure inside err, if err is one.
func asFailure(err error) *stepFailure {
	var f *stepFailure
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// ownTimeout reports whether err is an abort caused by the scope timeout mine while the
// outer context is still live; the owner then turns it into a TimeoutError failure.
func ownTimeout(outer context.Context, err error, mine *scopeTimeout) bool {
	var a *abortSignal
	if mine == nil || outer.Err() != nil || !errors.As(err, &a) {
		return false
	}
	st, ok := a.cause.(*scopeTimeout)
	return ok && st == mine
}

// timeoutError is the StepError of an exceeded step, loop, iteration or branch timeout.
func timeoutError(d time.Duration) *StepError {
	return &StepError{Type: "TimeoutError", Message: (&scopeTimeout{d: d}).Error()}
}

// withScopeTimeout derives a context that ends after d with a fresh scopeTimeout cause; d ≤ 0
// returns ctx unchanged and a nil cause.
func withScopeTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc, *scopeTimeout) {
	if d <= 0 {
		return ctx, func() {}, nil
	}
	cause := &scopeTimeout{d: d}
	c, cancel := context.WithTimeoutCause(ctx, d, cause)
	return c, cancel, cause
}

// isInterruption reports whether cause is the worker being stopped (a graceful shutdown, a
// lost lease) rather than an outcome of the run (a cancel request, a timeout, a failed
// sibling). An interrupted step keeps no finished record, so the execution continues from
// its last finished step when a worker picks it up again.
func isInterruption(cause error) bool {
	var st *scopeTimeout
	return !errors.Is(cause, errCancelled) && !errors.Is(cause, errSiblingFailed) &&
		!errors.Is(cause, errWorkflowTimedOut) && !errors.As(cause, &st)
}

// abortStatus is the status recorded for a step stopped by cause.
func abortStatus(cause error) string {
	if errors.Is(cause, errCancelled) || errors.Is(cause, errSiblingFailed) || errors.Is(cause, context.Canceled) {
		return "cancelled"
	}
	return "timed_out"
}
