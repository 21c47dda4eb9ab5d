package updater

import (
	"errors"
	"fmt"

	"github.com/gormup/gormup/internal/model"
)

// ErrNilDB is returned by Update, Transaction and UpdateEach, before
// anything runs, when db is nil.
var ErrNilDB = errors.New("updater: nil *gorm.DB")

// ErrBadOption is returned by Update and Transaction, before anything runs,
// when an option is out of range (a negative attempt count, retry budget or
// backoff delay). The error names the option's field.
var ErrBadOption = errors.New("updater: invalid option")

// ErrModelMismatch is returned before any SQL when db.Model, db.Table and
// the type argument name different tables. It is the same value as
// batch.ErrModelMismatch.
var ErrModelMismatch = model.ErrMismatch

// ErrMultipleRows is returned by Update when the conditions on db match more
// than one row. Nothing is written.
var ErrMultipleRows = errors.New("updater: more than one row matches the conditions")

// ErrPrimaryKeyChanged is returned by Update when the change function (or a
// BeforeSave/BeforeUpdate hook) changed a primary-key field. Nothing is
// written: Update changes a row, it never moves one.
var ErrPrimaryKeyChanged = errors.New("updater: the primary key was changed")

// ErrConflict is returned (as a *ConflictError) by Update when a row kept
// changing under an optimistic update: every attempt found a version other
// than the one it had read. Nothing is written.
var ErrConflict = errors.New("updater: the row was changed concurrently")

// ErrLockUnsupported is returned (wrapping the dialect's reason) by Update,
// before any statement runs, when the database cannot honour the requested
// lock: NOWAIT or SKIP LOCKED on SQLite, FOR NO KEY UPDATE outside
// PostgreSQL, SKIP LOCKED before MariaDB 10.6 or MySQL 8.0.
var ErrLockUnsupported = errors.New("updater: lock not supported by this database")

// ErrNoPrimaryKey is returned by Update, before any statement runs, when the
// model has no primary key: the UPDATE could not name its row.
var ErrNoPrimaryKey = errors.New("updater: the model has no primary key")

// ErrNoVersionField is returned by Update, before any statement runs, when
// Optimistic is given but the model has no version field, or when
// VersionField names a field the model does not have or whose type is not
// an integer.
var ErrNoVersionField = model.ErrVersionField

// ErrTable is returned before any SQL when db.Table names something other
// than one table, optionally schema- or database-qualified: an alias, a
// subquery or a table expression with arguments. It is the same value as
// batch.ErrTable.
var ErrTable = model.ErrTable

// ConflictError is the error Update returns when optimistic concurrency
// control gave up: each of Attempts tries read a version that another writer
// replaced before the UPDATE ran. errors.Is(err, ErrConflict) holds.
type ConflictError struct {
	// Table is the table of the row.
	Table string
	// Key holds the row's primary-key values, in schema order.
	Key []any
	// Attempts is how many times the row was read, changed and written.
	Attempts int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("updater: %s row %v changed concurrently on each of %d attempts", e.Table, e.Key, e.Attempts)
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// errStale is returned by one attempt of an UPDATE guarded by a version whose
// WHERE matched no row; it makes the shared retry loop run the attempt again
// and becomes a *ConflictError when attempts run out.
var errStale = errors.New("updater: stale version")
