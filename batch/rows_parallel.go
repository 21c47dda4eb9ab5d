package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// Workers makes UpdateRows write its chunks over n connections at once, each
// chunk in a transaction of its own (CommitEach is implied), for inputs of
// hundreds of thousands of rows. 0, the default, writes every chunk on the
// calling goroutine; a negative n returns ErrBadOption. UpdateRows only.
//
// The rows are ordered by key first (numbers numerically, text by bytes,
// composite keys column by column), so each chunk holds a contiguous run of
// keys and concurrent transactions lock disjoint rows; duplicate keys were
// refused over the whole input before any chunk writes, so no two chunks can
// touch one row. A chunk that fails with a retryable error (deadlock,
// serialization failure, a Galera certification conflict) is run again on
// its own, as Attempts and RetryBudget say. Behind gorm.io/plugin/dbresolver
// every chunk writes to the primary.
//
// A chunk that fails for good stops the call: no further chunk starts,
// chunks already running finish (commit or roll back), and UpdateRows
// returns a *PartialError saying which input rows committed, which were
// rolled back and which were never attempted, with a Result that counts the
// committed chunks' rows alone. ctx ending stops the workers the same way
// and every worker has returned before UpdateRows does. Inside a caller's
// transaction it returns ErrInTransaction before any SQL, as CommitEach does.
//
// OnProgress is called on the calling goroutine after each committed chunk,
// in the order chunks commit. Each worker holds one connection of db's pool
// while its chunk runs: a pool limited to fewer connections
// (sql.DB.SetMaxOpenConns) makes workers wait their turn. SQLite has one
// writer: there n is lowered to 1, as it is in DryRun mode, and the chunks
// run one after the other, still each committed on its own and in key order.
// Result.MissingKeys and Result.Conflicts list keys in key order.
func Workers(n int) RowsOption {
	return rowsOption(func(c *config) { c.workers = n })
}

// PartialError is returned by UpdateRows with Workers when a chunk failed or
// ctx ended before every chunk committed. Each input row is in exactly one
// of Committed, RolledBack and NotStarted (positions in the rows slice given
// to UpdateRows, ascending); the Result returned with it accounts for the
// Committed rows alone. Unwrap returns Err.
type PartialError struct {
	// Committed lists the rows whose chunk committed: they were written
	// (or counted as Missing or Conflicts) and stay so.
	Committed []int
	// RolledBack lists the rows of chunks that began but did not commit:
	// the failed chunk's, and chunks that ctx interrupted. Nothing of them
	// was written.
	RolledBack []int
	// NotStarted lists the rows of chunks that never began because the
	// call stopped first. Nothing of them was written.
	NotStarted []int
	// Err is why the call stopped: a *StatementError per failed chunk
	// (joined with errors.Join when chunks running at once failed
	// together), or ctx's error when ctx ended and no chunk failed.
	Err error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("batch: %d rows committed, %d rolled back, %d not started: %v",
		len(e.Committed), len(e.RolledBack), len(e.NotStarted), e.Err)
}

// Unwrap returns Err.
func (e *PartialError) Unwrap() error { return e.Err }

// chunkState is what became of one chunk of a parallel write.
type chunkState uint8

const (
	chunkNotStarted chunkState = iota
	chunkCommitted
	chunkRolledBack
)

// chunkDone is a worker's report of one chunk.
type chunkDone struct {
	i        int
	part     Result
	attempts int
	err      error
}

// writeParallel writes the chunks of in, ordered by key, over cfg.workers
// goroutines, each chunk in a retried transaction of its own. The calling
// goroutine hands out chunks, merges results and reports progress; it stops
// handing out chunks after a failure or when ctx ends, and waits for every
// worker before returning.
func (w *rowWriter) writeParallel(ctx context.Context, db *gorm.DB, in *input) (Result, error) {
	if dialect.InTransaction(db) {
		return Result{}, ErrInTransaction
	}
	order := keyOrder(in, len(w.keys))
	if order != nil {
		in = in.permute(order, len(w.keys))
	}
	chunks := dialect.Split(len(in.src), w.size)
	n := min(w.cfg.workers, len(chunks))
	if w.d.SingleWriter() || db.DryRun {
		n = 1
	}
	jobs := make(chan int)
	results := make(chan chunkDone, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.worker(ctx, db, in, chunks, jobs, results)
		}()
	}

	state := make([]chunkState, len(chunks))
	parts := make([]Result, len(chunks))
	report := progressTo(w.cfg.onProgress)
	clock := chunker.Start()
	var (
		errs      []error
		sum       Result
		committed int
	)
	next, running := 0, 0
	stopped, done := false, ctx.Done()
	for (next < len(chunks) && !stopped) || running > 0 {
		var send chan int
		if next < len(chunks) && !stopped {
			send = jobs
		}
		select {
		case send <- next:
			next++
			running++
		case r := <-results:
			running--
			switch {
			case r.err == nil:
				state[r.i], parts[r.i] = chunkCommitted, r.part
				sum.add(r.part)
				committed++
				if report != nil {
					report(committed, sum.Matched, clock)
				}
			case r.attempts == 0:
				// ctx ended before the chunk's transaction began.
				stopped = true
			default:
				state[r.i] = chunkRolledBack
				errs = append(errs, &StatementError{Chunk: r.i, Done: sum.Matched, Attempts: r.attempts, Err: r.err})
				stopped = true
			}
		case <-done:
			stopped, done = true, nil
		}
	}
	close(jobs)
	wg.Wait()

	var res Result
	for i, s := range state {
		if s == chunkCommitted {
			res.add(parts[i])
		}
	}
	if committed == len(chunks) {
		return res, nil
	}
	if len(errs) == 0 {
		errs = append(errs, ctx.Err())
	}
	return res, w.partialError(state, chunks, order, errors.Join(errs...))
}

// worker runs the chunks it receives on jobs until jobs is closed, each in
// a transaction of its own, and reports each on results.
func (w *rowWriter) worker(ctx context.Context, db *gorm.DB, in *input, chunks [][2]int, jobs <-chan int, results chan<- chunkDone) {
	// The rows share in's values; the buffer fill reuses is this worker's.
	own := &input{ctx: in.ctx, src: in.src, keyVals: in.keyVals}
	for i := range jobs {
		c := chunks[i]
		var part Result
		attempts, err := chunker.RunTx(ctx, db, w.cfg.policy(), func(tx *gorm.DB) error {
			part = Result{}
			return w.chunk(tx, db.NowFunc(), w.fill(own, c[0], c[1]), &part)
		})
		results <- chunkDone{i: i, part: part, attempts: attempts, err: err}
	}
}

// partialError lists the input rows of each chunk by what became of it.
func (w *rowWriter) partialError(state []chunkState, chunks [][2]int, order []int, err error) *PartialError {
	e := &PartialError{Err: err}
	for i, s := range state {
		list := &e.NotStarted
		switch s {
		case chunkCommitted:
			list = &e.Committed
		case chunkRolledBack:
			list = &e.RolledBack
		}
		for j := chunks[i][0]; j < chunks[i][1]; j++ {
			if order != nil {
				*list = append(*list, order[j])
			} else {
				*list = append(*list, j)
			}
		}
	}
	for _, l := range [][]int{e.Committed, e.RolledBack, e.NotStarted} {
		slices.Sort(l)
	}
	return e
}
