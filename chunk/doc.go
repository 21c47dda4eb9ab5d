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
// rows. [Workers] splits a run over goroutines, each with its own key range
// and checkpoint. [DeleteCheckpoint] forgets a checkpoint.
//
// # Lifecycle and progress
//
// [Callbacks] are called around each chunk (Before, AfterCommit, OnRetry,
// OnError) with an [Info]; returning [ErrStop] from Before stops a run
// cleanly. [OnProgress] receives a [Progress] after each committed chunk,
// and [ProgressLogger] writes them to a log/slog logger. batch's chunked
// writes (Update with Chunked, UpdateKeys and UpdateRows with CommitEach)
// report the same [Progress].
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
// retry loop, the one chunk loop internal/chunker); batch imports chunk for
// Progress, and updater.UpdateEach runs on Run.
package chunk
