package dialect

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LockStrength is how strongly a read locks the rows it returns.
type LockStrength uint8

// Lock strengths.
const (
	// NoLock reads without locking.
	NoLock LockStrength = iota
	// ForUpdate takes an exclusive row lock: PostgreSQL and MySQL FOR UPDATE,
	// SQL Server WITH (UPDLOCK, ROWLOCK), SQLite the database write lock.
	ForUpdate
	// ForNoKeyUpdate is PostgreSQL's weaker FOR NO KEY UPDATE, which does not
	// block inserts of rows referencing the locked one. Other dialects refuse it.
	ForNoKeyUpdate
)

// LockWait is what a locking read does when a row is already locked.
type LockWait uint8

// Wait policies.
const (
	// Wait blocks until the lock is granted or the server's lock timeout fires.
	Wait LockWait = iota
	// NoWait fails at once with a lock-not-available error.
	NoWait
	// SkipLocked leaves locked rows out of the result.
	SkipLocked
)

// Lock is a row-lock request: a strength and a wait policy. The zero Lock
// takes no lock.
type Lock struct {
	Strength LockStrength
	Wait     LockWait
}

func (l Lock) String() string {
	s := "none"
	switch l.Strength {
	case ForUpdate:
		s = "FOR UPDATE"
	case ForNoKeyUpdate:
		s = "FOR NO KEY UPDATE"
	}
	switch l.Wait {
	case NoWait:
		s += " NOWAIT"
	case SkipLocked:
		s += " SKIP LOCKED"
	}
	return s
}

// ErrLockUnsupported is returned (wrapped) by LockRows when the dialect cannot
// honour the requested lock: NOWAIT or SKIP LOCKED on SQLite, FOR NO KEY
// UPDATE outside PostgreSQL, SKIP LOCKED before MariaDB 10.6 or MySQL 8.0.
var ErrLockUnsupported = errors.New("gormup: lock mode not supported by this database")

// ErrLockOutsideTransaction is returned by LockRows when a lock is requested
// on a *gorm.DB that is not inside a transaction: the lock would be released
// as soon as the read returned.
var ErrLockOutsideTransaction = errors.New("gormup: row lock requested outside a transaction")

// CheckLock reports, without touching the database, whether the dialect can
// honour lock; the error wraps ErrLockUnsupported.
func (d *Dialect) CheckLock(lock Lock) error {
	if lock.Strength == NoLock {
		if lock.Wait != Wait {
			return fmt.Errorf("%w: %s without a lock strength", ErrLockUnsupported, lock)
		}
		return nil
	}
	unsupported := func() error {
		return fmt.Errorf("%w: %s on %s %s", ErrLockUnsupported, lock, d.family, d.version)
	}
	if lock.Strength == ForNoKeyUpdate && d.family != Postgres {
		return unsupported()
	}
	switch d.family {
	case SQLite:
		if lock.Wait != Wait {
			return unsupported()
		}
	case MariaDB:
		if (lock.Wait == NoWait && !d.version.AtLeast(10, 3)) || (lock.Wait == SkipLocked && !d.version.AtLeast(10, 6)) {
			return unsupported()
		}
	case MySQL:
		if lock.Wait != Wait && !d.version.AtLeast(8, 0) {
			return unsupported()
		}
	}
	return nil
}

// LockRows makes the next query on tx read its rows with lock, in the form
// the dialect needs:
//
//   - PostgreSQL, MySQL, MariaDB: a FOR UPDATE / FOR NO KEY UPDATE clause with
//     NOWAIT or SKIP LOCKED;
//   - SQL Server: the table hint WITH (UPDLOCK, ROWLOCK[, NOWAIT | READPAST])
//     after table, since SQL Server rejects FOR UPDATE;
//   - SQLite, which has no row locks: it executes a no-op write on table
//     (naming keyColumn) so the transaction holds the database write lock
//     before it reads, which serialises writers exactly as a row lock would.
//
// table and keyColumn are unquoted names. tx must be inside a transaction
// (ErrLockOutsideTransaction otherwise); an unsupported lock wraps
// ErrLockUnsupported. A zero Lock returns tx unchanged.
func (d *Dialect) LockRows(tx *gorm.DB, lock Lock, table, keyColumn string) (*gorm.DB, error) {
	if err := d.CheckLock(lock); err != nil {
		return nil, err
	}
	if lock.Strength == NoLock {
		return tx, nil
	}
	if !InTransaction(tx) && !tx.DryRun {
		return nil, ErrLockOutsideTransaction
	}
	switch d.family {
	case SQLite:
		q := fmt.Sprintf("UPDATE %s SET %s = %s WHERE 0", Quote(tx, table), Quote(tx, keyColumn), Quote(tx, keyColumn))
		if err := tx.Session(&gorm.Session{NewDB: true}).Exec(q).Error; err != nil {
			return nil, fmt.Errorf("gormup: taking the SQLite write lock: %w", err)
		}
		return tx, nil
	case SQLServer:
		hint := " WITH (UPDLOCK, ROWLOCK)"
		switch lock.Wait {
		case NoWait:
			hint = " WITH (UPDLOCK, ROWLOCK, NOWAIT)"
		case SkipLocked:
			hint = " WITH (UPDLOCK, ROWLOCK, READPAST)"
		}
		return tx.Clauses(clause.From{Tables: []clause.Table{{Name: Quote(tx, table) + hint, Raw: true}}}), nil
	}
	locking := clause.Locking{Strength: clause.LockingStrengthUpdate}
	if lock.Strength == ForNoKeyUpdate {
		locking.Strength = "NO KEY UPDATE"
	}
	switch lock.Wait {
	case NoWait:
		locking.Options = clause.LockingOptionsNoWait
	case SkipLocked:
		locking.Options = clause.LockingOptionsSkipLocked
	}
	return tx.Clauses(locking), nil
}

// InTransaction reports whether db is bound to a transaction (its ConnPool is
// a *sql.Tx or GORM's prepared-statement transaction).
func InTransaction(db *gorm.DB) bool {
	if db == nil || db.Statement == nil {
		return false
	}
	c, ok := db.Statement.ConnPool.(gorm.TxCommitter)
	if !ok || c == nil {
		return false
	}
	// A typed nil inside the interface is not a transaction.
	switch v := c.(type) {
	case *gorm.PreparedStmtTX:
		return v != nil && v.Tx != nil
	}
	return true
}
