// Package batch updates many rows at once, safely and at database speed.
//
//	n, err := batch.Update(ctx, db.Model(&Account{}).Where("status = ?", "trial"), map[string]any{"status": "expired"})
//	res, err := batch.UpdateRows(ctx, db, accounts, []string{"balance", "status"}) // res.Matched, res.Missing
//	n, err = batch.UpdateKeys(ctx, db.Model(&Account{}), ids, map[string]any{"active": false})
//
// Update is a conditional bulk UPDATE that refuses to touch every row by
// accident (no condition, 1=1, Not("id", []int{}), a zero-valued struct
// condition, only the soft-delete filter: ErrNoCondition), checks column
// names against the model before any SQL, returns matched rows on every
// dialect, can cap the rows it may touch (MaxRows) and can split a huge
// write into primary-key ranges committed one by one (Chunked).
//
// UpdateKeys writes the same values to the rows of a key list of any length,
// chunked under the dialect's bind-parameter limit.
//
// UpdateRows writes different values per row, matched by primary key
// (composite keys too), in one set-based statement per chunk — PostgreSQL
// UPDATE … FROM (VALUES …) with exact casts, MySQL/MariaDB JOIN of a UNION
// ALL derived table, SQLite UPDATE … FROM (VALUES …), SQL Server
// UPDATE … FROM … JOIN (VALUES …) — never inserting a missing row, with an
// optional set-based optimistic version check (CheckVersion).
//
// # Which path when
//
//   - Values computed by the database from each row (status = 'expired',
//     balance = balance - 5): [Update], one statement; [Chunked] when the
//     rows are too many for one transaction.
//   - The same values for a list of keys: [UpdateKeys], with the same
//     choice of commits as UpdateRows below.
//   - Each row's own values, matched by key: [UpdateRows]. By default every
//     chunk commits together or not at all. [CommitEach] commits chunk by
//     chunk, for inputs too large for one transaction. [Workers] commits
//     chunk by chunk over several connections at once, for very large inputs
//     when the server has cores to spare; when one fails, a [PartialError]
//     says which rows committed. It gains nothing on SQLite, which has one
//     writer.
//
// Work that is not one statement (per-row logic over millions of rows, with
// a checkpoint) is package chunk's: chunk.Run and chunk.Ranges.
//
// Every function takes ctx first and any *gorm.DB, a transaction included;
// retryable errors (deadlocks, serialization failures, SQLite busy) rerun
// the transaction through gormup's one retry loop.
//
// # Options
//
// Each entry point takes its own option type, so an option that means
// nothing there does not compile: [Update] takes [UpdateOption], [UpdateKeys]
// [KeysOption], [UpdateRows] [RowsOption]. An option valid for several
// returns an interface embedding theirs: [UpdateOrKeysOption] ([Columns]),
// [KeysOrRowsOption] ([Size], [CommitEach], [Workers]) and [Option] ([Attempts],
// [RetryBudget], [OnProgress], [Scopes]). No options is the default
// configuration; a zero value means an option's default and a negative one
// returns [ErrBadOption] naming the option.
//
// # Retries
//
// A transaction that fails with a retryable error runs again, with jittered
// exponential backoff, until [DefaultRetryBudget] has passed since its first
// attempt (or ctx's deadline, if earlier). [RetryBudget] changes the budget
// and [Attempts] caps the attempts; inside a caller's transaction nothing is
// retried. updater uses the same loop, options and defaults.
//
// # Conditions from gorm.G
//
// Code written with gorm.G[T] keeps its conditions as statement scopes,
// func(*gorm.Statement). [Scopes] applies them to db before anything is
// checked, so Update's guard sees them and every bound the library adds (a
// key list, a chunk range) is ANDed onto db's conditions and the scopes as
// one parenthesised group: an OR inside a scope cannot escape it. Scopes
// given to db.Scopes are run at the same point. UpdateRows matches rows by
// key alone and refuses a condition from either with [ErrConditions].
package batch
