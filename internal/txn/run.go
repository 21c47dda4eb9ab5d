package txn

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// RunTx runs fn in a transaction on db and commits it, running the whole
// transaction again when it fails with an error p deems retryable — whether
// fn returned it or COMMIT did (Galera reports conflicts at commit) — until
// it succeeds, p.MaxAttempts is reached, or the next attempt could not start
// within the time budget (p.MaxElapsed from the first attempt's start, or
// ctx's deadline, whichever comes first), pausing with backoff in between.
// When it stops retrying it returns the last error as is.
//
// ctx bounds every attempt and the pauses; once it is done RunTx stops and
// returns an error wrapping both ctx.Err() and the last attempt's error.
// ctx interrupts fn's statements but never a COMMIT already sent: a COMMIT
// cut off by ctx may have committed on the server while the driver reports
// an error, and the caller would be told its write failed when it did not.
// Once ctx is done no attempt begins and a finished fn rolls back instead of
// committing; a COMMIT under way finishes, and RunTx then reports success.
//
// If db is already inside a transaction, RunTx opens none of its own and never
// retries: fn runs once on db and its error is returned as is, because a
// failed statement may have aborted the caller's transaction.
//
// It returns the number of attempts made (at least 1 unless ctx was already
// done or p is invalid) and the last error. A negative field of p returns an
// error wrapping ErrBadPolicy before anything runs.
func RunTx(ctx context.Context, db *gorm.DB, p RetryPolicy, fn func(tx *gorm.DB) error) (int, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	db = db.WithContext(ctx)
	if dialect.InTransaction(db) {
		return 1, fn(db)
	}
	retryable := p.Retryable
	if retryable == nil {
		retryable = dialect.Retryable
	}
	var opts []*sql.TxOptions
	if p.TxOptions != nil {
		opts = append(opts, p.TxOptions)
	}
	clk := p.clockOrWall()
	end := clk.now().Add(p.maxElapsed())
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	// With gorm.io/plugin/dbresolver, begin on the primary even when db's
	// statement already holds a replica's pool (see dialect.Primary).
	db = dialect.Primary(db)
	for attempt := 1; ; attempt++ {
		err := transaction(ctx, db, fn, opts)
		if err == nil {
			return attempt, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return attempt, fmt.Errorf("%w (attempt %d: %w)", ctxErr, attempt, err)
		}
		if attempt == p.MaxAttempts || !retryable(err) {
			return attempt, err
		}
		pause := p.Backoff(attempt)
		if !clk.now().Add(pause).Before(end) {
			return attempt, err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err)
		}
		if sleepErr := clk.sleep(ctx, pause); sleepErr != nil {
			return attempt, fmt.Errorf("%w (after attempt %d: %w)", sleepErr, attempt, err)
		}
	}
}

// transaction runs fn in one transaction on db, begun with a context that
// ctx cancels until fn has returned without error and ctx was still live:
// from then on nothing cancels it, so COMMIT runs to its end.
func transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error, opts []*sql.TxOptions) error {
	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var mu sync.Mutex
	committing := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !committing {
			cancel()
		}
	})
	defer stop()
	return db.WithContext(tctx).Transaction(func(tx *gorm.DB) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		committing = true
		return nil
	}, opts...)
}
