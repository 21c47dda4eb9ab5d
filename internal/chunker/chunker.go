// Package chunker is gormup's one chunk loop: the decision "every chunk in
// one transaction, or each chunk in a transaction of its own", the retry of
// a chunk's transaction through internal/txn, and the progress clock. Every
// chunked entry point (batch.Update with Size or CommitEach, UpdateKeys and
// UpdateRows with or without CommitEach, updater.UpdateEach through chunk.Run) drives
// its chunks through Loop.Run; chunk.Run and chunk.Ranges keep their own
// checkpointed step but measure progress with Clock.
//
// Layering: chunker imports only internal/txn, so that
// both batch and chunk (which batch imports for chunk.Progress) can use it.
package chunker

import (
	"context"
	"time"

	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
)

// Step runs chunk i (0-based) on tx and returns the rows it counted and
// whether it was the last chunk. In atomic mode a retried transaction calls
// Step again from i = 0, so state Step accumulates must be reset at i = 0.
type Step func(tx *gorm.DB, i int) (rows int64, last bool, err error)

// Loop describes how chunks commit. The zero Loop runs every chunk in one
// transaction with txn's default retry policy and reports nothing.
type Loop struct {
	// Each commits each chunk in a transaction of its own; false runs every
	// chunk in one transaction.
	Each bool
	// Policy bounds the retries of each transaction.
	Policy txn.RetryPolicy
	// Prepare, when set, wraps the atomic transaction before its first
	// chunk (e.g. to reuse prepared statements); its func runs at the end.
	Prepare func(tx *gorm.DB) (*gorm.DB, func())
	// Committed, when set, is called after each commit: after every chunk
	// with Each, once after the transaction otherwise. chunks and rows are
	// totals so far.
	Committed func(chunks int, rows int64, c Clock)
}

// Error says which chunk failed. Done counts the rows of the chunks that
// stayed committed (0 in atomic mode); Attempts, how many times the failed
// transaction ran.
type Error struct {
	Chunk    int
	Done     int64
	Attempts int
	Err      error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Run calls step for chunks 0, 1, 2, … until it reports the last one, in
// transactions on db as l says, and returns the rows counted. A failure is
// returned as an *Error. With db.DryRun no transaction is begun.
func (l Loop) Run(ctx context.Context, db *gorm.DB, step Step) (int64, error) {
	clock := Start()
	if !l.Each {
		var done int64
		failed, chunks := 0, 0
		attempts, err := RunTx(ctx, db, l.Policy, func(tx *gorm.DB) error {
			done, chunks = 0, 0
			if l.Prepare != nil {
				var finish func()
				tx, finish = l.Prepare(tx)
				defer finish()
			}
			for i := 0; ; i++ {
				n, last, err := step(tx, i)
				if err != nil {
					failed = i
					return err
				}
				done += n
				chunks = i + 1
				if last {
					return nil
				}
			}
		})
		if err != nil {
			return 0, &Error{Chunk: failed, Attempts: attempts, Err: err}
		}
		if l.Committed != nil {
			l.Committed(chunks, done, clock)
		}
		return done, nil
	}
	var done int64
	for i := 0; ; i++ {
		var (
			n    int64
			last bool
		)
		attempts, err := RunTx(ctx, db, l.Policy, func(tx *gorm.DB) error {
			var err error
			n, last, err = step(tx, i)
			return err
		})
		if err != nil {
			return done, &Error{Chunk: i, Done: done, Attempts: attempts, Err: err}
		}
		done += n
		if l.Committed != nil {
			l.Committed(i+1, done, clock)
		}
		if last {
			return done, nil
		}
	}
}

// RunTx is the transaction one chunk runs in: txn.RunTx, or fn called once
// on db in dry-run mode (Session{DryRun: true} builds statements only).
func RunTx(ctx context.Context, db *gorm.DB, p txn.RetryPolicy, fn func(tx *gorm.DB) error) (int, error) {
	if db.DryRun {
		return 1, fn(db.WithContext(ctx))
	}
	return txn.RunTx(ctx, db, p, fn)
}

// Clock is a run's progress clock, started by Start.
type Clock struct{ start time.Time }

// Start starts a clock.
func Start() Clock { return Clock{start: time.Now()} }

// Elapsed is the time since Start.
func (c Clock) Elapsed() time.Duration { return time.Since(c.start) }

// Measure returns the rate, rows per second, of fresh rows (those this run
// committed) over elapsed (0 while either is 0), and the estimated time left
// at that rate for the total - done rows still to do (0 when total < 0, the
// rate is 0 or done reached total).
func Measure(done, fresh, total int64, elapsed time.Duration) (rate float64, eta time.Duration) {
	if s := elapsed.Seconds(); s > 0 && fresh > 0 {
		rate = float64(fresh) / s
	}
	if total > done && rate > 0 {
		eta = time.Duration(float64(total-done) / rate * float64(time.Second))
	}
	return rate, eta
}
