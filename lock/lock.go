// Package lock names the row lock a gormup read takes inside its
// transaction, with one meaning in every package that takes one
// (updater.Lock, chunk.Lock).
//
//	res, err := updater.Update(ctx, db.Where("id = ?", id), bump, updater.Lock(lock.ForUpdateNoWait))
//	if errors.Is(err, lock.ErrLocked) { /* someone else holds the row: try later */ }
//
// The zero Mode is each caller's default: updater.Update locks ForUpdate
// (or reads optimistically when the model has a version field); chunk.Run
// takes no lock.
package lock

import "errors"

// Mode is a row lock. The zero Mode is the caller's default.
type Mode uint8

// Row locks.
const (
	// Default is the zero Mode: the entry point's own default.
	Default Mode = iota
	// ForUpdate waits for and takes an exclusive row lock: PostgreSQL and
	// MySQL/MariaDB SELECT … FOR UPDATE, SQL Server WITH (UPDLOCK, ROWLOCK),
	// SQLite (no row locks) the database write lock, taken before the read.
	ForUpdate
	// ForUpdateNoWait is ForUpdate failing at once when another transaction
	// holds a row (FOR UPDATE NOWAIT; SQL Server WITH (…, NOWAIT)): the call
	// returns an error wrapping ErrLocked and is never retried. Not on
	// SQLite.
	ForUpdateNoWait
	// SkipLocked is ForUpdate leaving out rows other transactions hold (FOR
	// UPDATE SKIP LOCKED; SQL Server READPAST): updater.Update then finds no
	// row, a chunk of chunk.Run skips them. Not on SQLite, MySQL before 8.0
	// or MariaDB before 10.6.
	SkipLocked
	// ForNoKeyUpdate is PostgreSQL's FOR NO KEY UPDATE, which does not block
	// inserts referencing the row. PostgreSQL only.
	ForNoKeyUpdate
)

// String returns the Mode's constant name.
func (m Mode) String() string {
	switch m {
	case Default:
		return "Default"
	case ForUpdate:
		return "ForUpdate"
	case ForUpdateNoWait:
		return "ForUpdateNoWait"
	case SkipLocked:
		return "SkipLocked"
	case ForNoKeyUpdate:
		return "ForNoKeyUpdate"
	}
	return "Mode(invalid)"
}

// ErrLocked is returned (wrapping the database error) when a read with
// ForUpdateNoWait found a row locked by another transaction. It is never
// retried; nothing of the failed transaction is written.
var ErrLocked = errors.New("lock: the row is locked by another transaction")
