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
	// ErrNilDB is returned by Update, UpdateKeys and UpdateRows,
	// before anything runs, when db is nil.
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
	// GORM can parse, or (UpdateRows, unless db is Unscoped) has a
	// soft-delete field of a type other than gorm.DeletedAt.
	ErrBadModel = errors.New("batch: model must be a pointer to a struct with a table")

	// ErrNoPrimaryKey is returned when the model has no primary key, or has
	// a composite one where a single key column is needed (UpdateKeys;
	// Update with Size or CommitEach).
	ErrNoPrimaryKey = errors.New("batch: the model needs a single-column primary key")

	// ErrNoCondition is returned by Update, before writing, when db's WHERE
	// clause does not bound the rows (hooks.UnboundedReason lists what
	// counts as unbounded). AllowAll disables the check.
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
	// appears twice in the input of UpdateRows or UpdateKeys, by Go's
	// equality or, for text keys, the database's (a case-insensitive
	// collation, character(n)'s trailing blanks).
	ErrDuplicateKey = errors.New("batch: duplicate key in input")

	// ErrTooManyRows is wrapped by a *TooManyRowsError when more rows match
	// than MaxRows allows; the transaction was rolled back.
	ErrTooManyRows = errors.New("batch: too many rows match")

	// ErrBadOption is returned when an option is out of range (a negative
	// value, a Size above the dialect's parameter limit) or cannot be
	// combined with another (BulkLoad with CommitEach or Workers); its
	// message names the option.
	ErrBadOption = errors.New("batch: invalid option")

	// ErrConditions is returned by UpdateRows when db carries WHERE
	// conditions: rows are matched by primary key alone, and silently
	// ignoring a condition (a tenant filter, say) would write rows the caller
	// meant to exclude.
	ErrConditions = errors.New("batch: UpdateRows matches rows by primary key only; db must carry no Where conditions")

	// ErrBulkLoad is wrapped by the error UpdateRows returns under BulkLoad
	// when the bulk-load path cannot run, with nothing written: on
	// PostgreSQL inside a caller's transaction (COPY needs the connection,
	// which database/sql does not hand out for a transaction) or through a
	// database/sql driver other than pgx's; on PostgreSQL, MySQL and MariaDB
	// when the server refuses the temporary table (no TEMPORARY or CREATE
	// TEMPORARY TABLES privilege, a read-only transaction). The error also
	// wraps the cause. Calling UpdateRows again without BulkLoad writes the
	// same rows with the default statements.
	ErrBulkLoad = errors.New("batch: the bulk-load path cannot run")

	// ErrInTransaction is returned by Update, UpdateKeys and UpdateRows with
	// CommitEach when db is already inside a transaction: chunks could not
	// commit on their own.
	ErrInTransaction = errors.New("batch: chunks cannot commit inside the caller's transaction")
)

// ColumnError names a column refused before any SQL ran. It wraps
// ErrUnknownColumn, ErrPrimaryKeyColumn, ErrDuplicateColumn, ErrVersionColumn
// or ErrBadValue.
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
// default atomic mode every chunk was rolled back; with CommitEach the
// chunks before Chunk stay committed and Done counts their rows.
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
