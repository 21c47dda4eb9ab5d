package batch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/model"
)

// Sentinel errors of Update, UpdateKeys and UpdateRows. Every one is returned
// before any statement runs and nothing is written, except ErrTooManyRows
// (returned after counting, with the transaction rolled back).
var (
	// ErrNilDB is returned by Update, UpdateKeys, UpdateRows, Run and
	// RunRanges, before anything runs, when db is nil.
	ErrNilDB = errors.New("batch: nil *gorm.DB")

	// ErrModelMismatch is returned before any SQL when db.Model, db.Table and
	// the rows' type name different tables. It is the same value as
	// updater.ErrModelMismatch.
	ErrModelMismatch = model.ErrMismatch

	// ErrTable is returned before any SQL when db.Table names something
	// other than one table, optionally schema- or database-qualified: an
	// alias, a subquery or a table expression with arguments. It is the same
	// value as updater.ErrTable.
	ErrTable = model.ErrTable

	// ErrVersionColumn is wrapped by a *ColumnError when Update, UpdateKeys
	// or UpdateRows is asked to write the model's version field (or
	// UpdateRows' CheckVersion field): every write increments it by one
	// itself.
	ErrVersionColumn = errors.New("batch: the version column is incremented by every write and cannot be assigned")

	// ErrNoModel is returned by Update and UpdateKeys when db carries no
	// model (use db.Model(&T{})).
	ErrNoModel = errors.New("batch: no model: call db.Model(&T{}) first")

	// ErrBadModel is returned when the model (db.Model for Update and
	// UpdateKeys, the row type for UpdateRows) is not a pointer to a struct
	// GORM can parse, is a non-pointer struct, or differs from the row type.
	ErrBadModel = errors.New("batch: model must be a pointer to a struct with a table")

	// ErrNoPrimaryKey is returned when the model has no primary key, or has
	// a composite one where a single key column is needed (UpdateKeys,
	// Chunked).
	ErrNoPrimaryKey = errors.New("batch: the model needs a single-column primary key")

	// ErrNoCondition is returned by Update when db's WHERE clause does not
	// bound the rows: no condition, a vacuous one (1=1, TRUE, 'a'='a'), only
	// "id IS NOT NULL" (what GORM renders for Not("id", []int{})), a struct
	// condition whose fields GORM dropped as zero values, or only the
	// soft-delete filter. AllowAll disables the check.
	ErrNoCondition = errors.New("batch: refusing to update every row")

	// ErrNoColumns is returned when there is nothing to write: an empty or
	// nil map, an empty column list, or a struct value without Columns.
	ErrNoColumns = errors.New("batch: no columns to write")

	// ErrUnknownColumn is wrapped by a *ColumnError when a column is not a
	// writable field of the model (unknown, read-only, an association, or
	// not a plain identifier).
	ErrUnknownColumn = errors.New("batch: unknown column")

	// ErrPrimaryKeyColumn is wrapped by a *ColumnError when a write would
	// assign a primary-key column.
	ErrPrimaryKeyColumn = errors.New("batch: primary key columns cannot be assigned")

	// ErrDuplicateColumn is wrapped by a *ColumnError when a column is named
	// twice.
	ErrDuplicateColumn = errors.New("batch: column named twice")

	// ErrBadValues is returned by Update when values is neither a
	// map[string]any nor a struct (or pointer to one) of the model's type.
	ErrBadValues = errors.New("batch: values must be a map[string]any or a struct of the model's type")

	// ErrBadValue is wrapped by a *ColumnError when UpdateRows cannot send a
	// row's value the way the database driver would (a NaN or infinite
	// float, text that is not valid UTF-8 for a text column, a value of a
	// type the column's Go field does not hold). Nothing was written.
	ErrBadValue = errors.New("batch: value cannot be written exactly")

	// ErrEmpty is returned by UpdateKeys and UpdateRows for an empty or nil
	// key or row slice.
	ErrEmpty = errors.New("batch: no keys or rows given")

	// ErrNilRow is returned by UpdateRows when a row is a nil pointer.
	ErrNilRow = errors.New("batch: nil row")

	// ErrDuplicateKey is wrapped by a *KeyError when the same primary key
	// appears twice in the input.
	ErrDuplicateKey = errors.New("batch: duplicate key in input")

	// ErrTooManyRows is wrapped by a *TooManyRowsError when more rows match
	// than MaxRows allows; the transaction was rolled back.
	ErrTooManyRows = errors.New("batch: too many rows match")

	// ErrBadOption is returned when an option is out of range (a chunk size
	// above the dialect's parameter limit, a negative MaxRows) or does not
	// apply to the function it was given to.
	ErrBadOption = errors.New("batch: invalid option")

	// ErrConditions is returned by UpdateRows when db carries WHERE
	// conditions: rows are matched by primary key alone, and silently
	// ignoring a condition (a tenant filter, say) would write rows the caller
	// meant to exclude.
	ErrConditions = errors.New("batch: UpdateRows matches rows by primary key only; db must carry no Where conditions")

	// ErrInTransaction is returned by Update with Chunked and by
	// UpdateKeys/UpdateRows with CommitEach when db is already inside a
	// transaction: chunks could not commit on their own.
	ErrInTransaction = errors.New("batch: chunks cannot commit inside the caller's transaction")
)

// Sentinel errors of Run and RunRanges, and of their checkpoints. Those
// about the arguments and options are returned before any chunk runs;
// ErrRunNullKey and ErrCheckpointConflict come wrapped in a *ChunkError.
var (
	// ErrRunNoKey is returned by Run when the model has no primary key and
	// no OrderBy was given, so there is no unique ordering to page through.
	ErrRunNoKey = errors.New("batch: Run needs a primary key or OrderBy columns")

	// ErrRunOrderColumn is returned by Run when an OrderBy column is not a
	// column of the model, is given twice, or has a direction other than ASC
	// or DESC.
	ErrRunOrderColumn = errors.New("batch: invalid OrderBy column")

	// ErrRunNullKey is returned (inside a *ChunkError) when a loaded row has
	// NULL in an ordering column: keyset pagination cannot continue past it.
	// Order by NOT NULL columns.
	ErrRunNullKey = errors.New("batch: NULL in an ordering column")

	// ErrRunQueryShape is returned by Run when db carries ORDER BY, LIMIT or
	// OFFSET: Run pages with its own ordering and chunk size.
	ErrRunQueryShape = errors.New("batch: Run's db must not carry Order, Limit or Offset")

	// ErrRunBadWork is returned by Run when work is nil or T is not a
	// struct, and by RunRanges when work is nil or db carries no model.
	ErrRunBadWork = errors.New("batch: Run needs a work function and a struct chunk type")

	// ErrRunLockUnsupported is returned by Run, before any chunk, when the
	// database cannot take the requested Lock: NOWAIT or SKIP LOCKED on
	// SQLite, SKIP LOCKED before MySQL 8.0 or MariaDB 10.6. RunRanges
	// returns it for any Lock.
	ErrRunLockUnsupported = errors.New("batch: lock mode not supported by this database")

	// ErrCheckpointMismatch is returned by Run when a stored checkpoint of
	// the same name was written with different ordering columns: resuming it
	// would skip or repeat rows. Use another name, or Restart.
	ErrCheckpointMismatch = errors.New("batch: checkpoint was written with other ordering columns")

	// ErrCheckpointConflict is returned (inside a *ChunkError) when the
	// chunk's checkpoint update found the checkpoint moved by another run of
	// the same name, or marked done: the chunk is rolled back so that no row
	// is done twice.
	ErrCheckpointConflict = errors.New("batch: checkpoint advanced by another run of the same name")
)

// errKeyNotLoaded tells Run that the chunk type has no field for an ordering
// column, so chunk bounds are read separately.
var errKeyNotLoaded = errors.New("batch: chunk type does not load an ordering column")

// ColumnError names a column refused before any SQL ran. It wraps
// ErrUnknownColumn, ErrPrimaryKeyColumn, ErrDuplicateColumn or ErrVersionColumn.
type ColumnError struct {
	// Column is the name as the caller gave it.
	Column string
	// Model is the Go type name of the model.
	Model string
	// Err is the sentinel saying why.
	Err error
}

func (e *ColumnError) Error() string {
	return fmt.Sprintf("%v: %q on model %s", e.Err, e.Column, e.Model)
}

// Unwrap returns the sentinel.
func (e *ColumnError) Unwrap() error { return e.Err }

// KeyError names an input row refused before any SQL ran. It wraps
// ErrDuplicateKey or ErrNilRow.
type KeyError struct {
	// Index is the position of the offending row or key in the input.
	Index int
	// First is the position of the earlier row with the same key, for
	// ErrDuplicateKey; -1 otherwise.
	First int
	// Key holds the primary-key values, in schema order (nil for a nil row).
	Key []any
	// Err is the sentinel saying why.
	Err error
}

func (e *KeyError) Error() string {
	if e.First >= 0 {
		return fmt.Sprintf("%v: key %v at index %d and %d", e.Err, e.Key, e.First, e.Index)
	}
	return fmt.Sprintf("%v at index %d", e.Err, e.Index)
}

// Unwrap returns the sentinel.
func (e *KeyError) Unwrap() error { return e.Err }

// TooManyRowsError is returned by Update when MaxRows is exceeded. It wraps
// ErrTooManyRows.
type TooManyRowsError struct {
	// Matched is the number of rows the condition matched.
	Matched int64
	// Max is the limit that was set.
	Max int64
}

func (e *TooManyRowsError) Error() string {
	return fmt.Sprintf("%v: %d rows match, at most %d allowed; nothing was written", ErrTooManyRows, e.Matched, e.Max)
}

// Unwrap returns ErrTooManyRows.
func (e *TooManyRowsError) Unwrap() error { return ErrTooManyRows }

// StatementError is returned when one chunk's statement fails. With the
// default atomic mode every chunk was rolled back; with CommitEach (and with
// Update's Chunked) the chunks before Chunk stay committed and Done counts
// their rows.
type StatementError struct {
	// Chunk is the 0-based index of the failed chunk.
	Chunk int
	// Done is the number of rows matched by chunks that stayed committed.
	Done int64
	// Attempts is the number of times the chunk's transaction ran.
	Attempts int
	// Err is the cause.
	Err error
}

func (e *StatementError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "batch: chunk %d failed", e.Chunk)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	fmt.Fprintf(&b, " (%d rows committed before it): %v", e.Done, e.Err)
	return b.String()
}

// Unwrap returns the cause.
func (e *StatementError) Unwrap() error { return e.Err }

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
	fmt.Fprintf(&b, "batch: chunk %d", e.Index)
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
