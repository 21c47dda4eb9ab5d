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
// [Update] takes [UpdateOption] and [Transaction] [TransactionOption]; the options of
// both are of type [Option]: the retry options [Attempts], [RetryBudget],
// [Backoff], [OnRetry] and [TxOptions]. [Lock], [Optimistic], [VersionField]
// and [Scopes] are Update's only, so giving them to Transaction does not
// compile. No options is the default configuration; a zero value means an
// option's default and a negative one returns [ErrBadOption] naming the
// option. Attempts and RetryBudget, and their defaults, mean what they mean
// in packages batch and chunk; Backoff, OnRetry and TxOptions are updater's
// own (chunk reports retries through chunk.Callbacks.OnRetry).
//
// # Which row
//
// [Update] reads the row the conditions already on db select (Where,
// Scopes, Table); exactly one row must match. None is an error wrapping
// gorm.ErrRecordNotFound; more than one (the read uses LIMIT 2) is
// [ErrMultipleRows]; nothing is written either way. The row is read from
// and written to the same table: db.Table's when set, with its schema or
// database qualifier ("archive.accounts"), else T's. A db.Model whose table
// is not T's is refused with [ErrModelMismatch], a db.Table alias or
// expression with [ErrTable], both before any SQL. Soft-deleted rows are
// neither read nor written unless db is Unscoped. Update never inserts: a
// row deleted concurrently is reported, not re-created.
//
// # Change detection
//
// Each column is compared, through GORM's schema, as the database stores
// it: pointers by the value they point to (nil is NULL), driver.Valuer types
// and serializer fields by their Value, []byte by content, times as
// instants at the column's precision (the precision tag, else 6 digits on
// PostgreSQL, 3 on MySQL/MariaDB, 7 on SQL Server, 9 on SQLite). Fields
// tagged `gorm:"-"` or read-only (`<-:false`, `<-:create`) are never
// written. When nothing changed no UPDATE runs and no hook is called.
// Otherwise BeforeSave and BeforeUpdate run on the changed row, then
// autoUpdateTime fields the caller left alone get the current time, then
// the UPDATE runs through GORM's callback chain (plugins see it; when an
// audit plugin collects changes they travel with hooks.WithChanges), then
// AfterUpdate and AfterSave run. A hook error rolls the transaction back
// and is returned. Changing a primary key returns [ErrPrimaryKeyChanged].
//
// # Concurrency control
//
// With [Lock], or by default when the model has no version field, the row
// is read with a lock (lock.ForUpdate: FOR UPDATE on PostgreSQL and
// MySQL/MariaDB, WITH (UPDLOCK, ROWLOCK) on SQL Server, the database write
// lock taken before the read on SQLite). The row stays locked while the
// change function runs, so it should be quick. With [Optimistic], or by
// default when the model has a version field, the row is read without a
// lock and the UPDATE adds version = version + 1 and WHERE version = <read
// value>; when that matches nothing the attempt starts over, and after the
// last attempt Update returns a *[ConflictError]. After a first conflict
// the retries read with FOR UPDATE, so a hot row serialises its writers
// instead of starving the unlucky ones. On SQLite, which has one writer at
// a time, optimistic mode takes the write lock before the read as well: a
// read snapshot outdated by another writer could never be upgraded
// (SQLITE_BUSY_SNAPSHOT). On MySQL/MariaDB RowsAffected counts changed rows
// unless the DSN sets clientFoundRows, but the version increment always
// changes the row, so 0 means a conflict either way. A version field is
// incremented by exactly one in both modes, set-based
// (version = COALESCE(version, 0) + 1: a NULL version becomes 1); the change
// function's own edits to it are ignored.
//
// # Retries
//
// Deadlocks, serialization failures, lock timeouts, SQLite busy errors and
// version conflicts — including those reported at COMMIT, as Galera does —
// roll back and run the whole attempt again (read, change, write), for up
// to [DefaultRetryBudget] (less if ctx's deadline is earlier) with jittered
// backoff ([Attempts], [RetryBudget], [Backoff], [OnRetry]). The change
// function may therefore run more than once: it must only modify the struct
// it is given, never have other side effects. An error from it rolls back
// and is returned as is. If db is already inside a transaction (from
// db.Transaction or Begin), Update opens none and retries nothing — a
// failed statement may have aborted the caller's transaction — so conflicts
// and deadlocks are returned to the caller, whose own transaction decides.
//
// # Updating every row
//
// [UpdateEach] is fetch-modify-save over every row the conditions on db
// select: it pages through them with chunk.Run, calls the change function
// on each row of a chunk, and writes, in the chunk's own transaction, only
// the changed columns of the changed rows — one batch.UpdateRows statement
// per set of changed columns, zero values included. Unchanged rows cost no
// write. Change detection is Update's (the same tracker). Each written
// row's version field is incremented by one; the change function's edits
// to it are ignored. Soft-deleted rows are skipped unless db is Unscoped.
// Chunk bounds are ANDed onto db's conditions as one group, so an OR among
// them cannot escape. Its options are chunk.Run's (chunk.RunOption: Size,
// Checkpoint, Workers, Lock, Attempts, RetryBudget, pacing...), with Run's
// defaults; with a Checkpoint every row is changed exactly once even across
// crashes, and with Workers the change function runs on several goroutines
// at once. A chunk that fails with a retryable error is reloaded and the
// change function runs again on the fresh rows, so it must not keep state
// across calls beyond what it writes to the row. Model hooks
// (BeforeUpdate...) do not run: the writes are set-based.
//
// # Conditions from gorm.G
//
// Code written with gorm.G[T] keeps its conditions as statement scopes,
// func(*gorm.Statement): pass them with [Scopes], and the row Update reads
// and writes must match them as well as db's own conditions.
package updater
