package chunk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Report is what Run, Ranges or Purge did.
type Report struct {
	// Rows is the number of rows this call processed and committed.
	Rows int64
	// Chunks is the number of chunks this call committed.
	Chunks int64
	// Retries is the number of chunk attempts that failed with a retryable
	// error and were run again.
	Retries int
	// RowsDone is the number of rows committed under the checkpoint by every
	// run of it, this one included; without a checkpoint it equals Rows.
	RowsDone int64
	// LastKey is the key of the last row committed (across runs of the
	// checkpoint); nil when none was.
	LastKey []any
	// Resumed reports that the run continued a checkpoint after LastKey as
	// it was when the run started.
	Resumed bool
	// AlreadyDone reports that the checkpoint was already marked done, so
	// nothing ran. Use Restart to run again.
	AlreadyDone bool
	// Stopped reports that a Callbacks Before callback returned
	// ErrStop.
	Stopped bool
	// Elapsed is the duration of the call.
	Elapsed time.Duration
	// Plan is Purge's Preview with DryRun; nil otherwise.
	Plan *Preview
}

// Run calls work once per chunk of the rows db selects, each chunk in a
// transaction of its own, until every row has been processed. See the
// package's [Paging], [Transactions and retries] and [Checkpoints].
//
// db names the rows (a model and conditions; without a model, T is the
// model) and must not carry Order, Limit or Offset (ErrQueryShape). T is the
// model or a DTO of some of its columns. work gets the chunk's transaction
// tx, a clean session, and the chunk, a slice reused between chunks. Chunks
// hold DefaultSize rows unless Size is given; each failed chunk is retried
// for up to DefaultRetryBudget. ctx bounds every statement and the pauses
// between retries.
//
// A chunk that fails for good, or ctx being done, returns a *ChunkError
// saying where to resume; earlier chunks stay committed. A nil db returns
// ErrNilDB; a nil work or a T that is not a struct, ErrBadWork; a negative
// option, ErrBadOption; all before anything runs. Run works on PostgreSQL,
// MySQL, MariaDB, SQLite and SQL Server.
//
// [Paging]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Paging
// [Transactions and retries]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Transactions_and_retries
// [Checkpoints]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Checkpoints
func Run[T any](ctx context.Context, db *gorm.DB, work func(tx *gorm.DB, chunk []T) error, opts ...RunOption) (Report, error) {
	start := time.Now()
	if db == nil {
		return Report{}, ErrNilDB
	}
	if work == nil {
		return Report{}, fmt.Errorf("%w: nil work function", ErrBadWork)
	}
	if t := reflect.TypeFor[T](); t.Kind() != reflect.Struct {
		return Report{}, fmt.Errorf("%w: chunk type %s is not a struct", ErrBadWork, t)
	}
	cfg, err := newRunConfig(opts, RunOption.applyRun, DefaultSize)
	if err != nil {
		return Report{}, err
	}
	r, err := newRunner(ctx, db, new(T), cfg)
	if err != nil {
		return Report{}, err
	}
	if r.viaBounds {
		r.warnUnanalyzed(ctx, "chunk.Run")
	}
	r.newStep = func(r *runner) stepFunc { return loadStep(r, work) }
	rep, err := r.execute(ctx)
	rep.Elapsed = time.Since(start)
	return rep, err
}

// runner is the state of one Run or Ranges call.
type runner struct {
	cfg      runConfig
	db       *gorm.DB // the caller's db, with its conditions
	setModel any      // the model to set on each query, nil if db has one
	keys     []keyCol
	lock     dialect.Lock
	dialect  *dialect.Dialect
	table    string
	cp       *checkpoints
	// newStep makes the runner's step (each worker of a parallel run gets
	// its own); step loads one chunk on tx (a transaction carrying the
	// caller's statement), fills info's Rows and keys, and calls the work
	// unless the chunk is empty.
	newStep func(*runner) stepFunc
	step    stepFunc
	// lower and upper bound a worker's key range (lower, upper]; nil is
	// unbounded. onStart, if set, learns the rows done and the total once
	// the checkpoint is read and the rows counted.
	heldFor      time.Duration // time Throttle held this run
	lower, upper []any
	onStart      func(rowsDone, total int64)
	worker       int // 0-based number of a parallel run's worker
	// full is set by step when the chunk had Size rows, so more may follow.
	full bool
	// viaBounds: the chunk type does not hold the ordering columns, so each
	// chunk's bounds are read first (see Ranges) and its rows loaded
	// between them.
	viaBounds bool

	start    time.Time
	after    []any // last key committed
	index    int64 // next chunk's index
	rowsDone int64
	total    int64
	rep      Report

	// pace throttles and sizes the chunks (throttle.go); holding is the
	// chunk waiting for it, for OnHold.
	pace    pacing
	holding struct {
		ctx  context.Context
		info Info
	}
}

type workerKey struct{}

// WorkerOf returns the 0-based number of the Workers worker whose chunk ctx
// belongs to — the context of the tx Run passes to work (tx.Statement.Context)
// or of a Callbacks callback — so that work can keep per-worker state; it
// is 0 for a run without Workers and outside Run.
func WorkerOf(ctx context.Context) int {
	w, _ := ctx.Value(workerKey{}).(int)
	return w
}

// stepFunc runs one chunk's load and work; see runner.step.
type stepFunc func(ctx context.Context, tx *gorm.DB, info *Info) error

// newRunner validates db and the options; chunk (a pointer to the chunk
// type) is the model when db has none, and holds the key fields.
func newRunner(ctx context.Context, db *gorm.DB, chunk any, cfg runConfig) (*runner, error) {
	if db == nil {
		return nil, ErrNilDB
	}
	for _, name := range []string{"ORDER BY", "LIMIT"} {
		if _, ok := db.Statement.Clauses[name]; ok {
			return nil, fmt.Errorf("%w: found %s", ErrQueryShape, name)
		}
	}
	if len(cfg.scopes) > 0 {
		db = model.Scoped(db, cfg.scopes...)
	}
	r := &runner{cfg: cfg, db: db, lock: dialect.LockOf(cfg.lock, dialect.Lock{}), total: -1, start: time.Now()}
	pace, err := newPacing(cfg, db, r.held)
	if err != nil {
		return nil, err
	}
	r.pace = pace
	target := db.Statement.Model
	if target == nil {
		target = chunk
		r.setModel = target
	}
	t, err := model.Of(db, target)
	if err != nil {
		return nil, fmt.Errorf("chunk: %w", err)
	}
	ms := t.Schema
	ts, err := runSchema(db, chunk)
	if err != nil {
		return nil, err
	}
	if err := checkDTO(ms, ts); err != nil {
		return nil, err
	}
	r.keys, err = resolveKeys(ms, ts, cfg.orderBy)
	if errors.Is(err, errKeyNotLoaded) {
		r.keys, err = resolveKeys(ms, ms, cfg.orderBy)
		r.viaBounds = true
	}
	if err != nil {
		return nil, err
	}
	if r.dialect, err = dialect.Of(ctx, db); err != nil {
		return nil, err
	}
	if err := r.dialect.CheckLock(r.lock); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLockUnsupported, err)
	}
	if cfg.workers > 1 && r.dialect.SingleWriter() && r.lock.Strength == dialect.NoLock {
		// One writer: workers whose transactions began as readers would fail
		// with busy errors when upgrading; taking the write lock first makes
		// them wait their turn (busy timeout) instead.
		r.lock = dialect.Lock{Strength: dialect.ForUpdate}
	}
	r.table = t.Table
	if cfg.checkpoint != "" {
		r.cp = &checkpoints{name: cfg.checkpoint}
	}
	if len(cfg.orderBy) > 0 && !db.DryRun {
		r.warnUnindexedOrder(ctx, target)
	}
	return r, nil
}

// checkDTO refuses a chunk type of another table than the model's unless it
// is a DTO of the model: its columns a strict subset of the model's. A type
// mapping every column of the model (or one the model lacks) under another
// table is another model: ErrModelMismatch.
func checkDTO(model, chunk *schema.Schema) error {
	if model == chunk || model.Table == chunk.Table {
		return nil
	}
	n := 0
	for _, name := range chunk.DBNames {
		if _, ok := model.FieldsByDBName[name]; !ok {
			return fmt.Errorf("%w: db.Model is %s (table %s); %s (table %s) has column %q, which it lacks", ErrModelMismatch, model.Name, model.Table, chunk.Name, chunk.Table, name)
		}
		n++
	}
	if n >= len(model.DBNames) {
		return fmt.Errorf("%w: db.Model is %s (table %s) and the chunk type %s (table %s) maps all its columns: not a DTO", ErrModelMismatch, model.Name, model.Table, chunk.Name, chunk.Table)
	}
	return nil
}

func runSchema(db *gorm.DB, v any) (*schema.Schema, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(v); err != nil {
		return nil, fmt.Errorf("chunk: parsing %T: %w", v, err)
	}
	return stmt.Schema, nil
}

// cleanSession returns a session of db (or of a transaction) with a fresh,
// empty statement — none of the caller's model and conditions — keeping its
// connection and context. A bare Session(NewDB) is not enough: WithContext
// on it would clone the caller's statement back in.
func cleanSession(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true}).Clauses().Session(&gorm.Session{})
}

// scope returns a fresh query on q (db or a transaction begun from it) with
// the caller's model and conditions, grouped (model.Bound) so that no caller
// condition can escape the keyset bounds: after key, up to the worker's
// upper bound, and up to upTo when given.
func (r *runner) scope(q *gorm.DB, key []any, upTo ...[]any) *gorm.DB {
	q = q.Session(&gorm.Session{}).Clauses() // a statement of our own, never the caller's
	if r.setModel != nil {
		q = q.Model(r.setModel)
	}
	var bounds []clause.Expression
	if key != nil {
		bounds = append(bounds, keysetAfter(r.keys, key))
	}
	if r.upper != nil {
		bounds = append(bounds, keysetUpTo(r.keys, r.upper))
	}
	for _, k := range upTo {
		bounds = append(bounds, keysetUpTo(r.keys, k))
	}
	return model.Bound(q, bounds...)
}

func (r *runner) run(ctx context.Context) (Report, error) {
	r.step = r.newStep(r)
	ctx = context.WithValue(ctx, workerKey{}, r.worker)
	base := r.db.WithContext(ctx)
	if r.cp != nil {
		row, err := r.cp.open(dialect.Primary(cleanSession(base)), r.cfg.restart)
		if err != nil {
			return r.rep, err
		}
		if r.after, err = decodeKey(r.keys, row.LastKey); err != nil {
			return r.rep, err
		}
		r.index, r.rowsDone = row.Chunks, row.RowsDone
		r.rep.RowsDone, r.rep.LastKey, r.rep.Resumed = row.RowsDone, r.after, r.after != nil
		if row.Done {
			r.rep.AlreadyDone = true
			return r.rep, nil
		}
	}
	if r.after == nil {
		r.after = r.lower
	}
	if r.cfg.countTotal {
		var n int64
		if err := r.scope(base, r.after).Count(&n).Error; err != nil {
			return r.rep, fmt.Errorf("chunk: counting rows: %w", err)
		}
		r.total = r.rowsDone + n
	}
	if r.onStart != nil {
		r.onStart(r.rowsDone, r.total)
	}
	for {
		info := Info{Name: r.cfg.checkpoint, Worker: r.worker, Index: r.index, After: r.after, Progress: r.progress()}
		r.holding.ctx, r.holding.info = ctx, info
		held, err := r.pace.wait(ctx)
		r.heldFor += held
		if err != nil {
			return r.rep, r.fail(ctx, info, 0, err)
		}
		r.cfg.size = r.pace.size(r.cfg.size)
		for _, h := range r.cfg.hooks {
			if err := h.callBefore(ctx, info); err != nil {
				if errors.Is(err, ErrStop) {
					r.rep.Stopped = true
					return r.rep, nil
				}
				return r.rep, r.fail(ctx, info, 0, err)
			}
		}
		began := time.Now()
		finished, err := r.chunk(ctx, base, &info)
		if err != nil {
			return r.rep, err
		}
		r.pace.observe(info.Rows, time.Since(began))
		if n := info.Rows; info.LastKey != nil {
			r.after = info.LastKey
			r.index++
			r.rowsDone += int64(n)
			r.rep.Rows += int64(n)
			r.rep.Chunks++
			r.rep.RowsDone, r.rep.LastKey = r.rowsDone, r.after
			info.Progress = r.progress()
			for _, h := range r.cfg.hooks {
				h.callAfterCommit(ctx, info)
			}
			if r.cfg.progress != nil {
				r.cfg.progress(info.Progress)
			}
		}
		if finished {
			return r.rep, nil
		}
	}
}

// chunk runs one chunk's transaction and reports whether the run is
// finished (the chunk was short or empty). info holds the committed chunk.
func (r *runner) chunk(ctx context.Context, base *gorm.DB, info *Info) (bool, error) {
	policy := r.cfg.retry
	policy.Retryable = dialect.NoWaitRetryable(r.lock, policy.Retryable)
	policy.OnRetry = func(attempt int, err error) {
		r.rep.Retries++
		retry := *info
		retry.Attempt = attempt
		for _, h := range r.cfg.hooks {
			h.callOnRetry(ctx, retry, err)
		}
	}
	attempts, err := txn.RunTx(ctx, base, policy, func(tx *gorm.DB) error {
		info.Attempt++
		info.FirstKey, info.LastKey, info.Rows, r.full = nil, nil, 0, false
		if err := r.step(ctx, tx, info); err != nil {
			return err
		}
		if r.cp == nil {
			return nil
		}
		if info.LastKey == nil {
			return r.cp.advance(cleanSession(tx), r.index, "", 0, true)
		}
		key, err := encodeKey(r.keys, info.LastKey)
		if err != nil {
			return err
		}
		return r.cp.advance(cleanSession(tx), r.index, key, int64(info.Rows), !r.full)
	})
	if err != nil {
		return false, r.fail(ctx, *info, attempts, dialect.LockedError(r.lock, err))
	}
	return !r.full, nil
}

// fail builds the *ChunkError for a chunk that failed for good and reports
// it to the OnError hooks.
func (r *runner) fail(ctx context.Context, info Info, attempts int, err error) error {
	info.Attempt = attempts
	for _, h := range r.cfg.hooks {
		h.callOnError(ctx, info, err)
	}
	return &ChunkError{
		Checkpoint:  r.cfg.checkpoint,
		Index:       r.index,
		FirstKey:    info.FirstKey,
		LastKey:     info.LastKey,
		ResumeAfter: r.after,
		RowsDone:    r.rowsDone,
		Attempts:    attempts,
		Err:         err,
	}
}

// progress describes the run so far.
func (r *runner) progress() Progress {
	p := Progress{Done: r.rowsDone, Chunks: r.index, Total: r.total, Elapsed: time.Since(r.start), Held: r.heldFor, Size: r.cfg.size}
	p.Rate, p.ETA = chunker.Measure(p.Done, r.rep.Rows, p.Total, p.Elapsed)
	return p
}
