package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// maxBatchOps bounds how many operations one group commit holds, so that a caller arriving
// during a long batch does not wait for hundreds of others.
const maxBatchOps = 128

// txFunc is one write operation: it runs inside a transaction it must not end.
type txFunc func(ctx context.Context, tx *sql.Tx) error

// writeOp is a write operation waiting for its group commit.
type writeOp struct {
	ctx  context.Context
	fn   txFunc
	done chan error
}

// groupCommitter runs the write operations of concurrent callers in shared transactions: a
// single goroutine takes every operation waiting when the previous commit ends, runs each in
// its own savepoint (a failing operation rolls back alone) and commits them together. With
// one commit for many operations, SQLite writes each changed page once per batch instead of
// once per operation, which is most of a small transaction's cost. Every caller learns its
// own result only after the commit, so a write that returned nil is durable.
type groupCommitter struct {
	db   *sql.DB
	ops  chan *writeOp
	quit chan struct{}
	wg   sync.WaitGroup

	stopOnce sync.Once
}

// newGroupCommitter returns a committer writing through db; it runs once started.
func newGroupCommitter(db *sql.DB) *groupCommitter {
	return &groupCommitter{db: db, ops: make(chan *writeOp), quit: make(chan struct{})}
}

// start starts the writer goroutine.
func (g *groupCommitter) start() {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.loop()
	}()
}

// stop makes later submissions fail with errStoreClosed and waits for the batch in progress.
func (g *groupCommitter) stop() {
	g.stopOnce.Do(func() { close(g.quit) })
	g.wg.Wait()
}

// submit runs fn in the next group commit and returns its result once that commit ended. A
// ctx already done when the batch reaches the operation skips it; once the operation has
// run, the caller waits for the commit whatever happens to ctx, so that an error always
// means nothing was written (but for a failed commit, which SQLite rolls back).
func (g *groupCommitter) submit(ctx context.Context, fn txFunc) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case g.ops <- op:
	case <-g.quit:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-op.done
}

// loop collects and commits batches until stop.
func (g *groupCommitter) loop() {
	batch := make([]*writeOp, 0, maxBatchOps)
	for {
		select {
		case <-g.quit:
			return
		case op := <-g.ops:
			batch = append(batch[:0], op)
		}
	collect:
		for len(batch) < maxBatchOps {
			select {
			case op := <-g.ops:
				batch = append(batch, op)
			default:
				break collect
			}
		}
		g.commit(batch)
		clear(batch)
	}
}

// commit runs batch in one transaction and reports each operation's result.
func (g *groupCommitter) commit(batch []*writeOp) {
	results := make([]error, len(batch))
	err := g.runBatch(batch, results)
	for i, op := range batch {
		if err != nil && results[i] == nil {
			results[i] = err
		}
		op.done <- results[i]
	}
}

// runBatch runs the operations of batch in one transaction, recording each one's own
// failure in results, and commits. A returned error fails every operation that succeeded:
// none of them was committed.
func (g *groupCommitter) runBatch(batch []*writeOp, results []error) error {
	tx, err := g.db.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	alone := len(batch) == 1
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if alone {
			results[i] = op.fn(context.WithoutCancel(op.ctx), tx)
			if results[i] != nil {
				_ = tx.Rollback()
				return nil
			}
			continue
		}
		if results[i], err = runSavepoint(op, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// runSavepoint runs op inside a savepoint of tx and returns op's error. The second error is
// set when the transaction itself is lost (SQLite rolls the whole transaction back on some
// errors, such as a full disk), which ends the batch.
func runSavepoint(op *writeOp, tx *sql.Tx) (opErr, txErr error) {
	ctx := context.WithoutCancel(op.ctx)
	if _, err := tx.ExecContext(ctx, `SAVEPOINT errand_op`); err != nil {
		return nil, fmt.Errorf("opening savepoint: %w", err)
	}
	if opErr = op.fn(ctx, tx); opErr == nil {
		if _, err := tx.ExecContext(ctx, `RELEASE errand_op`); err != nil {
			return nil, fmt.Errorf("releasing savepoint: %w", err)
		}
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO errand_op`); err != nil {
		return opErr, errors.Join(opErr, fmt.Errorf("rolling back to savepoint: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `RELEASE errand_op`); err != nil {
		return opErr, fmt.Errorf("releasing savepoint: %w", err)
	}
	return opErr, nil
}
