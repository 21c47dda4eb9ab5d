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
// [KeysOrRowsOption] ([Size], [CommitEach]) and [Option] ([Attempts],
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
// # Bulk load: which path to pick
//
// By default UpdateRows sends each chunk of rows as the parameters of one
// UPDATE (arrays on PostgreSQL, one JSON document on MySQL and MariaDB,
// VALUES elsewhere). That path needs only the UPDATE privilege, joins a
// caller's transaction, and can commit chunk by chunk ([CommitEach]). Keep
// it unless the case below applies.
//
// [BulkLoad] first loads every row into a temporary table — COPY (pgx's
// CopyFrom, binary protocol) on PostgreSQL, multi-row INSERTs on MySQL and
// MariaDB — and then writes them all with one UPDATE joined to it, in one
// transaction. Pick it for large inputs written at once on PostgreSQL,
// where one COPY and one UPDATE replace a statement per chunk, when the
// connection may create temporary tables and the call is not inside a
// transaction of the caller's. On MySQL 8 and MariaDB 10.6+ neither path
// is faster on every table: the default JSON_TABLE statements need no
// temporary table, so keep them unless a measurement of the workload
// favours BulkLoad (examples/bench); on older MySQL and MariaDB, whose
// default is SET c = CASE WHEN …, BulkLoad avoids those statements. On
// SQLite and SQL Server it changes nothing. The rows written, the counts returned (Matched, Missing,
// MissingKeys, Conflicts) and what an audit plugin sees are the same on
// both paths; Result.Statements counts the one UPDATE.
//
// BulkLoad fails closed: when it cannot run — inside a caller's
// transaction on PostgreSQL (database/sql does not hand out a
// transaction's connection for COPY), through a driver other than pgx's,
// or when the server refuses the temporary table — it returns an error
// wrapping [ErrBulkLoad] and writes nothing, instead of silently taking
// the other path; calling UpdateRows again without it is the fallback.
// MySQL's LOAD DATA LOCAL INFILE is not used: it needs the server's
// local_infile setting (off by default since MySQL 8.0) and a reader
// registered in go-sql-driver's process-wide registry (or allowAllFiles in
// the DSN), state the caller owns, not a library; the INSERTs bind each
// value exactly as GORM's own UPDATE does.
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
