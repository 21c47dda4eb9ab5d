package index

import (
	"errors"
	"fmt"
)

// ErrNilDB is returned by Ensure, Diff, Covers and Advise, before anything
// runs, when db is nil.
var ErrNilDB = errors.New("index: nil *gorm.DB")

// ErrUnsupported is returned (wrapped in an *UnsupportedError) by Ensure and
// Diff when a declared index uses a feature the database cannot honour and
// GORM would silently drop or turn into invalid SQL: a partial index (where)
// on MySQL or MariaDB, an expression key on MySQL, MariaDB or SQL Server, a
// FULLTEXT or SPATIAL class outside MySQL, an index type other than btree on
// SQLite or SQL Server, a prefix length on a unique index outside MySQL, or a
// per-key collation on MySQL or SQL Server. Nothing is created when it is
// returned.
var ErrUnsupported = errors.New("index: not supported by this database")

// ErrInvalidDef is returned (wrapped in a *DefError) by Ensure, Diff and
// Advise when a declaration cannot be used: no keys, an unknown column, a key
// with both a column and an expression, a value holding characters GORM's tag
// syntax cannot carry (';' or '\'), a comment holding a quote, two
// declarations of one name on a table that disagree, or (on PostgreSQL) a
// where or expression the server rejects. Nothing is created when it is
// returned.
var ErrInvalidDef = errors.New("index: invalid index declaration")

// ErrNoTable is returned by Ensure, Diff, Covers and Advise when a model's
// table does not exist. The index package never creates or alters tables: run
// your migrations first.
var ErrNoTable = errors.New("index: table does not exist")

// ErrConcurrentlyInTransaction is returned by Ensure when an index is to be
// built with PostgreSQL's CONCURRENTLY (the Concurrently option or a tag
// option:CONCURRENTLY) while db is bound to a transaction, where PostgreSQL
// refuses it. Pass a *gorm.DB outside any transaction. Nothing is created.
var ErrConcurrentlyInTransaction = errors.New("index: CREATE INDEX CONCURRENTLY cannot run inside a transaction")

// ErrDDLInTransaction is returned by Ensure on MySQL and MariaDB when an
// index is to be created or repaired while db is bound to a transaction:
// those servers commit the open transaction implicitly before any DDL, which
// would silently end the caller's transaction. Nothing is created.
var ErrDDLInTransaction = errors.New("index: DDL would implicitly commit the open MySQL/MariaDB transaction")

// UnsupportedError reports which declared index asks for which feature the
// database lacks. It unwraps to ErrUnsupported.
type UnsupportedError struct {
	// Table and Index name the declaration (Index is the declared name).
	Table, Index string
	// Feature is the tag setting at fault: "where", "expression", "class",
	// "type", "length" or "collate".
	Feature string
	// Dialect is the database family, e.g. "mariadb".
	Dialect string
	// Reason says what the database or GORM would do instead.
	Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("index: %s on %s: %s is not supported on %s: %s", e.Index, e.Table, e.Feature, e.Dialect, e.Reason)
}

// Unwrap returns ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// DefError reports a declaration that cannot be used. It unwraps to
// ErrInvalidDef and, when the database rejected the declaration, to the
// database error as well.
type DefError struct {
	// Table and Index name the declaration; Index may be empty when the
	// declaration has no name yet.
	Table, Index string
	// Reason describes the problem.
	Reason string
	// Err is the database's error, when the server rejected the declaration.
	Err error
}

func (e *DefError) Error() string {
	msg := "index: "
	switch {
	case e.Index != "":
		msg += e.Index + " on " + e.Table + ": "
	case e.Table != "":
		msg += e.Table + ": "
	}
	msg += e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ErrInvalidDef and the database error, if any.
func (e *DefError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidDef, e.Err}
	}
	return []error{ErrInvalidDef}
}

// DDLError reports a CREATE or DROP INDEX statement that failed. It unwraps
// to the database error.
type DDLError struct {
	// Table and Index name the index (Index is the name in the database).
	Table, Index string
	// Op is "create" or "drop".
	Op string
	// Err is the database error.
	Err error
}

func (e *DDLError) Error() string {
	return fmt.Sprintf("index: %s %s on %s: %v", e.Op, e.Index, e.Table, e.Err)
}

// Unwrap returns the database error.
func (e *DDLError) Unwrap() error { return e.Err }
