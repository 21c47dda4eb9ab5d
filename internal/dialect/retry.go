package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts = 5
	DefaultBaseDelay   = 2 * time.Millisecond
	DefaultMaxDelay    = 250 * time.Millisecond
)

// RetryPolicy bounds RunTx. The zero value is ready to use: 5 attempts,
// exponential backoff from 2ms capped at 250ms, with full jitter.
type RetryPolicy struct {
	// MaxAttempts is the number of times fn runs at most; 0 means
	// DefaultMaxAttempts, 1 disables retrying.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles per
	// attempt. 0 means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps one backoff; 0 means DefaultMaxDelay.
	MaxDelay time.Duration
	// Retryable decides whether an error is retried; nil means Retryable.
	Retryable func(error) bool
	// OnRetry, if set, is called before each backoff with the attempt that
	// just failed (1-based) and its error.
	OnRetry func(attempt int, err error)
	// TxOptions are passed to each BEGIN; nil uses the database defaults.
	TxOptions *sql.TxOptions
}

func (p RetryPolicy) attempts() int {
	if p.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

// Backoff returns the pause before attempt+1 after attempt failures:
// a random duration in [0, min(MaxDelay, BaseDelay*2^(attempt-1))].
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	base, maxDelay := p.BaseDelay, p.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if maxDelay <= 0 {
		maxDelay = DefaultMaxDelay
	}
	d := base
	for i := 1; i < attempt && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// RunTx runs fn in a transaction on db and commits it, running the whole
// transaction again when it fails with an error p deems retryable — whether
// fn returned it or COMMIT did (Galera reports conflicts at commit) — up to
// p's attempt limit, sleeping with backoff in between. ctx bounds every
// attempt and the pauses; once it is done RunTx stops and returns an error
// wrapping ctx.Err().
//
// If db is already inside a transaction, RunTx opens none of its own and never
// retries: fn runs once on db and its error is returned as is, because a
// failed statement may have aborted the caller's transaction.
//
// It returns the number of attempts made (at least 1 unless ctx was already
// done) and the last error.
func RunTx(ctx context.Context, db *gorm.DB, p RetryPolicy, fn func(tx *gorm.DB) error) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	db = db.WithContext(ctx)
	if InTransaction(db) {
		return 1, fn(db)
	}
	retryable := p.Retryable
	if retryable == nil {
		retryable = Retryable
	}
	maxAttempts := p.attempts()
	// With gorm.io/plugin/dbresolver, begin on the primary even when db's
	// statement already holds a replica's pool (see Primary).
	db = Primary(db)
	for attempt := 1; ; attempt++ {
		var opts []*sql.TxOptions
		if p.TxOptions != nil {
			opts = append(opts, p.TxOptions)
		}
		err := db.Transaction(fn, opts...)
		if err == nil {
			return attempt, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return attempt, fmt.Errorf("%w (attempt %d: %w)", ctxErr, attempt, err)
		}
		if attempt >= maxAttempts || !retryable(err) {
			return attempt, err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err)
		}
		t := time.NewTimer(p.Backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, fmt.Errorf("%w (after attempt %d: %w)", ctx.Err(), attempt, err)
		case <-t.C:
		}
	}
}
