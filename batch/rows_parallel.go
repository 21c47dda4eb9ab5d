package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
)

// Workers makes UpdateRows (and UpdateKeys) write its chunks over n
// connections at once, each chunk in a transaction of its own (CommitEach is
// implied), for inputs of hundreds of thousands of rows. 0, the default,
// writes every chunk on the calling goroutine; a negative n returns
// ErrBadOption. UpdateRows and UpdateKeys; for UpdateKeys read "keys" for
// "rows" below.
//
// The rows are ordered by key first (numbers numerically, text by bytes,
// composite keys column by column), so each chunk holds a contiguous run of
// keys and concurrent transactions lock disjoint rows. UpdateRows refuses
// duplicate keys over the whole input, by the database's own equality,
// before any chunk writes, so no two of its chunks touch one row. A chunk that fails with a retryable error (deadlock,
// serialization failure, a Galera certification conflict) is run again on
// its own, as Attempts and RetryBudget say. Behind gorm.io/plugin/dbresolver
// every chunk writes to the primary.
//
// A chunk that fails for good stops the call: no further chunk starts,
// chunks already running finish (commit or roll back), and UpdateRows
// returns a *PartialError saying which input rows committed, which were
// rolled back and which were never attempted, with a Result that counts the
// committed chunks' rows alone. ctx ending stops the workers the same way:
// running chunks' statements are interrupted and roll back, but a COMMIT
// under way is let finish, so the account stays exact. Every worker has
// returned before UpdateRows does; a panic in a chunk (its transaction
// rolled back) is raised again on the calling goroutine then. Inside a
// caller's transaction it returns ErrInTransaction before any SQL, as
// CommitEach does.
//
// A *StatementError's Chunk counts chunks in key order. OnProgress is called
// on the calling goroutine after each committed chunk, in the order chunks
// commit; GORM callbacks (plugins, an audit Sink, UpdateKeys' model hooks)
// run on the workers' goroutines, several at once. Each worker holds one
// connection of db's pool while its chunk runs: a pool limited to fewer
// connections (sql.DB.SetMaxOpenConns) makes workers wait their turn. SQLite
// has one writer: there n is lowered to 1, as it is in DryRun mode, and the
// chunks run one after the other, still each committed on its own and in key
// order. Result.MissingKeys and Result.Conflicts list keys in key order.
func Workers(n int) KeysOrRowsOption {
	return keysOrRowsOption(func(c *config) { c.workers = n })
}

// PartialError is returned by UpdateRows and UpdateKeys with Workers when a
// chunk failed or ctx ended before every chunk committed. Each input row is
// in exactly one of Committed, RolledBack and NotStarted (positions in the
// rows or keys slice given, ascending); the Result (UpdateKeys: the count)
// returned with it accounts for the Committed rows alone. Unwrap returns
// Err.
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
type chunkDone[R any] struct {
	i        int
	r        R
	attempts int
	err      error
	panicked any // what the chunk panicked with (its transaction rolled back)
}

// parallel runs chunks 0..count-1 over n goroutines, each chunk in a
// transaction of its own retried through internal/txn. newStep is called
// once per goroutine and returns the step that goroutine runs chunks with.
// The calling goroutine hands out the chunks in order and calls committed
// (which returns the rows committed so far) and then onProgress for each
// committed chunk, in the order they commit; it stops handing out chunks after a failure or
// when ctx ends, and returns, once every goroutine has returned, what became
// of each chunk and the failures joined (ctx's error when ctx ended the
// call and no chunk failed; nil when every chunk committed).
func parallel[R any](ctx context.Context, db *gorm.DB, p txn.RetryPolicy, n, count int, onProgress func(chunk.Progress),
	newStep func() func(tx *gorm.DB, i int) (R, error), committed func(i int, r R) int64) ([]chunkState, error) {
	report := progressTo(onProgress)
	clock := chunker.Start()
	jobs := make(chan int)
	results := make(chan chunkDone[R], n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			step := newStep()
			for i := range jobs {
				if err := ctx.Err(); err != nil {
					results <- chunkDone[R]{i: i, err: err}
					continue
				}
				results <- runChunk(ctx, db, p, step, i)
			}
		}()
	}
	state := make([]chunkState, count)
	var (
		errs     []error
		rows     int64
		panicked any
	)
	next, running, ok := 0, 0, 0
	stopped, done := false, ctx.Done()
	for (next < count && !stopped) || running > 0 {
		var send chan int
		if next < count && !stopped {
			send = jobs
		}
		select {
		case send <- next:
			next++
			running++
		case r := <-results:
			running--
			switch {
			case r.panicked != nil:
				state[r.i] = chunkRolledBack
				if panicked == nil {
					panicked = r.panicked
				}
				stopped = true
			case r.err == nil:
				state[r.i] = chunkCommitted
				rows = committed(r.i, r.r)
				ok++
				if report != nil {
					report(ok, rows, clock)
				}
			case r.attempts == 0:
				// ctx ended before the chunk's transaction began.
				stopped = true
			default:
				state[r.i] = chunkRolledBack
				errs = append(errs, &StatementError{Chunk: r.i, Done: rows, Attempts: r.attempts, Err: r.err})
				stopped = true
			}
		case <-done:
			stopped, done = true, nil
		}
	}
	close(jobs)
	wg.Wait()
	if panicked != nil {
		// On the calling goroutine, as without Workers.
		panic(panicked)
	}
	if ok == count {
		return state, nil
	}
	if len(errs) == 0 {
		errs = append(errs, ctx.Err())
	}
	return state, errors.Join(errs...)
}

// runChunk runs chunk i with step in a transaction of its own, catching a
// panic so that the calling goroutine can raise it again.
func runChunk[R any](ctx context.Context, db *gorm.DB, p txn.RetryPolicy, step func(tx *gorm.DB, i int) (R, error), i int) (d chunkDone[R]) {
	d.i = i
	defer func() {
		if v := recover(); v != nil {
			d.panicked = v
		}
	}()
	// internal/txn never lets ctx cut off a COMMIT under way, so the account
	// knows which chunks committed.
	d.attempts, d.err = chunker.RunTx(ctx, db, p, func(tx *gorm.DB) error {
		var err error
		d.r, err = step(tx, i)
		return err
	})
	return d
}

// workersFor is the number of goroutines a parallel write of count chunks
// runs on.
func (c config) workersFor(d *dialect.Dialect, db *gorm.DB, count int) int {
	if d.SingleWriter() || db.DryRun {
		return 1
	}
	return max(1, min(c.workers, count))
}

// writeParallel writes the chunks of in, ordered by key, over cfg.workers
// goroutines.
func (w *rowWriter) writeParallel(ctx context.Context, db *gorm.DB, in *input) (Result, error) {
	if dialect.InTransaction(db) {
		return Result{}, ErrInTransaction
	}
	var order []int
	if !in.sorted {
		if order = keyOrder(w.allKeys(in), len(w.keys)); order != nil {
			in = in.permute(order)
		}
	}
	chunks := dialect.Split(in.n, w.size)
	parts := make([]Result, len(chunks))
	var sum Result
	state, err := parallel(ctx, db, w.cfg.policy(), w.cfg.workersFor(w.d, db, len(chunks)), len(chunks), w.cfg.onProgress,
		func() func(*gorm.DB, int) (Result, error) {
			// The rows are the caller's, in in's order; the buffers fill
			// and buildInto reuse are this goroutine's.
			own := &input{ctx: in.ctx, all: in.all, n: in.n, order: in.order}
			return func(tx *gorm.DB, i int) (Result, error) {
				var part Result
				c := chunks[i]
				err := w.chunk(tx, db.NowFunc(), own, c[0], c[1], &part)
				return part, err
			}
		},
		func(i int, part Result) int64 {
			parts[i] = part
			sum.add(part)
			return sum.Matched
		})
	var res Result
	for i, s := range state {
		if s == chunkCommitted {
			res.add(parts[i])
		}
	}
	if err != nil {
		return res, partialError(state, chunks, order, err)
	}
	return res, nil
}

// partialError lists the input rows of each chunk by what became of it.
func partialError(state []chunkState, chunks [][2]int, order []int, err error) *PartialError {
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
