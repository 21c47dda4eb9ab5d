package batch

import (
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
)

// Defaults of the options of Update, UpdateKeys and UpdateRows.
const (
	// DefaultSize is how many rows UpdateRows writes per statement when
	// Size is not given, unless the dialect's parameter limit,
	// MaxStatementParams or, on SQLite, 1,000 parameters per statement
	// (which SQLite's drivers bind faster per row than larger statements)
	// allows fewer, and the rows of each of Update's primary-key ranges
	// with CommitEach and no Size.
	DefaultSize = 2000
	// MaxStatementParams caps the bind parameters of one UpdateRows or
	// UpdateKeys statement below the dialect's own limit, which keeps
	// statements small enough to parse and plan quickly.
	MaxStatementParams = 20000
	// DefaultKeysPerStatement is how many keys UpdateKeys puts in one IN
	// list when Size is not given (fewer when the parameter limit
	// requires: about 2,000 on SQL Server).
	DefaultKeysPerStatement = 5000
	// DefaultRetryBudget is how long a transaction that failed with a
	// retryable error (deadlock, serialization failure, lock timeout, SQLite
	// busy) keeps being run again, measured from its first attempt's start;
	// a ctx deadline that comes earlier ends it earlier. The number of
	// attempts is not limited unless Attempts is given. It applies per
	// transaction and equals updater.DefaultRetryBudget and
	// chunk.DefaultRetryBudget.
	DefaultRetryBudget = txn.DefaultMaxElapsed
)

// UpdateOption configures Update. Only options whose doc names Update
// satisfy it, so an option that means nothing to Update does not compile.
type UpdateOption interface{ applyUpdate(*config) }

// KeysOption configures UpdateKeys.
type KeysOption interface{ applyKeys(*config) }

// RowsOption configures UpdateRows.
type RowsOption interface{ applyRows(*config) }

// UpdateOrKeysOption is an option of both Update and UpdateKeys (Columns).
type UpdateOrKeysOption interface {
	UpdateOption
	KeysOption
}

// KeysOrRowsOption is an option of both UpdateKeys and UpdateRows
// (Workers).
type KeysOrRowsOption interface {
	KeysOption
	RowsOption
}

// Option is an option of Update, UpdateKeys and UpdateRows alike (Size,
// CommitEach, Attempts, RetryBudget, OnProgress, Scopes). The zero configuration (no options) is
// valid for all three.
type Option interface {
	UpdateOption
	KeysOption
	RowsOption
}

// option is an option of every entry point; the narrower types below
// implement only the methods of the entry points they are valid for, so not
// even a type assertion widens them.
type option func(*config)

func (o option) applyUpdate(c *config) { o(c) }
func (o option) applyKeys(c *config)   { o(c) }
func (o option) applyRows(c *config)   { o(c) }

type updateOption func(*config)

func (o updateOption) applyUpdate(c *config) { o(c) }

type rowsOption func(*config)

func (o rowsOption) applyRows(c *config) { o(c) }

type updateOrKeysOption func(*config)

func (o updateOrKeysOption) applyUpdate(c *config) { o(c) }
func (o updateOrKeysOption) applyKeys(c *config)   { o(c) }

type keysOrRowsOption func(*config)

func (o keysOrRowsOption) applyKeys(c *config) { o(c) }
func (o keysOrRowsOption) applyRows(c *config) { o(c) }

type config struct {
	allowAll    bool
	maxRows     int64
	onProgress  func(chunk.Progress)
	chunkRows   int
	commitEach  bool
	version     string
	listMissing bool
	bulkLoad    bool
	columns     []string
	scopes      []func(*gorm.Statement)
	retry       txn.RetryPolicy // attempts and budget
	workers     int             // UpdateRows' Workers; 0 writes on the calling goroutine
}

// newConfig applies opts with apply (the entry point's method); a negative
// size, count or duration returns ErrBadOption naming the option.
func newConfig[O any](opts []O, apply func(O, *config)) (config, error) {
	var c config
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &c)
		}
	}
	if err := txn.NonNegative(ErrBadOption,
		txn.Field{Name: "MaxRows", Value: c.maxRows}, txn.Field{Name: "Size", Value: int64(c.chunkRows)},
		txn.Field{Name: "Attempts", Value: int64(c.retry.MaxAttempts)}, txn.Field{Name: "RetryBudget", Value: int64(c.retry.MaxElapsed)},
		txn.Field{Name: "Workers", Value: int64(c.workers)},
	); err != nil {
		return c, err
	}
	if c.bulkLoad && (c.commitEach || c.workers > 0) {
		return c, fmt.Errorf("%w: BulkLoad writes every row in one transaction and cannot be combined with CommitEach or Workers", ErrBadOption)
	}
	return c, nil
}

func (c config) policy() txn.RetryPolicy { return c.retry }

// updateChunk is the number of rows of each of Update's primary-key ranges:
// Size's, or DefaultSize with CommitEach alone; 0 writes everything in one
// statement.
func (c config) updateChunk() int {
	switch {
	case c.chunkRows > 0:
		return c.chunkRows
	case c.commitEach:
		return DefaultSize
	}
	return 0
}

// AllowAll lets Update write every row the condition matches even when the
// condition does not bound the rows. Without it such a call returns
// ErrNoCondition. Update only.
func AllowAll() UpdateOption {
	return updateOption(func(c *config) { c.allowAll = true })
}

// MaxRows makes Update count the rows its condition matches, inside the same
// transaction and before writing, and refuse with a *TooManyRowsError (the
// transaction rolled back) when there are more than n. With Size or
// CommitEach the count is taken once before the first chunk. 0, the
// default, means no limit; negative n returns ErrBadOption. Update only.
func MaxRows(n int64) UpdateOption {
	return updateOption(func(c *config) { c.maxRows = n })
}

// OnProgress registers fn to be called after each committed chunk (with
// CommitEach), or once after the one transaction commits, on the calling
// goroutine. chunk.Progress.Done counts matched rows and Total is -1. nil
// (the default) reports nothing. chunk.OnProgress is the same option for
// package chunk and takes the same chunk.Progress. Update, UpdateKeys and
// UpdateRows.
func OnProgress(fn func(chunk.Progress)) Option {
	return option(func(c *config) { c.onProgress = fn })
}

// Size fixes how many rows (Update, UpdateRows) or keys (UpdateKeys) one
// statement writes. Update writes everything in one statement by default;
// with Size it writes primary-key ranges of n rows (it then needs a
// single-column primary key). UpdateRows' default is DefaultSize and
// UpdateKeys' DefaultKeysPerStatement, lowered to fit the dialect's
// parameter limit and MaxStatementParams (and for UpdateRows on SQLite,
// 1,000 parameters per statement). 0 means the default; a negative n, or one
// that does not fit the dialect's parameter limit, returns ErrBadOption. All
// statements commit together unless CommitEach. Update, UpdateKeys and
// UpdateRows.
func Size(n int) Option {
	return option(func(c *config) { c.chunkRows = n })
}

// CommitEach commits every chunk in a transaction of its own, for writes
// too large for one transaction: short locks, bounded undo, replicas keep
// up. A failed chunk returns a *StatementError; earlier chunks stay
// committed. Update then writes primary-key ranges of Size rows
// (DefaultSize when Size is not given). By default all chunks commit
// together or not at all. It cannot be used inside a caller's transaction
// (ErrInTransaction). Update, UpdateKeys and UpdateRows.
func CommitEach() Option {
	return option(func(c *config) { c.commitEach = true })
}

// CheckVersion turns on optimistic locking for UpdateRows: field (a Go field
// or column name of an integer column) holds the version each row was read
// at. A row whose stored version differs is not written and is reported in
// Result.Conflicts; the others are written with the version incremented by
// one — in the same set-based statement. The field must not be among the
// written columns (ErrVersionColumn). UpdateRows only.
func CheckVersion(field string) RowsOption {
	return rowsOption(func(c *config) { c.version = field })
}

// ListMissing makes UpdateRows fill Result.MissingKeys with the keys that
// matched no row; by default only their number is reported. UpdateRows only.
func ListMissing() RowsOption {
	return rowsOption(func(c *config) { c.listMissing = true })
}

// BulkLoad makes UpdateRows load every row into a temporary table and write
// them with one UPDATE joined to it, in one transaction: COPY (pgx's
// CopyFrom, binary protocol) on PostgreSQL, multi-row INSERTs on MySQL and
// MariaDB. What is written and reported is what the default statements
// write and report. It needs what the default path does not — a temporary
// table, and on PostgreSQL a pgx connection of its own, so not a caller's
// transaction — and returns an error wrapping ErrBulkLoad, with nothing
// written, when it cannot have them; it never falls back to the default
// statements by itself. SQLite and SQL Server have no bulk-load path: there
// BulkLoad changes nothing, as under DryRun (which builds the default
// statements). It cannot be combined with CommitEach or Workers (ErrBadOption). The
// batch package documentation says when to pick it. UpdateRows only.
func BulkLoad() RowsOption {
	return rowsOption(func(c *config) { c.bulkLoad = true })
}

// Columns names the fields Update writes from a struct value (Go field or
// column names); their zero values are written too. Without it a struct
// value returns ErrNoColumns. db.Select(...) names them as well. Update and
// UpdateKeys.
func Columns(names ...string) UpdateOrKeysOption {
	return updateOrKeysOption(func(c *config) { c.columns = names })
}

// Attempts limits how many times a transaction that failed with a retryable
// error (deadlock, serialization failure, lock timeout, SQLite busy) runs,
// the first run included: 1 disables retrying, and 0, the default, sets no
// limit other than the retry budget (RetryBudget). A negative n returns
// ErrBadOption. Inside a caller's transaction nothing is retried.
// chunk.Attempts is the same option for package chunk. Update, UpdateKeys
// and UpdateRows.
func Attempts(n int) Option {
	return option(func(c *config) { c.retry.MaxAttempts = n })
}

// RetryBudget sets how long new attempts of a failed transaction may start
// after its first one started: a retryable failure is retried only if the
// pause before the next attempt ends within d (and before ctx's deadline).
// 0 means DefaultRetryBudget; a negative d returns ErrBadOption.
// chunk.RetryBudget is the same option for package chunk. Update,
// UpdateKeys and UpdateRows.
func RetryBudget(d time.Duration) Option {
	return option(func(c *config) { c.retry.MaxElapsed = d })
}

// Scopes adds conditions written as gorm.G scopes (func(*gorm.Statement),
// what gorm.G[T](db).Scopes takes) to db's own, before anything is checked or
// written: Update's guard sees them, and every bound the library adds (a
// chunk's key range, UpdateKeys' key list) is ANDed onto db's conditions and
// these as one parenthesised group. A scope may also set the statement's
// table or Unscoped. UpdateRows matches rows by primary key alone, so a scope
// that adds a WHERE condition there returns ErrConditions, as db.Where does.
// Scopes of several Scopes options run in the order given; nil ones are
// skipped. Update, UpdateKeys and UpdateRows.
func Scopes(scopes ...func(*gorm.Statement)) Option {
	return option(func(c *config) { c.scopes = append(c.scopes, scopes...) })
}
