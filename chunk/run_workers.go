package chunk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/throttle"
	"gorm.io/gorm"
)

// execute runs r on one goroutine, or over Workers key ranges.
func (r *runner) execute(ctx context.Context) (Report, error) {
	if err := r.checkMaxRows(ctx); err != nil {
		return Report{}, err
	}
	if r.cfg.workers <= 1 {
		return r.run(ctx)
	}
	return r.runWorkers(ctx)
}

// storedSplits is the JSON a parallel run keeps in its own checkpoint row:
// the keys that split the rows into the workers' ranges.
type storedSplits struct {
	Cols   []string            `json:"cols"`
	Splits [][]json.RawMessage `json:"splits"`
}

// runWorkers splits the rows (or reads the split of the checkpoint), runs
// one worker runner per key range, and merges their reports.
func (r *runner) runWorkers(ctx context.Context) (Report, error) {
	base := r.db.WithContext(ctx)
	var rep Report
	var splits [][]any
	var err error
	if r.cp != nil {
		row, err := r.cp.open(dialect.Primary(cleanSession(base)), r.cfg.restart)
		if err != nil {
			return rep, err
		}
		if row.Done {
			rep.AlreadyDone, rep.RowsDone = true, row.RowsDone
			return rep, nil
		}
		if row.LastKey != "" {
			if splits, err = decodeSplits(r.keys, row.LastKey); err != nil {
				return rep, err
			}
			rep.Resumed = true
		} else {
			if splits, err = r.split(base); err != nil {
				return rep, err
			}
			if err := r.cp.setSplits(cleanSession(base), r.keys, splits); err != nil {
				return rep, err
			}
		}
	} else if splits, err = r.split(base); err != nil {
		return rep, err
	}

	agg := newAggregate(r, len(splits)+1)
	reps := make([]Report, len(splits)+1)
	var wg sync.WaitGroup
	for i := range reps {
		w := agg.worker(i, splits)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := w.run(ctx)
			agg.mu.Lock()
			defer agg.mu.Unlock()
			reps[i] = rep
			if err != nil {
				// The others stop before their next chunk. Cancelling them
				// instead could interrupt a COMMIT whose outcome is then
				// unknown to the report (the checkpoint would still be right).
				agg.errs = append(agg.errs, err)
				agg.stopped.Store(true)
			}
		}()
	}
	wg.Wait()
	for _, w := range reps {
		rep.Rows += w.Rows
		rep.Chunks += w.Chunks
		rep.Retries += w.Retries
		rep.RowsDone += w.RowsDone
		rep.Resumed = rep.Resumed || w.Resumed
		rep.Stopped = rep.Stopped || w.Stopped
	}
	if len(agg.errs) > 0 {
		return rep, errors.Join(agg.errs...)
	}
	if rep.Stopped || r.cp == nil {
		return rep, nil
	}
	return rep, r.cp.finish(cleanSession(base), rep.RowsDone)
}

// split returns up to Workers-1 keys that cut the matching rows into ranges
// of about equal size, found by walking the keys with the chunk-bounds
// query: one count, then one bounds query per split.
func (r *runner) split(base *gorm.DB) ([][]any, error) {
	var count int64
	if err := r.scope(base, nil).Count(&count).Error; err != nil {
		return nil, fmt.Errorf("chunk: counting rows to split: %w", err)
	}
	n := int64(r.cfg.workers)
	step := (count + n - 1) / n
	if step == 0 {
		return nil, nil
	}
	s := *r
	s.cfg.size = int(step)
	var splits [][]any
	for int64(len(splits)) < n-1 {
		got, key, err := s.bounds(base)
		if err != nil {
			return nil, fmt.Errorf("chunk: splitting rows: %w", err)
		}
		if int64(got) < step {
			break
		}
		splits = append(splits, key)
		s.after = key
	}
	return splits, nil
}

// aggregate is the shared state of a parallel run's workers: it serialises
// the caller's callbacks and sums progress.
type aggregate struct {
	r       *runner
	mu      sync.Mutex
	stopped atomic.Bool
	errs    []error
	done    []int64 // rows done per worker
	first   []int64 // rows done per worker when it started
	chunks  []int64
	totals  []int64 // -1 until known
}

func newAggregate(r *runner, n int) *aggregate {
	a := &aggregate{r: r, done: make([]int64, n), first: make([]int64, n), chunks: make([]int64, n), totals: make([]int64, n)}
	for i := range a.totals {
		a.totals[i] = -1
	}
	return a
}

// progress sums the workers; call with mu held.
func (a *aggregate) progress() Progress {
	p := Progress{Total: 0, Elapsed: time.Since(a.r.start)}
	var fresh int64
	for i := range a.done {
		p.Done += a.done[i]
		p.Chunks += a.chunks[i]
		fresh += a.done[i] - a.first[i]
		if a.totals[i] < 0 || p.Total < 0 {
			p.Total = -1
		} else {
			p.Total += a.totals[i]
		}
	}
	p.Rate, p.ETA = chunker.Measure(p.Done, fresh, p.Total, p.Elapsed)
	return p
}

// worker returns the runner of range i: (splits[i-1], splits[i]].
func (a *aggregate) worker(i int, splits [][]any) *runner {
	r := a.r
	w := &runner{cfg: r.cfg, db: r.db, setModel: r.setModel, keys: r.keys, lock: r.lock, dialect: r.dialect,
		table: r.table, viaBounds: r.viaBounds, newStep: r.newStep, total: -1, start: r.start, worker: i}
	w.cfg.workers = 1
	if i > 0 {
		w.lower = splits[i-1]
	}
	if i < len(splits) {
		w.upper = splits[i]
	}
	if r.cp != nil {
		w.cfg.checkpoint = fmt.Sprintf("%s/%d-of-%d", r.cfg.checkpoint, i+1, len(splits)+1)
		w.cp = &checkpoints{name: w.cfg.checkpoint}
	}
	w.onStart = func(done, total int64) {
		a.mu.Lock()
		a.done[i], a.first[i], a.totals[i] = done, done, total
		a.mu.Unlock()
	}
	user := r.cfg.hooks
	w.cfg.hooks = []Callbacks{{
		Before: func(ctx context.Context, c Info) error {
			if a.stopped.Load() {
				return ErrStop
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			for _, h := range user {
				if err := h.callBefore(ctx, c); err != nil {
					if errors.Is(err, ErrStop) {
						a.stopped.Store(true)
					}
					return err
				}
			}
			return nil
		},
		AfterCommit: func(ctx context.Context, c Info) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.done[i], a.chunks[i] = c.Progress.Done, c.Progress.Chunks
			c.Progress = a.progress()
			for _, h := range user {
				h.callAfterCommit(ctx, c)
			}
		},
		OnRetry: func(ctx context.Context, c Info, err error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			for _, h := range user {
				h.callOnRetry(ctx, c, err)
			}
		},
		OnError: func(ctx context.Context, c Info, err error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			for _, h := range user {
				h.callOnError(ctx, c, err)
			}
		},
		OnHold: func(ctx context.Context, c Info, reason string, held time.Duration) {
			a.mu.Lock()
			defer a.mu.Unlock()
			for _, h := range user {
				h.callOnHold(ctx, c, reason, held)
			}
		},
	}}
	// The workers share the sizer and the checks; each waits on its own.
	w.pace.sizer = r.pace.sizer
	if r.pace.waiter != nil {
		w.pace.waiter = &throttle.Waiter{Checks: r.pace.waiter.Checks, MaxHold: r.pace.waiter.MaxHold, OnHold: w.held, Logger: r.pace.waiter.Logger}
	}
	if fn := r.cfg.progress; fn != nil {
		w.cfg.progress = func(Progress) {
			a.mu.Lock()
			defer a.mu.Unlock()
			fn(a.progress())
		}
	}
	return w
}

func encodeSplits(cols []keyCol, splits [][]any) (string, error) {
	s := storedSplits{Cols: colNames(cols), Splits: make([][]json.RawMessage, len(splits))}
	for i, key := range splits {
		s.Splits[i] = make([]json.RawMessage, len(key))
		for j, v := range key {
			b, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("chunk: encoding split key column %q: %w", cols[j].name, err)
			}
			s.Splits[i][j] = b
		}
	}
	b, err := json.Marshal(s)
	return string(b), err
}

// decodeSplits reads the split keys of a parallel run's checkpoint; a
// checkpoint written by a run without Workers is a mismatch.
func decodeSplits(cols []keyCol, raw string) ([][]any, error) {
	var s storedSplits
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("chunk: reading checkpoint splits %q: %w", raw, err)
	}
	if s.Splits == nil {
		return nil, fmt.Errorf("%w: it was written by a run without Workers", ErrCheckpointMismatch)
	}
	splits := make([][]any, len(s.Splits))
	for i, key := range s.Splits {
		k, err := decodeKey(cols, fmt.Sprintf(`{"cols":%s,"key":%s}`, mustJSON(s.Cols), mustJSON(key)))
		if err != nil {
			return nil, err
		}
		splits[i] = k
	}
	return splits, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v) // []string and []json.RawMessage always marshal
	return string(b)
}

// setSplits stores the split keys of a fresh parallel run; another run
// having stored them first is ErrCheckpointConflict.
func (c checkpoints) setSplits(db *gorm.DB, cols []keyCol, splits [][]any) error {
	raw, err := encodeSplits(cols, splits)
	if err != nil {
		return err
	}
	res := db.Model(&checkpointRow{}).Where("name = ? AND last_key = ? AND done = ?", c.name, "", false).
		Updates(map[string]any{"last_key": raw, "updated_at": checkpointNow()})
	if res.Error != nil {
		return fmt.Errorf("chunk: storing the split of checkpoint %q: %w", c.name, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("%w: %q was split by another run", ErrCheckpointConflict, c.name)
	}
	return nil
}

// finish marks a parallel run's checkpoint done once every worker is.
func (c checkpoints) finish(db *gorm.DB, rows int64) error {
	err := db.Model(&checkpointRow{}).Where("name = ? AND done = ?", c.name, false).
		Updates(map[string]any{"done": true, "rows_done": rows, "updated_at": checkpointNow()}).Error
	if err != nil {
		return fmt.Errorf("chunk: marking checkpoint %q done: %w", c.name, err)
	}
	return nil
}
