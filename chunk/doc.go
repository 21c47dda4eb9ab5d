// Package chunk walks the rows of a table in chunks, each chunk in a
// transaction of its own with an optional checkpoint written in that same
// transaction, so that a run killed at any instant and run again processes
// every row exactly once.
//
//	rep, err := chunk.Run(ctx, db.Model(&Account{}).Where("status = ?", "active"),
//		func(tx *gorm.DB, part []Account) error { return recalc(tx, part) },
//		chunk.Size(1000), chunk.Checkpoint("recalc-2026-11"))
//
// # Entry points
//
// [Run] loads each chunk (keyset pagination on the primary key or
// [OrderBy], never OFFSET) and hands it to a work function. [Ranges] is the
// set-based form: it passes each chunk's key range as a query, loading no
// rows. [Purge] deletes the rows a condition selects, chunk by chunk. [Plan]
// reads, without writing, how a run would proceed. [Workers] splits a run
// over goroutines, each with its own key range and checkpoint.
// [DeleteCheckpoint] forgets a checkpoint.
//
// # Options
//
// Each entry point takes its own option type, so an option that means
// nothing there does not compile: [Run] takes [RunOption], [Ranges]
// [RangesOption], [Purge] [PurgeOption], [Plan] [PlanOption]. An option
// valid for several returns an interface embedding theirs: [ExecOption] for
// the options of every entry point that commits chunks (Run, Ranges and
// Purge: [Checkpoint], [Restart], [Workers], [Hooks], [OnProgress],
// [CountTotal], [MaxRows], [Attempts], [RetryBudget], [TargetChunkTime],
// [Throttle], [MaxHold]) and [Option] for those Plan takes too ([Size],
// [OrderBy], [Scopes]). [Lock] is Run's only; [AllowAll] and [DryRun] are
// Purge's. No options is the default configuration; a zero value means an
// option's default and a negative one returns [ErrBadOption] naming the
// option. updater.UpdateEach runs on Run and takes RunOption.
//
// # Paging
//
// db names the rows: a model and conditions, e.g.
// db.Model(&Account{}).Where("status = ?", "active"); for [Run] without a
// model, the chunk type is the model. The table is db.Table's (a
// schema-qualified name is kept) or the model's. Rows are visited in the
// order of the primary key (composite keys included) or of [OrderBy], by
// keyset pagination: each chunk is the next [Size] rows after the last key
// committed, never an OFFSET, and only one chunk is in memory. The keyset
// bounds are ANDed onto db's conditions as one parenthesised group, so a
// condition with OR cannot escape them. A row the work changes so that it no
// longer matches, or a row inserted before the last key, is neither repeated
// nor skipped; a row inserted after it is processed when the run reaches it.
//
// Run's chunk type is the model or a smaller struct of some of its columns
// (a DTO): each chunk loads only the DTO's columns (GORM's smart select).
// When the DTO lacks an ordering column, each chunk first reads its bounds
// (its row count and last key, as [Ranges] does) and then loads the rows
// between them; hooks then see no FirstKey.
//
// # Transactions and retries
//
// Each chunk runs as one transaction through gormup's one retry loop: begin,
// load the chunk (with [Lock], holding its rows), call the work with the
// transaction tx (a clean session: no model or conditions of db) and the
// chunk, advance the checkpoint, commit. Run's chunk slice is reused: do not
// keep it after the work returns. A retryable error (deadlock, serialization
// failure, lock timeout, SQLite busy) rolls the chunk back, reloads and
// reruns it, for up to [DefaultRetryBudget] ([Attempts] and [RetryBudget]
// change this). Any other error — or ctx being done — rolls back that chunk
// only and stops the run with a *[ChunkError] saying where to resume;
// earlier chunks stay committed. If db is itself inside a transaction, the
// chunks run in it: nothing commits per chunk and nothing is retried.
//
// ctx bounds every statement and the pauses between retries; cancelling it
// rolls back the chunk in flight and returns a *[ChunkError] wrapping
// ctx.Err() whose message and ResumeAfter say where a rerun resumes.
//
// # Checkpoints
//
// With [Checkpoint], the checkpoint is written in the chunk's transaction,
// so killing the process at any instant and running again with the same
// name processes every row exactly once. The chunk that reaches the end
// (short or empty) marks the checkpoint done; running it again does nothing
// (Report.AlreadyDone) unless [Restart] is given. A checkpoint written with
// other ordering columns is refused with [ErrCheckpointMismatch].
//
// # Row locks
//
// [Lock] makes each of Run's chunk loads lock its rows until the chunk
// commits. lock.ForUpdate waits for the rows (on SQLite, which has no row
// locks, it takes the write lock before the load); lock.ForUpdateNoWait
// fails the chunk at once with a *[ChunkError] wrapping lock.ErrLocked,
// never retried; lock.SkipLocked leaves out rows other transactions hold,
// so several workers can share a queue table (a pass pages forward, so it
// does not come back for a row held when it passed: run passes until the
// condition matches no row; no row is ever processed twice). A mode the
// database cannot take (NOWAIT or SKIP LOCKED on SQLite, SKIP LOCKED before
// MySQL 8.0 or MariaDB 10.6, lock.ForNoKeyUpdate outside PostgreSQL) fails
// the run before the first chunk with an error wrapping
// [ErrLockUnsupported]. [Ranges] and [Purge] take no lock: their own
// UPDATE or DELETE locks the rows it writes.
//
// # Parallel runs
//
// With [Workers](n), the matching rows are split up front into n key ranges
// of about equal size, each processed by one worker in order, with its own
// transactions and, with [Checkpoint], its own checkpoint "<name>/<i>-of-<n>"
// next to the run's, which stores the split keys so that a resumed run
// splits alike and every row is still processed exactly once. Rows inserted
// later fall in exactly one range. Hooks and progress functions are called
// from the workers, one call at a time; progress sums the workers, and
// callbacks tell workers apart by Info.Worker (and Name); [WorkerOf] tells
// the work. A Before hook's [ErrStop], or an error in one worker, stops
// every other worker before its next chunk (chunks in flight finish); the
// run then returns the workers' errors joined, in the order they happened.
// On SQLite, which has one writer, each chunk takes the write lock first (as
// Lock(lock.ForUpdate) does) so that workers wait their turn: they gain
// nothing.
//
// # Set-based chunks
//
// [Ranges] reads only each chunk's bounds and hands the work a query
// restricted to them. The bounds are read by one query over the keys after
// the last committed one, in the run's order (k stands for the ordering
// columns, compared as a keyset). For a single integer or string key:
//
//	SELECT k FROM t WHERE <db's conditions> AND k > <last key>
//	ORDER BY k LIMIT 1 OFFSET <Size-1>
//
// and, when that finds no row (the last, short chunk), SELECT COUNT(*),
// MAX(k) over the same rows (MIN for DESC). For composite keys and other
// types, a window count over the next Size keys:
//
//	SELECT COUNT(*) OVER (), c.k FROM (SELECT k FROM t WHERE <db's conditions>
//	AND k > <last key> ORDER BY k LIMIT <Size>) c ORDER BY c.k DESC LIMIT 1
//
// The work's query then carries WHERE (<db's conditions>) AND k > <last key>
// AND k <= <chunk's last key>; db's conditions, and any the work chains onto
// it, are grouped in parentheses when the statement runs, so an OR among
// them cannot escape the chunk's bounds. It may be chained more than once;
// for other statements in the same transaction use
// rows.Session(&gorm.Session{NewDB: true}). The window function needs
// PostgreSQL, MySQL 8, MariaDB 10.2, SQLite 3.25 or SQL Server.
//
// Each chunk costs, besides its work, a BEGIN, the bounds query and a COMMIT
// (a log flush on most servers). Set-based work writes thousands of rows in
// milliseconds, so Ranges' default chunk, DefaultRangesSize, is ten times
// Run's; a smaller Size holds each chunk's row locks for less time at that
// fixed cost per chunk. The bounds query walks Size keys of the ordering index
// only when the planner expects that many rows: on PostgreSQL a table loaded
// and never analyzed may instead be sorted whole for every chunk. Run
// ANALYZE on it first; Ranges logs a warning through db's GORM logger when it
// finds one.
//
// # Purging
//
// [Purge] is the chunked, resumable DELETE of pt-archiver's --purge
// --bulk-delete --commit-each. Each chunk is Ranges' key range, so the
// DELETE carries WHERE (<db's conditions>) AND k > <last key> AND
// k <= <chunk's last key>: an OR in the conditions cannot escape it and no
// key list is shipped (no parameter limit). A condition that does not bound
// the rows is refused with [ErrNoCondition] before any SQL — what counts as
// unbounded is listed once, on
// [github.com/gormup/gormup/hooks.UnboundedReason] — unless [AllowAll]. A
// model with a soft-delete field is soft-deleted, as GORM's Delete does,
// unless db is Unscoped.
//
// # Lifecycle and progress
//
// [Callbacks] are called around each chunk (Before, AfterCommit, OnRetry,
// OnHold, OnError) with an [Info]; returning [ErrStop] from Before stops a
// run cleanly. [OnProgress] receives a [Progress] after each committed
// chunk, and [ProgressLogger] writes them to a log/slog logger. batch's
// writes (batch.OnProgress) report the same [Progress].
//
// # Pacing
//
// [TargetChunkTime] adapts the chunk size to a chunk duration; [Throttle]
// holds the run between chunks while a [Check] holds (replica lag, Galera
// flow control, [Pause]); [MaxHold] bounds a hold.
//
// # Errors
//
// A chunk that fails for good returns a *[ChunkError] saying where a rerun
// resumes; earlier chunks stay committed. Argument and option errors are
// returned before anything runs.
//
// # Layering
//
// chunk builds only on gormup's internal packages (the model resolver, the
// retry loop, the one chunk loop internal/chunker, the catalog reader
// internal/catalog); batch imports chunk for Progress, and
// updater.UpdateEach runs on Run.
package chunk
