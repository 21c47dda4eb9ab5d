// Package updater replaces GORM's First-then-Save with a fetch-modify-save
// that never loses an update and writes only what changed:
//
//	res, err := updater.Update(ctx, db.Where("id = ?", id), func(a *Account) error {
//		a.Balance -= 10
//		return nil
//	})
//
// Update reads the one row the conditions on db select — with a row lock by
// default, or optimistically against a version column — runs the change
// function, and issues one UPDATE of exactly the changed columns, zero values
// included, retrying the whole read-change-write on deadlocks, serialization
// failures, busy errors and version conflicts. Transaction is the same retry
// loop around any transaction.
//
// Under 16 concurrent writers incrementing one counter, First plus Save loses
// most increments on PostgreSQL, MariaDB and SQLite; Update loses none.
package updater
