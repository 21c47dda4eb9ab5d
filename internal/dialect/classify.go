package dialect

import (
	"errors"
	"reflect"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
)

// Reason says why an error is worth retrying.
type Reason uint8

// Retry reasons. NotRetryable is the zero value.
const (
	NotRetryable Reason = iota
	// Deadlock: the server chose this transaction as a deadlock victim
	// (PostgreSQL 40P01, MySQL/MariaDB 1213 — also Galera certification
	// failures —, SQL Server 1205).
	Deadlock
	// SerializationFailure: a SERIALIZABLE or REPEATABLE READ transaction
	// could not be serialised (PostgreSQL 40001, MariaDB 1020).
	SerializationFailure
	// LockTimeout: waiting for a row lock exceeded the server's timeout
	// (MySQL/MariaDB 1205, SQL Server 1222).
	LockTimeout
	// LockNotAvailable: a NOWAIT read found the row locked (PostgreSQL 55P03,
	// MySQL 3572).
	LockNotAvailable
	// Busy: SQLite could not take its lock (SQLITE_BUSY 5, SQLITE_LOCKED 6).
	Busy
)

func (r Reason) String() string {
	switch r {
	case Deadlock:
		return "deadlock"
	case SerializationFailure:
		return "serialization failure"
	case LockTimeout:
		return "lock timeout"
	case LockNotAvailable:
		return "lock not available"
	case Busy:
		return "database busy"
	}
	return "not retryable"
}

// Classify reports whether err, or any error it wraps, is a transient
// concurrency error that succeeds when the whole transaction is run again,
// and why. It recognises the errors of pgx (pgconn.PgError),
// go-sql-driver/mysql, go-mssqldb, mattn/go-sqlite3 (cgo), and the pure-Go
// modernc.org/sqlite and its fork github.com/glebarez/go-sqlite (the driver
// under github.com/glebarez/sqlite), without importing the cgo, pure-Go SQLite
// or SQL Server packages.
func Classify(err error) Reason {
	if err == nil {
		return NotRetryable
	}
	var my *gomysql.MySQLError
	if errors.As(err, &my) {
		return mysqlReason(my.Number)
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		if r := postgresReason(pg.SQLState()); r != NotRetryable {
			return r
		}
	}
	var ms interface{ SQLErrorNumber() int32 }
	if errors.As(err, &ms) {
		switch ms.SQLErrorNumber() {
		case 1205:
			return Deadlock
		case 1222:
			return LockTimeout
		}
		return NotRetryable
	}
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff { // primary result code of an extended code
		case 5, 6:
			return Busy
		}
		return NotRetryable
	}
	return NotRetryable
}

// Retryable reports whether Classify(err) is a retry reason.
func Retryable(err error) bool { return Classify(err) != NotRetryable }

func postgresReason(state string) Reason {
	switch state {
	case "40001":
		return SerializationFailure
	case "40P01":
		return Deadlock
	case "55P03":
		return LockNotAvailable
	}
	return NotRetryable
}

func mysqlReason(number uint16) Reason {
	switch number {
	case 1213: // ER_LOCK_DEADLOCK; Galera reports certification conflicts with it
		return Deadlock
	case 1205: // ER_LOCK_WAIT_TIMEOUT; MariaDB's NOWAIT failure too
		return LockTimeout
	case 3572: // ER_LOCK_NOWAIT (MySQL 8)
		return LockNotAvailable
	case 1020: // ER_CHECKREAD: "Record has changed since last read" (snapshot isolation)
		return SerializationFailure
	}
	return NotRetryable
}

// sqliteCode extracts the SQLite result code from the chain of err:
// mattn/go-sqlite3's Error struct (read by reflection, so that this package
// never imports cgo), modernc.org/sqlite's Code() method, or as a last resort
// the text SQLite uses for SQLITE_BUSY and SQLITE_LOCKED. The pure-Go
// drivers' *Error (modernc.org/sqlite, github.com/glebarez/go-sqlite) has
// Code() int holding the extended result code.
func sqliteCode(err error) (int, bool) {
	for e := err; e != nil; {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if c, ok := e.(interface{ Code() int }); ok && strings.Contains(v.Type().PkgPath(), "sqlite") {
			return c.Code(), true
		}
		if v.Kind() == reflect.Struct && v.Type().PkgPath() == "github.com/mattn/go-sqlite3" && v.Type().Name() == "Error" {
			if f := v.FieldByName("Code"); f.IsValid() && f.CanInt() {
				return int(f.Int()), true
			}
		}
		if u, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range u.Unwrap() {
				if code, ok := sqliteCode(inner); ok {
					return code, true
				}
			}
			break
		}
		e = errors.Unwrap(e)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return 5, true
	case strings.Contains(msg, "database table is locked"), strings.Contains(msg, "SQLITE_LOCKED"):
		return 6, true
	}
	return 0, false
}
