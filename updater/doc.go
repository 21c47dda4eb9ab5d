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
// # Options
//
// [Update] takes [UpdateOption] and [Transaction] [TxOption]; the options of
// both are of type [Option]: the retry options [Attempts], [RetryBudget],
// [Backoff], [OnRetry] and [TxOptions]. [Lock], [Optimistic], [VersionField]
// and [Scopes] are Update's only, so giving them to Transaction does not
// compile. No options is the default configuration; a zero value means an
// option's default and a negative one returns [ErrBadOption] naming the
// option. The names, meanings and defaults of the retry options are those
// of package batch.
//
// # Conditions from gorm.G
//
// Code written with gorm.G[T] keeps its conditions as statement scopes,
// func(*gorm.Statement): pass them with [Scopes], and the row Update reads
// and writes must match them as well as db's own conditions.
package updater
