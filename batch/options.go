package batch

import (
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/txn"
)

// Defaults of the options of Update, UpdateKeys and UpdateRows.
const (
	// DefaultChunkRows is how many rows UpdateRows writes per statement when
	// ChunkRows is not given, unless the dialect's parameter limit or
	// MaxStatementParams allows fewer.
	DefaultChunkRows = 2000
	// MaxStatementParams caps the bind parameters of one UpdateRows or
	// UpdateKeys statement below the dialect's own limit, which keeps
	// statements small enough to parse and plan quickly.
	MaxStatementParams = 20000
	// DefaultKeysPerStatement is how many keys UpdateKeys puts in one IN
	// list when ChunkRows is not given (fewer when the parameter limit
	// requires: about 2,000 on SQL Server).
	DefaultKeysPerStatement = 5000
	// DefaultRetryBudget is how long a transaction that failed with a
	// retryable error (deadlock, serialization failure, lock timeout, SQLite
	// busy) keeps being run again, measured from its first attempt's start;
	// a ctx deadline that comes earlier ends it earlier. The number of
	// attempts is not limited unless Attempts (chunk.ChunkAttempts for chunk.Run) is
	// given. Update, UpdateKeys, UpdateRows and Run share it, per
	// transaction, and it equals updater.DefaultRetryBudget.
	DefaultRetryBudget = txn.DefaultMaxElapsed
)

// Option configures Update, UpdateKeys or UpdateRows. The zero configuration
// (no options) is valid for all three. Each option's doc says which of them
// accept it; giving it to another returns ErrBadOption.
type Option func(*config)

type entry uint8

const (
	forUpdate entry = 1 << iota
	forKeys
	forRows
)

func (e entry) String() string {
	switch e {
	case forUpdate:
		return "Update"
	case forKeys:
		return "UpdateKeys"
	}
	return "UpdateRows"
}

type config struct {
	allowAll    bool
	maxRows     int64
	chunked     int
	onProgress  func(chunk.Progress)
	chunkRows   int
	commitEach  bool
	version     string
	listMissing bool
	columns     []string
	retry       txn.RetryPolicy // attempts and budget

	used []used // which entry points accept each given option
}

type used struct {
	name    string
	entries entry
}

func (c *config) mark(name string, e entry) { c.used = append(c.used, used{name, e}) }

func newConfig(e entry, opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	for _, u := range c.used {
		if u.entries&e == 0 {
			return c, fmt.Errorf("%w: %s does not apply to %s", ErrBadOption, u.name, e)
		}
	}
	if c.maxRows < 0 || c.chunked < 0 || c.chunkRows < 0 {
		return c, fmt.Errorf("%w: negative size or count", ErrBadOption)
	}
	if err := c.retry.Validate(); err != nil {
		return c, fmt.Errorf("%w: %w", ErrBadOption, err)
	}
	return c, nil
}

func (c config) policy() txn.RetryPolicy { return c.retry }

// AllowAll lets Update write every row the condition matches even when the
// condition does not bound the rows (no WHERE, 1=1, only the soft-delete
// filter). Without it such a call returns ErrNoCondition. Update only.
func AllowAll() Option {
	return func(c *config) { c.allowAll = true; c.mark("AllowAll", forUpdate) }
}

// MaxRows makes Update count the rows its condition matches, inside the same
// transaction and before writing, and refuse with a *TooManyRowsError (the
// transaction rolled back) when there are more than n. With Chunked the count
// is taken once before the first chunk. 0, the default, means no limit;
// negative n returns ErrBadOption. Update only.
func MaxRows(n int64) Option {
	return func(c *config) { c.maxRows = n; c.mark("MaxRows", forUpdate) }
}

// Chunked makes Update write its rows in primary-key ranges of at most size
// rows, each range in a transaction of its own that commits before the next
// begins: short locks, bounded undo, replicas keep up. A failed chunk returns
// a *StatementError; earlier chunks stay committed. It needs a single-column
// primary key and cannot run inside a caller's transaction
// (ErrInTransaction). 0, the default, writes everything in one statement.
// Update only.
func Chunked(size int) Option {
	return func(c *config) { c.chunked = size; c.mark("Chunked", forUpdate) }
}

// OnProgress registers fn to be called after each committed chunk of a
// Chunked Update, a CommitEach UpdateRows or UpdateKeys, and once at the end
// of an atomic one, on the calling goroutine. chunk.Progress.Done counts
// matched rows and Total is -1. nil (the default) reports nothing. Run's
// equivalent is chunk.OnProgress, which takes the same chunk.Progress.
func OnProgress(fn func(chunk.Progress)) Option {
	return func(c *config) { c.onProgress = fn; c.mark("OnProgress", forUpdate|forKeys|forRows) }
}

// ChunkRows fixes how many rows (UpdateRows) or keys (UpdateKeys) go into one
// statement. The default is DefaultChunkRows or DefaultKeysPerStatement,
// lowered to fit the dialect's parameter limit and MaxStatementParams; a
// size that does not fit the dialect's parameter limit returns ErrBadOption.
// UpdateRows and UpdateKeys.
func ChunkRows(n int) Option {
	return func(c *config) { c.chunkRows = n; c.mark("ChunkRows", forKeys|forRows) }
}

// CommitEach commits every chunk of UpdateRows or UpdateKeys in a transaction
// of its own, for inputs too large for one transaction. By default all chunks
// commit together or not at all. It cannot be used inside a caller's
// transaction (ErrInTransaction). UpdateRows and UpdateKeys.
func CommitEach() Option {
	return func(c *config) { c.commitEach = true; c.mark("CommitEach", forKeys|forRows) }
}

// CheckVersion turns on optimistic locking for UpdateRows: field (a Go field
// or column name of an integer column) holds the version each row was read
// at. A row whose stored version differs is not written and is reported in
// Result.Conflicts; the others are written with the version incremented by
// one — in the same set-based statement. The field must not be among the
// written columns. UpdateRows only.
func CheckVersion(field string) Option {
	return func(c *config) { c.version = field; c.mark("CheckVersion", forRows) }
}

// ListMissing makes UpdateRows fill Result.MissingKeys with the keys that
// matched no row; by default only their number is reported. UpdateRows only.
func ListMissing() Option {
	return func(c *config) { c.listMissing = true; c.mark("ListMissing", forRows) }
}

// Columns names the fields Update writes from a struct value (Go field or
// column names); their zero values are written too. Without it a struct
// value returns ErrNoColumns. db.Select(...) names them as well. Update and
// UpdateKeys.
func Columns(names ...string) Option {
	return func(c *config) { c.columns = names; c.mark("Columns", forUpdate|forKeys) }
}

// Attempts limits how many times a transaction that failed with a retryable
// error (deadlock, serialization failure, lock timeout, SQLite busy) runs,
// the first run included: 1 disables retrying, and 0, the default, sets no
// limit other than the retry budget (RetryBudget). A negative n returns
// ErrBadOption. Inside a caller's transaction nothing is retried. chunk.Run's
// equivalent is chunk.ChunkAttempts. Update, UpdateKeys and UpdateRows.
func Attempts(n int) Option {
	return func(c *config) { c.retry.MaxAttempts = n; c.mark("Attempts", forUpdate|forKeys|forRows) }
}

// RetryBudget sets how long new attempts of a failed transaction may start
// after its first one started: a retryable failure is retried only if the
// pause before the next attempt ends within d (and before ctx's deadline).
// 0 means DefaultRetryBudget; a negative d returns ErrBadOption. Run's
// equivalent is ChunkRetryBudget. Update, UpdateKeys and UpdateRows.
func RetryBudget(d time.Duration) Option {
	return func(c *config) { c.retry.MaxElapsed = d; c.mark("RetryBudget", forUpdate|forKeys|forRows) }
}
