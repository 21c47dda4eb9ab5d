package updater

import (
	"database/sql"
	"time"

	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/internal/txn"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

// Defaults of the retry options, the same for every gormup entry point that
// retries (batch.DefaultRetryBudget is the same value).
const (
	// DefaultRetryBudget is how long Update and Transaction keep starting new
	// attempts of a transaction that fails with a retryable error, measured
	// from the first attempt's start; a ctx deadline that comes earlier ends
	// it earlier. The number of attempts is not limited unless Attempts
	// is given.
	DefaultRetryBudget = txn.DefaultMaxElapsed
	// DefaultBaseDelay is the backoff ceiling after the first failed attempt;
	// it doubles per failed attempt, and each pause is a random duration up
	// to it (full jitter).
	DefaultBaseDelay = txn.DefaultBaseDelay
	// DefaultMaxDelay caps the backoff ceiling.
	DefaultMaxDelay = txn.DefaultMaxDelay
)

// VersionTag is the struct tag that marks a model's version field for
// optimistic updates: `gormup:"version"`.
const VersionTag = model.VersionTag

// tagKey is the struct tag key gormup reads.
const tagKey = model.TagKey

// UpdateOption configures Update. Only the options whose doc names Update
// satisfy it, so a lock option given to Transaction does not compile.
type UpdateOption interface{ applyUpdate(*config) }

// TransactionOption configures Transaction.
type TransactionOption interface{ applyTransaction(*config) }

// Option is an option of both Update and Transaction: the retry options
// (Attempts, RetryBudget, Backoff, OnRetry) and TxOptions. The zero
// configuration (no options) is valid for both.
type Option interface {
	UpdateOption
	TransactionOption
}

// option is an option of Update and Transaction; updateOption of Update only.
type option func(*config)

func (o option) applyUpdate(c *config)      { o(c) }
func (o option) applyTransaction(c *config) { o(c) }

type updateOption func(*config)

func (o updateOption) applyUpdate(c *config) { o(c) }

type config struct {
	lock         lock.Mode
	optimistic   bool
	versionField string
	scopes       []func(*gorm.Statement)
	retry        txn.RetryPolicy // Retryable is set by the call
}

// newConfig applies opts; an out-of-range retry option returns an error
// wrapping ErrBadOption.
func newConfig[O any](opts []O, apply func(O, *config)) (config, error) {
	if len(opts) == 0 {
		return config{}, nil // the zero configuration is valid
	}
	var c config
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &c)
		}
	}
	return c, txn.NonNegative(ErrBadOption,
		txn.Field{Name: "Attempts", Value: int64(c.retry.MaxAttempts)}, txn.Field{Name: "RetryBudget", Value: int64(c.retry.MaxElapsed)},
		txn.Field{Name: "Backoff's base", Value: int64(c.retry.BaseDelay)}, txn.Field{Name: "Backoff's maxDelay", Value: int64(c.retry.MaxDelay)},
	)
}

// Lock makes Update pessimistic: the row is read with lock inside the
// transaction, so concurrent Updates of the row queue up instead of
// conflicting. Of Lock and Optimistic, the last given wins. A
// version field, if the model has one, is still checked and incremented.
// Update's default, without Lock or Optimistic, is ForUpdate for
// models without a version field and optimistic for models with one.
//
// lock.ForUpdateNoWait returns an error wrapping lock.ErrLocked at once
// when another transaction holds the row, without retrying; lock.SkipLocked
// treats such a row as absent (a not-found error); lock.ForNoKeyUpdate is
// PostgreSQL's. A mode the database cannot take returns ErrLockUnsupported
// before any statement runs.
func Lock(l lock.Mode) UpdateOption {
	return updateOption(func(c *config) { c.lock, c.optimistic = l, false })
}

// Optimistic makes Update optimistic: the row is read without a lock and
// written with UPDATE … SET version = version + 1 WHERE pk = ? AND
// version = ?; when that matches no row, another writer got there first and
// the whole attempt (read, change function, write) runs again. The model
// needs a version field (see VersionField), else ErrNoVersionField.
// Of Lock and Optimistic, the last given wins.
func Optimistic() UpdateOption {
	return updateOption(func(c *config) { c.optimistic, c.lock = true, 0 })
}

// VersionField names the model's version field, by Go field name or
// column name; it must hold an integer (or a driver.Valuer/sql.Scanner of
// one). Without it Update looks for a field tagged `gormup:"version"` and
// then for a field of type optimisticlock.Version (gorm.io/plugin/
// optimisticlock). Naming a version field makes optimistic mode the default.
func VersionField(name string) UpdateOption {
	return updateOption(func(c *config) { c.versionField = name })
}

// Attempts limits how many times the transaction runs, the first run
// included, when it fails with a deadlock, serialization failure, lock
// timeout, SQLite busy error or (optimistic mode) a version conflict: 1
// disables retrying, and 0, the default, sets no limit other than the retry
// budget (RetryBudget). A negative n returns ErrBadOption. Inside a
// caller's transaction there is always exactly one attempt.
func Attempts(n int) Option {
	return option(func(c *config) { c.retry.MaxAttempts = n })
}

// RetryBudget sets how long new attempts may start after the first one
// started: a retryable failure is retried only if the pause before the next
// attempt ends within d (and before ctx's deadline). 0 means
// DefaultRetryBudget; a negative d returns ErrBadOption.
func RetryBudget(d time.Duration) Option {
	return option(func(c *config) { c.retry.MaxElapsed = d })
}

// Backoff sets the exponential backoff between attempts: the pause after
// the k-th failed attempt is random in [0, min(maxDelay, base·2^(k-1))]. Zero
// values mean DefaultBaseDelay and DefaultMaxDelay; a negative value returns
// ErrBadOption.
func Backoff(base, maxDelay time.Duration) Option {
	return option(func(c *config) { c.retry.BaseDelay, c.retry.MaxDelay = base, maxDelay })
}

// TxOptions passes opts (isolation level, read-only) to every BEGIN; nil,
// the default, uses the database's defaults. Ignored inside a caller's
// transaction.
func TxOptions(opts *sql.TxOptions) Option {
	return option(func(c *config) { c.retry.TxOptions = opts })
}

// OnRetry calls fn before each retry with the attempt that failed
// (1-based) and its error, e.g. to count conflicts. fn runs on the calling
// goroutine; nil, the default, does nothing.
func OnRetry(fn func(attempt int, err error)) Option {
	return option(func(c *config) { c.retry.OnRetry = fn })
}

// policy is the retry policy of the call; retryable nil means
// dialect.Retryable.
func (c *config) policy(retryable func(error) bool) txn.RetryPolicy {
	p := c.retry
	p.Retryable = retryable
	return p
}

// Scopes adds conditions written as gorm.G scopes (func(*gorm.Statement),
// what gorm.G[T](db).Scopes takes) to db's own before the row is read: the
// row Update loads and writes must match them too. A scope may also set the
// statement's table or Unscoped. Scopes of several Scopes options run in the
// order given; nil ones are skipped. Update only.
func Scopes(scopes ...func(*gorm.Statement)) UpdateOption {
	return updateOption(func(c *config) { c.scopes = append(c.scopes, scopes...) })
}
