package chunk

import (
	"context"
	"time"
)

// Progress describes how far a chunked run has come. All counts include the
// rows done by earlier runs of the same checkpoint.
type Progress struct {
	// Done is the number of rows committed so far.
	Done int64
	// Chunks is the number of chunks committed so far.
	Chunks int64
	// Total is the number of rows the run expects to visit: Done before this
	// run plus the matching rows counted at its start. It is -1 unless the
	// run was asked to count (chunk.CountTotal).
	Total int64
	// Elapsed is the time since this run (this process) started.
	Elapsed time.Duration
	// Rate is the number of rows per second this run has committed; 0 until
	// a chunk has committed.
	Rate float64
	// Held is how long Throttle's checks held this run so far.
	Held time.Duration
	// Size is the chunk size in use: Size's, or TargetChunkTime's latest.
	Size int
	// ETA is the estimated time left: (Total-Done)/Rate. It is 0 when Total
	// is unknown, when Rate is still 0, or once Done reaches Total.
	ETA time.Duration
}

// Info describes one chunk of a run to the Callbacks.
type Info struct {
	// Name is the run's checkpoint name, or "" for a run without one; with
	// chunk.Workers, the worker's own checkpoint name.
	Name string
	// Worker is the 0-based number of the chunk.Workers worker running the
	// chunk; 0 for a run without Workers.
	Worker int
	// Index is the 0-based number of the chunk across every run of the same
	// checkpoint (it continues after a resume).
	Index int64
	// After is the key the chunk starts after (the last key committed), in
	// ordering-column order; nil for the first chunk.
	After []any
	// FirstKey and LastKey are the keys of the chunk's first and last rows;
	// nil before the chunk is loaded (in Before) or when it could not be.
	FirstKey, LastKey []any
	// Rows is the number of rows loaded in the chunk; 0 in Before.
	Rows int
	// Attempt is the 1-based attempt of the chunk's transaction; 0 in Before.
	Attempt int
	// Progress is the state of the run; in AfterCommit it includes the chunk.
	Progress Progress
}

// Callbacks is the set of lifecycle callbacks Run, Ranges and Purge call around
// each chunk. Every field is optional: the zero Callbacks does nothing. The callbacks run
// outside the chunk's transaction and receive Run's ctx; they run on the
// goroutine that called chunk.Run, or with chunk.Workers on the workers'
// goroutines one call at a time.
type Callbacks struct {
	// Before is called before each chunk's transaction begins. Returning
	// ErrStop (or an error wrapping it) stops the run cleanly; any other
	// error stops it with a *chunk.ChunkError wrapping that error. Nothing of
	// the chunk has run at that point.
	Before func(ctx context.Context, c Info) error
	// AfterCommit is called once the chunk, and the checkpoint written with
	// it, are committed.
	AfterCommit func(ctx context.Context, c Info)
	// OnRetry is called when an attempt of the chunk failed with a retryable
	// error (a deadlock, a serialization failure, SQLite busy), after its
	// rollback and before the chunk is reloaded and run again.
	OnRetry func(ctx context.Context, c Info, err error)
	// OnError is called once when the chunk fails for good (a non-retryable
	// error, retries exhausted, ctx done) and the run stops.
	OnError func(ctx context.Context, c Info, err error)
	// OnHold is called on every poll while Throttle's checks hold the run
	// before chunk c, with the reason they give and how long this hold has
	// lasted.
	OnHold func(ctx context.Context, c Info, reason string, held time.Duration)
}

// callBefore calls c.Before if it is set and returns its error; nil when
// it is not.
func (c Callbacks) callBefore(ctx context.Context, info Info) error {
	if c.Before == nil {
		return nil
	}
	return c.Before(ctx, info)
}

// callAfterCommit calls c.AfterCommit if it is set.
func (c Callbacks) callAfterCommit(ctx context.Context, info Info) {
	if c.AfterCommit != nil {
		c.AfterCommit(ctx, info)
	}
}

// callOnRetry calls c.OnRetry if it is set.
func (c Callbacks) callOnRetry(ctx context.Context, info Info, err error) {
	if c.OnRetry != nil {
		c.OnRetry(ctx, info, err)
	}
}

// callOnError calls c.OnError if it is set.
func (c Callbacks) callOnError(ctx context.Context, info Info, err error) {
	if c.OnError != nil {
		c.OnError(ctx, info, err)
	}
}

// callOnHold calls c.OnHold if it is set.
func (c Callbacks) callOnHold(ctx context.Context, info Info, reason string, held time.Duration) {
	if c.OnHold != nil {
		c.OnHold(ctx, info, reason, held)
	}
}
