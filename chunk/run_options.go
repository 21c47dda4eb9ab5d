package chunk

import (
	"time"

	"github.com/gormup/gormup/internal/txn"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

// Defaults of Run.
const (
	// DefaultSize is the number of rows per chunk when Size is not given.
	DefaultSize = 1000
)

// Option configures Run.
type Option func(*runConfig)

type runConfig struct {
	size       int
	checkpoint string
	restart    bool
	hooks      []Callbacks
	progress   func(Progress)
	countTotal bool
	orderBy    []string
	lock       lock.Mode
	retry      txn.RetryPolicy // attempts and budget of each chunk
	workers    int
	// Pacing (throttle.go).
	adaptive  bool
	target    time.Duration
	throttled bool
	checks    []Check
	maxHold   time.Duration
	// Conditions written as gorm.G scopes (Scopes).
	scopes []func(*gorm.Statement)
	// Purge and MaxRows (purge.go).
	maxRows  int64
	allowAll bool
	dryRun   bool
}

func newRunConfig(opts []Option) runConfig {
	c := runConfig{size: DefaultSize, workers: 1}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// Scopes adds conditions written as gorm.G scopes (func(*gorm.Statement),
// what gorm.G[T](db).Scopes takes) to db's own, as batch.Scopes does for
// batch's entry points: they are applied before anything is checked
// (Purge's guard sees them) and every chunk's key range is ANDed onto db's
// conditions and these as one parenthesised group. Scopes of several Scopes
// options run in the order given; nil ones are skipped. Run, Ranges, Purge
// and Plan.
func Scopes(scopes ...func(*gorm.Statement)) Option {
	return func(c *runConfig) { c.scopes = append(c.scopes, scopes...) }
}

// Size sets the number of rows per chunk (DefaultSize, 1000, when not
// given or n <= 0). Only one chunk is held in memory at a time.
func Size(n int) Option {
	return func(c *runConfig) {
		if n > 0 {
			c.size = n
		} else {
			c.size = DefaultSize
		}
	}
}

// Checkpoint names the run's checkpoint, stored in the gormup_checkpoints
// table (created on demand) and advanced in the same transaction as each
// chunk's work. A Run whose checkpoint exists resumes after the last
// committed chunk; one whose checkpoint is marked done returns at once with
// Report.AlreadyDone. An empty name (the default) keeps no checkpoint.
func Checkpoint(name string) Option {
	return func(c *runConfig) { c.checkpoint = name }
}

// Restart resets the checkpoint before the run, so it starts from the first
// row even if an earlier run of the same name finished. Without Checkpoint
// it has no effect.
func Restart() Option {
	return func(c *runConfig) { c.restart = true }
}

// Hooks adds chunk lifecycle callbacks; callbacks of several Hooks options
// are called in the order given. See Callbacks and ProgressLogger.
func Hooks(h ...Callbacks) Option {
	return func(c *runConfig) { c.hooks = append(c.hooks, h...) }
}

// Progress sets a function called after each committed chunk, on Run's
// goroutine (with Workers, on the workers' goroutines, one call at a time).
// nil (the default) reports nothing. The Option of Update, UpdateKeys and
// UpdateRows for the same purpose is OnProgress, which takes the same
// Progress.
func OnProgress(fn func(Progress)) Option {
	return func(c *runConfig) { c.progress = fn }
}

// CountTotal makes Run count the matching rows once at its start (a
// SELECT COUNT(*) with db's conditions, after the checkpoint's key), so that
// progress reports a total and an ETA. Off by default: the count costs a
// scan.
func CountTotal() Option {
	return func(c *runConfig) { c.countTotal = true }
}

// OrderBy sets the columns Run pages by, each a column or field name
// optionally followed by ASC or DESC (ascending by default). The primary key
// columns not listed are appended, ascending, so the ordering is unique. The
// columns must not hold NULL (ErrNullKey). The default is the
// primary key. When no index of the table leads with the given columns
// (index.Covers), Run logs one warning through db's GORM logger at its start:
// each chunk's keyset query would sort the rest of the table.
func OrderBy(cols ...string) Option {
	return func(c *runConfig) { c.orderBy = append(c.orderBy, cols...) }
}

// Lock makes each chunk's load lock its rows until the chunk commits
// (lock.Default, the default, takes none). lock.ForUpdate waits for the
// rows (on SQLite, which has no row locks, it takes the write lock before
// the load); lock.ForUpdateNoWait fails the chunk at once with a
// *ChunkError wrapping lock.ErrLocked, never retried; lock.SkipLocked leaves
// out rows other transactions hold, so several workers can share a queue
// table (a pass pages forward, so it does not come back for a row held when
// it passed: run passes until the condition matches no row; no row is ever
// processed twice). A mode the database cannot take (NOWAIT or SKIP LOCKED
// on SQLite, SKIP LOCKED before MySQL 8.0 or MariaDB 10.6,
// lock.ForNoKeyUpdate outside PostgreSQL) fails the run before the first
// chunk with an error wrapping ErrLockUnsupported.
func Lock(m lock.Mode) Option {
	return func(c *runConfig) { c.lock = m }
}

// ChunkAttempts limits how many times a chunk's transaction runs, the first
// run included, when it fails with a retryable error: 1 disables retrying,
// and 0, the default, sets no limit other than the chunk's retry budget
// (ChunkRetryBudget). A negative n makes Run return ErrBadOption before
// anything runs. The Option of Update, UpdateKeys and UpdateRows for the
// same purpose is Attempts.
func ChunkAttempts(n int) Option {
	return func(c *runConfig) { c.retry.MaxAttempts = n }
}

// ChunkRetryBudget sets how long new attempts of a failed chunk's
// transaction may start after its first one started (and before ctx's
// deadline). 0 means DefaultRetryBudget; a negative d makes Run return
// ErrBadOption before anything runs. The Option of Update, UpdateKeys and
// UpdateRows for the same purpose is RetryBudget.
func ChunkRetryBudget(d time.Duration) Option {
	return func(c *runConfig) { c.retry.MaxElapsed = d }
}

// Workers runs the chunks on n goroutines (1, sequential, by default or when
// n <= 1). The matching rows are split up front into n key ranges of about
// equal size, each processed by one worker in order, with its own
// transactions and, with Checkpoint, its own checkpoint "<name>/<i>-of-<n>"
// next to the run's, which stores the split keys so that a resumed run
// splits alike and every row is still processed exactly once. Rows inserted
// later fall in exactly one range. Hooks and Progress are called from the
// workers, one call at a time; progress sums the workers, and Chunk
// callbacks tell workers apart by Info.Worker (and Name). A Before hook's
// ErrStop, or an error in one worker, stops every other worker before
// its next chunk (chunks in flight finish); Run then returns the workers'
// errors joined, in the order they happened. Report.LastKey is nil.
// On SQLite, which has one writer, each chunk takes the write lock first (as
// Lock(ForUpdate) does) so that workers wait their turn: they gain nothing.
func Workers(n int) Option {
	return func(c *runConfig) { c.workers = max(n, 1) }
}
