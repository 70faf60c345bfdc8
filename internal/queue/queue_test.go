package queue

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/store"
)

func TestOptionsWithDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      Options
		wantErr bool
		check   func(t *testing.T, o Options)
	}{
		{name: "defaults", check: func(t *testing.T, o Options) {
			require.NotEmpty(t, o.NodeID)
			require.Equal(t, 100, o.Workers)
			require.Equal(t, 30*time.Second, o.LeaseTTL)
			require.Equal(t, 50*time.Millisecond, o.PollInterval)
			require.Equal(t, 30*time.Second, o.RecoverEvery)
			require.Equal(t, 5, o.MaxAttempts)
			require.NotNil(t, o.Logger)
		}},
		{name: "recover every follows lease ttl", in: Options{LeaseTTL: 6 * time.Second}, check: func(t *testing.T, o Options) {
			require.Equal(t, 6*time.Second, o.RecoverEvery)
		}},
		{name: "cooldown never exceeds poll interval", in: Options{PollInterval: time.Millisecond, FetchCooldown: time.Second},
			check: func(t *testing.T, o Options) { require.Equal(t, time.Millisecond, o.FetchCooldown) }},
		{name: "negative workers", in: Options{Workers: -1}, wantErr: true},
		{name: "negative lease ttl", in: Options{LeaseTTL: -time.Second}, wantErr: true},
		{name: "node id too long", in: Options{NodeID: string(make([]byte, 101))}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.in.withDefaults()
			if tt.wantErr {
				require.ErrorIs(t, err, ErrInvalidOptions)
				return
			}
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestDefaultNodeIDsDiffer(t *testing.T) {
	require.NotEqual(t, defaultNodeID(), defaultNodeID())
}

func TestNewRejectsUnknownDialect(t *testing.T) {
	_, err := New(otherDialect{openSQLite(t)}, newTestHandler(nil, nil), Options{})
	require.ErrorIs(t, err, ErrUnsupportedDialect)
}

// otherDialect is a real store that claims a dialect the queue does not know.
type otherDialect struct{ store.Store }

func (otherDialect) Dialect() string { return "mysql" }

func TestQueueRunsEachJobOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		h := newTestHandler(st, nil)
		q := startQueue(t, st, h, testOptions("node-a"))
		ids := make([]string, 50)
		for i := range ids {
			ids[i] = createExecution(t, st, q, nil)
		}
		for _, id := range ids {
			waitStatus(t, st, id, store.StatusCompleted)
		}
		q.Stop() // every job is finalised and every lease released once the client stopped
		for _, id := range ids {
			e, err := st.ExecutionGet(context.Background(), id)
			require.NoError(t, err)
			require.Empty(t, e.LeaseOwner, "lease released")
			require.Equal(t, 1, h.callsOf(id))
			jobs := jobsOf(t, q, id)
			require.Len(t, jobs, 1)
			require.Equal(t, rivertype.JobStateCompleted, jobs[0].State)
		}
		require.Zero(t, h.overlap.Load())
	})
}

func TestQueueSkipsTerminalAndMissingExecutions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		h := newTestHandler(st, nil)
		q := startQueue(t, st, h, testOptions("node-a"))
		ctx := context.Background()
		done := createExecution(t, st, q, func(e *store.Execution) { e.Status = store.StatusCompleted })
		require.NoError(t, q.Enqueue(ctx, "no-such-execution", time.Time{}))
		marker := createExecution(t, st, q, nil) // enqueued after the others
		waitStatus(t, st, marker, store.StatusCompleted)
		q.Stop()
		require.Zero(t, h.callsOf(done))
		require.Zero(t, h.callsOf("no-such-execution"))
		for _, id := range []string{done, "no-such-execution"} {
			jobs := jobsOf(t, q, id)
			require.Len(t, jobs, 1)
			require.Equal(t, rivertype.JobStateCompleted, jobs[0].State)
		}
	})
}

func TestQueueResumesAtTime(t *testing.T) {
	tests := []struct {
		name    string
		wait    time.Duration
		restart bool // stop the queue while the execution waits; a new one resumes it
	}{
		{name: "short wait", wait: 300 * time.Millisecond},
		{name: "survives restart", wait: 3 * time.Second, restart: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, st store.Store) {
				var mu sync.Mutex
				var resumeAt time.Time
				h := newTestHandler(st, func(_ context.Context, c call) (time.Time, error) {
					if c.n > 1 {
						return time.Time{}, nil
					}
					mu.Lock()
					defer mu.Unlock()
					resumeAt = time.Now().Add(tt.wait)
					return resumeAt, nil
				})
				q := startQueue(t, st, h, testOptions("node-a"))
				id := createExecution(t, st, q, nil)
				require.Equal(t, 1, h.nextCall(t).n)
				if tt.restart {
					waitStatus(t, st, id, store.StatusWaiting)
					q.Stop()
					require.Equal(t, 1, h.callsOf(id), "the wait is not over when the node stops")
					q = startQueue(t, st, h, testOptions("node-b"))
				}
				second := h.nextCall(t)
				require.Equal(t, 2, second.n)
				mu.Lock()
				require.False(t, time.Now().Before(resumeAt), "resumed before its time")
				mu.Unlock()
				waitStatus(t, st, id, store.StatusCompleted)
				q.Stop()
				jobs := jobsOf(t, q, id)
				require.Len(t, jobs, 1, "a wait reuses the job")
				require.Equal(t, rivertype.JobStateCompleted, jobs[0].State)
				require.Equal(t, 1, jobs[0].Attempt, "a wait is not an attempt")
				require.Empty(t, jobs[0].Errors)
			})
		})
	}
}

func TestQueueRetriesFailingHandlerThenDiscards(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		h := newTestHandler(st, func(context.Context, call) (time.Time, error) {
			return time.Time{}, errors.New("connector exploded")
		})
		opts := testOptions("node-a")
		opts.MaxAttempts = 2
		q := startQueue(t, st, h, opts)
		id := createExecution(t, st, q, nil)
		require.Eventually(t, func() bool {
			jobs := jobsOf(t, q, id)
			return len(jobs) == 1 && jobs[0].State == rivertype.JobStateDiscarded
		}, waitLimit, 10*time.Millisecond)
		require.Equal(t, 2, h.callsOf(id))
		jobs := jobsOf(t, q, id)
		require.Len(t, jobs[0].Errors, 2)
		require.Contains(t, jobs[0].Errors[1].Error, "connector exploded")
		e, err := st.ExecutionGet(context.Background(), id)
		require.NoError(t, err)
		require.Empty(t, e.LeaseOwner, "lease released after a failure")
	})
}

func TestQueueRecoversKilledWorker(t *testing.T) {
	tests := []struct {
		name      string
		leaseLeft time.Duration // lease time the dead worker has left when the queue starts
	}{
		{name: "lease already expired", leaseLeft: -time.Second},
		{name: "lease expires later", leaseLeft: 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, st store.Store) {
				until := time.Now().Add(tt.leaseLeft)
				id := createExecution(t, st, nil, func(e *store.Execution) {
					e.Status = store.StatusRunning
					e.LeaseOwner = "dead-node"
					e.LeaseUntil = &until
				})
				h := newTestHandler(st, nil)
				q := startQueue(t, st, h, testOptions("node-b"))
				waitStatus(t, st, id, store.StatusCompleted)
				require.False(t, time.Now().Before(until), "recovered while the dead lease was valid")
				q.Stop()
				e, err := st.ExecutionGet(context.Background(), id)
				require.NoError(t, err)
				require.Empty(t, e.LeaseOwner)
				require.Equal(t, 1, h.callsOf(id))
			})
		})
	}
}

func TestRecoveryByTwoNodesInsertsOneJob(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		until := time.Now().Add(-time.Second)
		id := createExecution(t, st, nil, func(e *store.Execution) {
			e.Status = store.StatusRunning
			e.LeaseOwner = "dead-node"
			e.LeaseUntil = &until
		})
		h := newTestHandler(st, nil)
		a := newQueue(t, st, h, testOptions("node-a"))
		b := newQueue(t, st, h, testOptions("node-b"))
		ctx := context.Background()
		require.NoError(t, a.recoverOrphans(ctx))
		require.NoError(t, b.recoverOrphans(ctx))
		require.NoError(t, a.recoverOrphans(ctx))
		jobs := jobsOf(t, a, id)
		require.Len(t, jobs, 1)
		require.Equal(t, rivertype.JobStateAvailable, jobs[0].State)
	})
}

func TestTwoQueuesNeverRunOneExecutionAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		// Each execution waits twice (zero-length waits bounce it between the nodes) and
		// has two extra jobs, so both nodes often hold a job of the same execution.
		h := newTestHandler(st, func(_ context.Context, c call) (time.Time, error) {
			if c.n < 3 {
				return time.Now(), nil
			}
			return time.Time{}, nil
		})
		a := startQueue(t, st, h, testOptions("node-a"))
		b := startQueue(t, st, h, testOptions("node-b"))
		ctx := context.Background()
		ids := make([]string, 40)
		for i := range ids {
			ids[i] = createExecution(t, st, a, nil)
			require.NoError(t, b.Enqueue(ctx, ids[i], time.Time{}))
			require.NoError(t, a.Enqueue(ctx, ids[i], time.Time{}))
		}
		for _, id := range ids {
			waitStatus(t, st, id, store.StatusCompleted)
		}
		a.Stop()
		b.Stop()
		require.Zero(t, h.overlap.Load(), "an execution ran twice at the same time")
		for _, id := range ids {
			require.GreaterOrEqual(t, h.callsOf(id), 3)
		}
	})
}

func TestStopLetsRunningExecutionsFinish(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		release := make(chan struct{})
		h := newTestHandler(st, func(ctx context.Context, _ call) (time.Time, error) {
			<-release
			return time.Time{}, ctx.Err()
		})
		watcher, logger := newLogWatcher("Stopping producers")
		opts := testOptions("node-a")
		opts.StopTimeout = waitLimit
		opts.Logger = logger
		q := startQueue(t, st, h, opts)
		id := createExecution(t, st, q, nil)
		h.nextCall(t)
		stopped := make(chan struct{})
		go func() {
			q.Stop()
			close(stopped)
		}()
		<-watcher.seen // the stop began while the execution runs
		close(release)
		<-stopped
		e, err := st.ExecutionGet(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, store.StatusCompleted, e.Status, "the run finished uncancelled")
		require.Empty(t, e.LeaseOwner)
		jobs := jobsOf(t, q, id)
		require.Equal(t, rivertype.JobStateCompleted, jobs[0].State)
	})
}

func TestStopCancelsAfterTimeoutAndHandsOver(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		h := newTestHandler(st, func(ctx context.Context, c call) (time.Time, error) {
			if c.n == 1 {
				<-ctx.Done() // a long step, cut short by the stop
				return time.Time{}, ctx.Err()
			}
			return time.Time{}, nil
		})
		opts := testOptions("node-a")
		opts.StopTimeout = 50 * time.Millisecond
		a := startQueue(t, st, h, opts)
		id := createExecution(t, st, a, nil)
		h.nextCall(t)
		a.Stop()
		e, err := st.ExecutionGet(context.Background(), id)
		require.NoError(t, err)
		require.Empty(t, e.LeaseOwner, "lease released at stop")
		jobs := jobsOf(t, a, id)
		require.Len(t, jobs, 1)
		require.Equal(t, rivertype.JobStateAvailable, jobs[0].State, "job handed over at once")
		require.Zero(t, jobs[0].Attempt, "the interrupted run is not an attempt")

		b := startQueue(t, st, h, testOptions("node-b"))
		waitStatus(t, st, id, store.StatusCompleted)
		b.Stop()
		require.Equal(t, 2, h.callsOf(id))
	})
}

func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	tests := []struct {
		name   string
		commit bool
	}{
		{name: "rollback drops the job"},
		{name: "commit keeps the job", commit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, st store.Store) {
				q := newQueue(t, st, newTestHandler(st, nil), testOptions("node-a"))
				ctx := context.Background()
				id := "exec-" + tt.name
				err := st.ExecutionCreate(ctx, store.ExecutionCreateParams{
					Execution: &store.Execution{ID: id, WorkflowID: "wf", Status: store.StatusPending},
					InTx: func(ctx context.Context, tx *sql.Tx) error {
						if err := q.EnqueueTx(ctx, tx, id, time.Time{}); err != nil {
							return err
						}
						if !tt.commit {
							return errors.New("trigger rejected")
						}
						return nil
					},
				})
				if !tt.commit {
					require.Error(t, err)
					require.Empty(t, jobsOf(t, q, id))
					_, err = st.ExecutionGet(ctx, id)
					require.ErrorIs(t, err, store.ErrNotFound)
					return
				}
				require.NoError(t, err)
				require.Len(t, jobsOf(t, q, id), 1)
			})
		})
	}
}

func TestStartTwiceFails(t *testing.T) {
	st := openSQLite(t)
	q := startQueue(t, st, newTestHandler(st, nil), testOptions("node-a"))
	require.ErrorIs(t, q.Start(context.Background()), ErrAlreadyStarted)
}
