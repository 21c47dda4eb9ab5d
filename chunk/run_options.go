package chunk

import (
	"time"

	"github.com/gormup/gormup/internal/txn"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

// Defaults of the options of Run, Ranges, Purge and Plan.
const (
	// DefaultSize is the number of rows per chunk of Run, Purge and Plan
	// when Size is not given.
	DefaultSize = 1000
	// DefaultRangesSize is the number of rows per chunk of Ranges when Size
	// is not given: its work is one set-based statement per chunk, which
	// writes thousands of rows in milliseconds, so a larger chunk keeps each
	// chunk's fixed cost (a BEGIN, the bounds query and a COMMIT that flushes
	// the log) small next to it.
	DefaultRangesSize = 10000
	// DefaultRetryBudget is how long a chunk's transaction that failed with a
	// retryable error keeps being run again when RetryBudget is not given;
	// it equals batch.DefaultRetryBudget and updater.DefaultRetryBudget.
	DefaultRetryBudget = txn.DefaultMaxElapsed
)

// RunOption configures Run (and updater.UpdateEach, which runs on Run). Only
// options whose doc names Run satisfy it, so an option that means nothing to
// Run does not compile.
type RunOption interface{ applyRun(*runConfig) }

// RangesOption configures Ranges.
type RangesOption interface{ applyRanges(*runConfig) }

// PurgeOption configures Purge.
type PurgeOption interface{ applyPurge(*runConfig) }

// PlanOption configures Plan.
type PlanOption interface{ applyPlan(*runConfig) }

// ExecOption is an option of the entry points that commit chunks: Run,
// Ranges and Purge (Checkpoint, Workers, Hooks, pacing, retries...). Plan
// commits nothing, so none of them compiles there.
type ExecOption interface {
	RunOption
	RangesOption
	PurgeOption
}

// Option is an option of Run, Ranges, Purge and Plan alike (Size, OrderBy,
// Scopes). The zero configuration (no options) is valid for all four.
type Option interface {
	ExecOption
	PlanOption
}

// option is an option of every entry point; the narrower types below
// implement only the methods of the entry points they are valid for, so not
// even a type assertion widens them.
type option func(*runConfig)

func (o option) applyRun(c *runConfig)    { o(c) }
func (o option) applyRanges(c *runConfig) { o(c) }
func (o option) applyPurge(c *runConfig)  { o(c) }
func (o option) applyPlan(c *runConfig)   { o(c) }

type execOption func(*runConfig)

func (o execOption) applyRun(c *runConfig)    { o(c) }
func (o execOption) applyRanges(c *runConfig) { o(c) }
func (o execOption) applyPurge(c *runConfig)  { o(c) }

type runOption func(*runConfig)

func (o runOption) applyRun(c *runConfig) { o(c) }

type purgeOption func(*runConfig)

func (o purgeOption) applyPurge(c *runConfig) { o(c) }

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

// newRunConfig applies opts with apply (the entry point's method) and then
// the defaults, size being the entry point's default Size; a negative size,
// count or duration returns ErrBadOption naming the option.
func newRunConfig[O any](opts []O, apply func(O, *runConfig), size int) (runConfig, error) {
	var c runConfig
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &c)
		}
	}
	if err := txn.NonNegative(ErrBadOption,
		txn.Field{Name: "Size", Value: int64(c.size)}, txn.Field{Name: "Workers", Value: int64(c.workers)},
		txn.Field{Name: "MaxRows", Value: c.maxRows},
		txn.Field{Name: "Attempts", Value: int64(c.retry.MaxAttempts)}, txn.Field{Name: "RetryBudget", Value: int64(c.retry.MaxElapsed)},
		txn.Field{Name: "TargetChunkTime", Value: int64(c.target)}, txn.Field{Name: "MaxHold", Value: int64(c.maxHold)},
	); err != nil {
		return c, err
	}
	if c.size == 0 {
		c.size = size
	}
	c.workers = max(c.workers, 1)
	return c, nil
}

// Scopes adds conditions written as gorm.G scopes (func(*gorm.Statement),
// what gorm.G[T](db).Scopes takes) to db's own, as batch.Scopes does for
// batch's entry points: they are applied before anything is checked
// (Purge's guard sees them) and every chunk's key range is ANDed onto db's
// conditions and these as one parenthesised group. Scopes of several Scopes
// options run in the order given; nil ones are skipped. Run, Ranges, Purge
// and Plan.
func Scopes(scopes ...func(*gorm.Statement)) Option {
	return option(func(c *runConfig) { c.scopes = append(c.scopes, scopes...) })
}

// Size sets the number of rows per chunk: when not given or 0,
// DefaultRangesSize (10,000) for Ranges and DefaultSize (1,000) for Run,
// Purge and Plan; a negative n returns ErrBadOption. With TargetChunkTime it is the
// first chunk's size. Only one chunk is held in memory at a time. Run,
// Ranges, Purge and Plan.
func Size(n int) Option {
	return option(func(c *runConfig) { c.size = n })
}

// OrderBy sets the columns the run pages by, each a column or field name
// optionally followed by ASC or DESC (ascending by default). The primary key
// columns not listed are appended, ascending, so the ordering is unique. The
// columns must not hold NULL (ErrNullKey). The default is the primary key.
// When no index of the table leads with the given columns, the run logs one
// warning through db's GORM logger at its start: each chunk's keyset query
// would sort the rest of the table (Plan also reports it as
// Preview.Indexed).
// Run, Ranges, Purge and Plan.
func OrderBy(cols ...string) Option {
	return option(func(c *runConfig) { c.orderBy = append(c.orderBy, cols...) })
}

// Checkpoint names the run's checkpoint, stored in the gormup_checkpoints
// table (created on demand) and advanced in the same transaction as each
// chunk's work. A run whose checkpoint exists resumes after the last
// committed chunk; one whose checkpoint is marked done returns at once with
// Report.AlreadyDone. An empty name (the default) keeps no checkpoint. Run,
// Ranges and Purge.
func Checkpoint(name string) ExecOption {
	return execOption(func(c *runConfig) { c.checkpoint = name })
}

// Restart resets the checkpoint before the run, so it starts from the first
// row even if an earlier run of the same name finished. Without Checkpoint
// it has no effect. Run, Ranges and Purge.
func Restart() ExecOption {
	return execOption(func(c *runConfig) { c.restart = true })
}

// Hooks adds chunk lifecycle callbacks; callbacks of several Hooks options
// are called in the order given. See Callbacks and ProgressLogger. Run,
// Ranges and Purge.
func Hooks(h ...Callbacks) ExecOption {
	return execOption(func(c *runConfig) { c.hooks = append(c.hooks, h...) })
}

// OnProgress sets a function called after each committed chunk, on the
// run's goroutine (with Workers, on the workers' goroutines, one call at a
// time). nil (the default) reports nothing. batch.OnProgress is the same
// option for batch's entry points and takes the same Progress. Run, Ranges
// and Purge.
func OnProgress(fn func(Progress)) ExecOption {
	return execOption(func(c *runConfig) { c.progress = fn })
}

// CountTotal makes the run count the matching rows once at its start (a
// SELECT COUNT(*) with db's conditions, after the checkpoint's key), so that
// progress reports a total and an ETA. Off by default: the count costs a
// scan. Run, Ranges and Purge.
func CountTotal() ExecOption {
	return execOption(func(c *runConfig) { c.countTotal = true })
}

// Lock makes each chunk's load lock its rows until the chunk commits
// (lock.Default, the default, takes none); see [Row locks] for each mode
// and the dialects that take it. A mode the database cannot take fails the
// run before the first chunk with an error wrapping ErrLockUnsupported. Run
// only: Ranges' and Purge's own statements lock the rows they write.
//
// [Row locks]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Row_locks
func Lock(m lock.Mode) RunOption {
	return runOption(func(c *runConfig) { c.lock = m })
}

// Attempts limits how many times a chunk's transaction runs, the first run
// included, when it fails with a retryable error: 1 disables retrying, and
// 0, the default, sets no limit other than the retry budget (RetryBudget).
// A negative n returns ErrBadOption before anything runs. It is
// batch.Attempts and updater.Attempts for one chunk. Run, Ranges and Purge.
func Attempts(n int) ExecOption {
	return execOption(func(c *runConfig) { c.retry.MaxAttempts = n })
}

// RetryBudget sets how long new attempts of a failed chunk's transaction
// may start after its first one started (and before ctx's deadline). 0
// means DefaultRetryBudget; a negative d returns ErrBadOption before
// anything runs. It is batch.RetryBudget and updater.RetryBudget for one
// chunk. Run, Ranges and Purge.
func RetryBudget(d time.Duration) ExecOption {
	return execOption(func(c *runConfig) { c.retry.MaxElapsed = d })
}

// Workers runs the chunks on n goroutines, each over its own key range and
// with its own checkpoint (see [Parallel runs]). 0, the default, and 1 run
// sequentially; a negative n returns ErrBadOption. Report.LastKey is nil.
// Run, Ranges and Purge.
//
// [Parallel runs]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Parallel_runs
func Workers(n int) ExecOption {
	return execOption(func(c *runConfig) { c.workers = n })
}
