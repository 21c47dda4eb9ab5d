// Package batch updates many rows at once, safely and at database speed.
//
//	n, err := batch.Update(ctx, db.Model(&Account{}).Where("status = ?", "trial"), map[string]any{"status": "expired"})
//	res, err := batch.UpdateRows(ctx, db, accounts, []string{"balance", "status"}) // res.Matched, res.Missing
//	n, err = batch.UpdateKeys(ctx, db.Model(&Account{}), ids, map[string]any{"active": false})
//
// Update is a conditional bulk UPDATE that refuses to touch every row by
// accident ([ErrNoCondition]; see [Unbounded conditions]), checks column
// names against the model before any SQL, returns matched rows on every
// dialect, can cap the rows it may touch (MaxRows) and can split a huge
// write into primary-key ranges committed one by one (Size, CommitEach).
//
// UpdateKeys writes the same values to the rows of a key list of any length,
// chunked under the dialect's bind-parameter limit.
//
// UpdateRows writes different values per row, matched by primary key
// (composite keys too), in one set-based statement per chunk (each
// database's is in [Per-row values]), never inserting a missing row, with
// an optional set-based optimistic version check (CheckVersion).
//
// # Which path when
//
//   - Values computed by the database from each row (status = 'expired',
//     balance = balance - 5): [Update], one statement; [Size] with
//     [CommitEach] when the rows are too many for one transaction.
//   - The same values for a list of keys: [UpdateKeys], with the same
//     choice of commits as UpdateRows below.
//   - Each row's own values, matched by key: [UpdateRows]. By default every
//     chunk commits together or not at all. [CommitEach] commits chunk by
//     chunk, for inputs too large for one transaction. [Workers] commits
//     chunk by chunk over several connections at once, for very large inputs
//     when the server has cores to spare; when one fails, a [PartialError]
//     says which rows committed. It gains nothing on SQLite, which has one
//     writer. [BulkLoad] loads every row into a temporary table and writes
//     them with one UPDATE, for large inputs written at once on PostgreSQL
//     (the Bulk load section below says when).
//
// Work that is not one statement (per-row logic over millions of rows, with
// a checkpoint) is package chunk's: chunk.Run and chunk.Ranges.
//
// Every function takes ctx first and any *gorm.DB, a transaction included;
// retryable errors (deadlocks, serialization failures, SQLite busy) rerun
// the transaction through gormup's one retry loop.
//
// # Unbounded conditions
//
// Update refuses, with [ErrNoCondition] and before writing, a condition
// that does not bound the rows. The checker is the one hooks.Guard uses;
// what it accepts and refuses, and why, is listed once, on
// [github.com/gormup/gormup/hooks.UnboundedReason]. [AllowAll] lifts the
// check. A model whose primary key is set (db.Model(&Account{ID: 7}))
// bounds the write to that row, as in GORM.
//
// # Values and columns
//
// [Update]'s and [UpdateKeys]' values is a map[string]any of column (or Go
// field) names to values — Go values, gorm.Expr expressions or subqueries —
// or a struct of the model's type (or a pointer to one), whose fields named
// by [Columns] or db.Select(...) are written, zero values included.
// [UpdateRows] takes the names in its columns argument. Every name is
// checked against the model's schema before any SQL runs (a *[ColumnError]
// wrapping [ErrUnknownColumn] names the column and the model), names are
// never spliced into SQL, and assigning a primary-key column is refused
// ([ErrPrimaryKeyColumn]). Fields with autoUpdateTime (UpdatedAt) are set
// to the current time unless named. When the model has a version field
// (`gormup:"version"` or optimisticlock.Version) every written row's
// version is incremented by exactly one, set-based
// (version = COALESCE(version, 0) + 1); naming it is refused
// ([ErrVersionColumn]).
//
// # Tables and conditions
//
// The table written is db.Table's when set — a schema- or
// database-qualified name ("archive.accounts") is kept — else the model's;
// a db.Table alias, subquery or expression with arguments is refused with
// [ErrTable]. Every bound the library adds (Update's key ranges, UpdateKeys'
// key lists) is ANDed onto db's conditions as one parenthesised group, so a
// condition with OR (db.Where(a).Or(b), or a raw condition with a newline
// before OR) cannot escape it: db.Where(a).Or(b) with keys 1, 2, 3 writes
// only the rows among 1, 2, 3 that match (a OR b). Soft-deleted rows are not
// written unless db is Unscoped, as in GORM's Updates; UpdateRows counts
// them as missing.
//
// # Matched rows
//
// Every count is of rows matched, changed or not, on every dialect. MySQL
// and MariaDB report changed rows unless the DSN sets clientFoundRows=true;
// there Update counts the rows its UPDATE matches in a session variable read
// back in the same transaction, and, with MaxRows (which must refuse before
// writing), and in UpdateKeys, counts the matching rows first with
// SELECT COUNT(*) … FOR UPDATE (the rows stay locked until the UPDATE).
// UpdateRows reads a chunk's rows back with one SELECT joining them to the
// table when its RowsAffected falls short, or when ListMissing asks.
//
// # Chunks and transactions
//
// [Size] and [CommitEach] mean the same for every entry point: Size is the
// rows (or keys) one statement writes, and CommitEach commits each
// statement in a transaction of its own. [Update] writes everything in one
// statement unless given either; then it writes primary-key ranges of Size
// rows ([DefaultSize] with CommitEach alone), each range's end read first
// (the key Size rows on), so sparse keys still give full chunks. [UpdateKeys]
// puts keys into IN lists of at most [DefaultKeysPerStatement] keys, and
// [UpdateRows] rows into statements of [DefaultSize] rows, both lowered to
// fit the dialect's bind-parameter limit (2,100 on SQL Server) and
// [MaxStatementParams] (UpdateRows on SQLite: 1,000 parameters per
// statement, which SQLite's drivers bind faster per row). IN lists are used on PostgreSQL too, rather than
// one = ANY($1) array, so the statement stays portable SQL that plugins can
// read. The chunks commit together, in one transaction retried as a whole,
// unless CommitEach commits (and retries) each on its own; a failed chunk
// returns a *[StatementError] (UpdateRows' Result is then zero in atomic
// mode; with CommitEach earlier chunks stay committed). Inside a caller's
// transaction everything joins it and nothing is retried; CommitEach is
// refused there ([ErrInTransaction]).
//
// # Per-row values
//
// [UpdateRows] matches input rows by primary key (composite keys too), by
// the database's own equality: under MySQL's case-insensitive collations
// 'a' and 'A' are the same key, as are 'ab' and 'ab ' in a PostgreSQL
// character(n) key; two equal keys are refused with a *[KeyError] wrapping
// [ErrDuplicateKey]. A row whose key is not in the table is never inserted:
// it counts in Result.Missing (listed with [ListMissing]). Every input row
// lands in exactly one of Matched, Missing and Conflicts ([CheckVersion]).
// Each value reaches its column as GORM's own Updates would send it, byte
// for byte: trailing spaces, invalid UTF-8 in []byte, long values, NULLs,
// times at the column's precision; a value that cannot be sent exactly is a
// *[ColumnError] wrapping [ErrBadValue], before anything is written. The
// statement per chunk is:
//
//   - PostgreSQL: UPDATE … FROM unnest(CAST(? AS text)::type[], …), one
//     text array per column, each cast to its column's type as the server
//     reports it, and key = ANY(…) so the rows are found by index;
//   - MySQL 8 and MariaDB 10.6+: UPDATE … JOIN JSON_TABLE(?, …), one JSON
//     document per chunk, each column typed as the driver types the Go
//     value (text in the target column's collation, bytes hex-encoded);
//   - SQLite 3.33+: UPDATE … FROM (VALUES …);
//   - SQL Server: UPDATE … FROM … JOIN (VALUES …);
//   - older SQLite, MySQL and MariaDB: SET c = CASE WHEN … END.
//
// On SQLite and MySQL/MariaDB the full-chunk statement is prepared once per
// transaction and reused. With CheckVersion the chunk's rows are first read
// with FOR UPDATE (the SQLite write lock, SQL Server UPDLOCK); a row is
// written when its stored version equals the row's version, NULL matching
// NULL, and otherwise listed in Result.Conflicts.
//
// # Hooks and plugins
//
// Every statement goes through GORM's callback chain, so plugins see it.
// Update and UpdateKeys build their UPDATE with GORM's Updates, so the
// model's BeforeUpdate/AfterUpdate hooks run as in db.Updates. UpdateRows'
// per-row model hooks do not run, as with Django's bulk_update and Rails'
// update_all: the write is set-based. When a gormup audit plugin listens
// (hooks.Collecting), Update's assignments travel as hooks.Change values
// with a nil Key and the condition in Where, and UpdateRows' every written
// column of every row as one hooks.Change each.
//
// # Options
//
// Each entry point takes its own option type, so an option that means
// nothing there does not compile: [Update] takes [UpdateOption], [UpdateKeys]
// [KeysOption], [UpdateRows] [RowsOption]. An option valid for several
// returns an interface embedding theirs: [UpdateOrKeysOption] ([Columns]),
// [KeysOrRowsOption] ([Workers]) and [Option] ([Size], [CommitEach],
// [Attempts], [RetryBudget], [OnProgress], [Scopes]). No options is the default
// configuration; a zero value means an option's default and a negative one
// returns [ErrBadOption] naming the option.
//
// # Retries
//
// A transaction that fails with a retryable error runs again, with jittered
// exponential backoff, until [DefaultRetryBudget] has passed since its first
// attempt (or ctx's deadline, if earlier). [RetryBudget] changes the budget
// and [Attempts] caps the attempts; inside a caller's transaction nothing is
// retried. updater and chunk retry through the same loop, with the same
// defaults and the same Attempts and RetryBudget options.
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
//
// [Unbounded conditions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Unbounded_conditions
// [Per-row values]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Per_row_values
package batch
