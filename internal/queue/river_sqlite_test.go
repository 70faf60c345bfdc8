package queue

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/errand-dev/errand/internal/store/sqlite"
)

// BenchmarkRiverSQLite measures River alone on SQLite (a worker that does nothing), to
// separate River's own cost from the queue's and the store's. "plain" opens the database
// without a statement cache; "stmtcache" uses the store's own handle, whose connections keep
// statements prepared (modernc.org/sqlite parses every statement on every call otherwise).
func BenchmarkRiverSQLite(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "stmtcache"}[cached]
		b.Run(name, func(b *testing.B) { benchRiverSQLite(b, openRawSQLite(b, cached)) })
	}
}

func benchRiverSQLite(b *testing.B, db *sql.DB) {
	ctx := context.Background()
	driver := riversqlite.New(db)
	require.NoError(b, migrateRiver(ctx, driver, slog.New(slog.NewTextHandler(io.Discard, nil))))
	var count atomic.Int64
	done := make(chan struct{})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[executionArgs]) error {
		if count.Add(1) == int64(b.N) {
			close(done)
		}
		return nil
	}))
	client, err := river.NewClient(driver, &river.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 100}},
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 2 * time.Millisecond,
	})
	require.NoError(b, err)
	params := make([]river.InsertManyParams, b.N)
	for i := range params {
		params[i] = river.InsertManyParams{Args: executionArgs{ExecutionID: fmt.Sprint(i)}}
	}
	for chunk := range slicesChunk(params, 1000) {
		_, err := client.InsertMany(ctx, chunk)
		require.NoError(b, err)
	}
	b.ResetTimer()
	start := time.Now()
	require.NoError(b, client.Start(ctx))
	<-done
	elapsed := time.Since(start)
	b.StopTimer()
	require.NoError(b, client.Stop(ctx))
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
}

// slicesChunk yields s in chunks of at most n.
func slicesChunk[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(s[i:min(i+n, len(s))]) {
				return
			}
		}
	}
}

// openRawSQLite opens a SQLite file with one connection: "plain" with the store's pragmas
// and no statement cache, "stmtcache" as the store itself opens it (its write pool, which
// keeps statements prepared).
func openRawSQLite(b *testing.B, cached bool) *sql.DB {
	path := filepath.Join(b.TempDir(), "river.db")
	if cached {
		st, err := sqlite.Open(context.Background(), path)
		require.NoError(b, err)
		b.Cleanup(func() { _ = st.Close() })
		return st.DB()
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-16000)&_txlock=immediate")
	require.NoError(b, err)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	b.Cleanup(func() { _ = db.Close() })
	return db
}
