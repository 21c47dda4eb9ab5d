package chunk

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/model"
)

// Sentinel errors about the arguments and options of Run, Ranges, Purge and
// Plan; each is returned before anything runs.
var (
	// ErrNilDB is returned by every entry point, before anything runs, when
	// db is nil.
	ErrNilDB = errors.New("chunk: nil *gorm.DB")

	// ErrNoModel is returned by Ranges, Purge and Plan when db carries no
	// model (use db.Model(&T{})); Run takes its chunk type as the model.
	ErrNoModel = errors.New("chunk: no model: call db.Model(&T{}) first")

	// ErrModelMismatch is returned before any SQL when the chunk type names
	// another table than db.Model and is not a DTO of it (its columns a
	// strict subset). It is the same value as batch.ErrModelMismatch.
	ErrModelMismatch = model.ErrMismatch

	// ErrTable is returned before any SQL when db.Table is not a plain
	// table name (an alias, a subquery or an expression with arguments). It
	// is the same value as batch.ErrTable and updater.ErrTable.
	ErrTable = model.ErrTable

	// ErrBadOption is returned before anything runs when an option is out
	// of range (a negative Size, Workers, MaxRows, Attempts, RetryBudget,
	// TargetChunkTime or MaxHold); its message names the option.
	ErrBadOption = errors.New("chunk: invalid option")
)

// Sentinel errors of Run and Ranges, and of their checkpoints. Those
// about the arguments and options are returned before any chunk runs;
// ErrNullKey and ErrCheckpointConflict come wrapped in a *ChunkError.
var (
	// ErrNoKey is returned by Run when the model has no primary key and
	// no OrderBy was given, so there is no unique ordering to page through.
	ErrNoKey = errors.New("chunk: Run needs a primary key or OrderBy columns")

	// ErrOrderColumn is returned by Run when an OrderBy column is not a
	// column of the model, is given twice, or has a direction other than ASC
	// or DESC.
	ErrOrderColumn = errors.New("chunk: invalid OrderBy column")

	// ErrNullKey is returned (inside a *ChunkError) when a loaded row has
	// NULL in an ordering column: keyset pagination cannot continue past it.
	// Order by NOT NULL columns.
	ErrNullKey = errors.New("chunk: NULL in an ordering column")

	// ErrQueryShape is returned by Run when db carries ORDER BY, LIMIT or
	// OFFSET: Run pages with its own ordering and chunk size.
	ErrQueryShape = errors.New("chunk: Run's db must not carry Order, Limit or Offset")

	// ErrBadWork is returned by Run when work is nil or T is not a struct,
	// and by Ranges when work is nil.
	ErrBadWork = errors.New("chunk: a work function and a struct chunk type are needed")

	// ErrLockUnsupported is returned by Run, before any chunk, when the
	// database cannot take the requested Lock: NOWAIT or SKIP LOCKED on
	// SQLite, SKIP LOCKED before MySQL 8.0 or MariaDB 10.6, ForNoKeyUpdate
	// outside PostgreSQL.
	ErrLockUnsupported = errors.New("chunk: lock mode not supported by this database")

	// ErrCheckpointMismatch is returned by Run when a stored checkpoint of
	// the same name was written with different ordering columns: resuming it
	// would skip or repeat rows. Use another name, or Restart.
	ErrCheckpointMismatch = errors.New("chunk: checkpoint was written with other ordering columns")

	// ErrCheckpointConflict is returned (inside a *ChunkError) when the
	// chunk's checkpoint update found the checkpoint moved by another run of
	// the same name, or marked done: the chunk is rolled back so that no row
	// is done twice.
	ErrCheckpointConflict = errors.New("chunk: checkpoint advanced by another run of the same name")
)

// ErrStop, returned by a Callbacks.Before callback, stops a run cleanly
// before that chunk: nothing of the chunk runs, every earlier chunk stays
// committed, the checkpoint (if any) still points after the last committed
// chunk, and Run returns a nil error with Report.Stopped set.
var ErrStop = errors.New("chunk: stop the run")

// ErrNoCondition is returned by Purge, before anything runs, when db's
// conditions do not bound the rows (hooks.UnboundedReason lists what counts
// as unbounded). AllowAll lets Purge delete every row.
var ErrNoCondition = errors.New("chunk: refusing to purge every row")

// ErrTooManyRows is wrapped by a *TooManyRowsError when more rows match
// than MaxRows allows; nothing ran.
var ErrTooManyRows = errors.New("chunk: too many rows match")

// TooManyRowsError is returned, before any chunk, when db's conditions
// match more rows than MaxRows allows.
type TooManyRowsError struct {
	// Matched is the number of matching rows counted.
	Matched int64
	// Max is the MaxRows limit.
	Max int64
}

func (e *TooManyRowsError) Error() string {
	return fmt.Sprintf("chunk: %d rows match, MaxRows allows %d", e.Matched, e.Max)
}

// Unwrap returns ErrTooManyRows.
func (e *TooManyRowsError) Unwrap() error { return ErrTooManyRows }

// errKeyNotLoaded tells Run that the chunk type has no field for an ordering
// column, so chunk bounds are read separately.
var errKeyNotLoaded = errors.New("chunk: chunk type does not load an ordering column")

// ChunkError is returned by Run when a chunk fails for good: its work or its
// load returned a non-retryable error, retries ran out, a Before hook
// refused it, or ctx was done. The chunk was rolled back; every earlier chunk
// stays committed, and with a checkpoint a new Run of the same name resumes
// after ResumeAfter.
type ChunkError struct {
	// Checkpoint is the run's checkpoint name, or "".
	Checkpoint string
	// Index is the 0-based chunk number across every run of the checkpoint.
	Index int64
	// FirstKey and LastKey are the keys of the failed chunk's first and last
	// rows as last loaded; nil when the chunk was not loaded.
	FirstKey, LastKey []any
	// ResumeAfter is the last key committed (nil: nothing was committed yet,
	// the run restarts from the beginning).
	ResumeAfter []any
	// RowsDone is the number of rows committed before the failure, including
	// earlier runs of the checkpoint.
	RowsDone int64
	// Attempts is the number of times the chunk's transaction ran (0 when it
	// never began).
	Attempts int
	// Err is the cause; errors.Is(err, context.Canceled) works through it.
	// When ctx was cancelled while the chunk's COMMIT was in flight, the
	// commit may still have landed: the checkpoint, written in the same
	// transaction, is then ahead of ResumeAfter and is what a rerun follows.
	Err error
}

func (e *ChunkError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chunk: chunk %d", e.Index)
	if e.FirstKey != nil {
		fmt.Fprintf(&b, " (keys %v..%v)", e.FirstKey, e.LastKey)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " failed after %d attempts", e.Attempts)
	} else {
		b.WriteString(" failed")
	}
	fmt.Fprintf(&b, "; %d rows committed", e.RowsDone)
	switch {
	case e.Checkpoint == "":
		b.WriteString(", no checkpoint")
	case e.ResumeAfter == nil:
		fmt.Fprintf(&b, "; checkpoint %q resumes from the start", e.Checkpoint)
	default:
		fmt.Fprintf(&b, "; checkpoint %q resumes after key %v", e.Checkpoint, e.ResumeAfter)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ChunkError) Unwrap() error { return e.Err }
