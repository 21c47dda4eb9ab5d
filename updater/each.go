package updater

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// EachResult reports what UpdateEach did.
type EachResult struct {
	// Scanned is the number of rows loaded and passed to the change function
	// in the chunks this call committed.
	Scanned int64
	// Changed is the number of those rows the change function altered, each
	// written once with only its changed columns.
	Changed int64
	// Columns counts the written columns per column name, over all rows.
	Columns map[string]int64
	// Run is the report of the underlying chunk.Run: chunks, retries, the
	// checkpoint's rows done and last key, whether it resumed or was stopped.
	Run chunk.Report
}

// UpdateEach is fetch-modify-save over every row the conditions on db
// select, in chunks: it pages through them with chunk.Run, calls change on
// each row, and writes only the changed columns of the changed rows in the
// chunk's own transaction ([Updating every row]).
//
//	res, err := updater.UpdateEach(ctx, db.Where("status = ?", "trial"), func(a *Account) error {
//		a.Status = "expired"
//		return nil
//	}, chunk.Size(500), chunk.Checkpoint("expire-trials"))
//
// T is the model (a struct with a primary key, else ErrNoPrimaryKey); the
// table is db.Table's or T's, and a db.Model of another table is refused with
// ErrModelMismatch before any SQL. opts are chunk.Run's, with its defaults.
// change may run more than once per row (a retried chunk reloads it). An
// error from change, or a changed primary key (ErrPrimaryKeyChanged), rolls
// back that chunk and stops the run with a *chunk.ChunkError; earlier chunks
// stay committed and the result counts only them. A nil db returns ErrNilDB,
// a nil change chunk.ErrBadWork.
//
// [Updating every row]: https://pkg.go.dev/github.com/gormup/gormup/updater#hdr-Updating_every_row
func UpdateEach[T any](ctx context.Context, db *gorm.DB, change func(*T) error, opts ...chunk.RunOption) (EachResult, error) {
	res := EachResult{Columns: map[string]int64{}}
	if db == nil {
		return res, ErrNilDB
	}
	if change == nil {
		return res, fmt.Errorf("%w: UpdateEach needs a change function", chunk.ErrBadWork)
	}
	t, err := resolve[T](db)
	if err != nil {
		return res, err
	}
	if len(t.PrimaryKey) == 0 {
		return res, fmt.Errorf("%w: %s", ErrNoPrimaryKey, t.Schema.Name)
	}
	dl, err := dialect.Of(ctx, db)
	if err != nil {
		return res, err
	}
	d, err := newTracker(t, dl, t.Version)
	if err != nil {
		return res, err
	}
	// The chunk's tx is a clean session: name the table the rows were read
	// from, with its qualifier, and keep Unscoped, for the writes.
	target := func(tx *gorm.DB) *gorm.DB {
		if t.Table != t.Schema.Table {
			tx = tx.Table(t.Table)
		}
		if t.Unscoped {
			tx = tx.Unscoped()
		}
		return tx
	}
	// Counts of the chunk in flight per worker (chunk.Workers); added to res
	// once it commits.
	var mu sync.Mutex
	pendingOf := map[int]*EachResult{}
	work := func(tx *gorm.DB, rows []T) error {
		pending := &EachResult{Columns: map[string]int64{}}
		mu.Lock()
		pendingOf[chunk.WorkerOf(tx.Statement.Context)] = pending
		mu.Unlock()
		groups := map[string][]T{}
		var order []string
		for i := range rows {
			rv := reflect.ValueOf(&rows[i]).Elem()
			before, err := d.snapshot(ctx, rv)
			if err != nil {
				return err
			}
			if err := change(&rows[i]); err != nil {
				return err
			}
			changed, _, pk, err := d.diff(ctx, rv, before)
			if err != nil {
				return err
			}
			if pk != nil {
				return fmt.Errorf("%w: %s.%s", ErrPrimaryKeyChanged, t.Schema.Name, pk.Name)
			}
			cols := make([]string, len(changed))
			for j, c := range changed {
				cols[j] = d.fields[c].DBName
			}
			pending.Scanned++
			if len(cols) == 0 {
				continue
			}
			pending.Changed++
			k := strings.Join(cols, ",")
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], rows[i])
			for _, c := range cols {
				pending.Columns[c]++
			}
		}
		for _, k := range order {
			if _, err := batch.UpdateRows(ctx, target(tx), groups[k], strings.Split(k, ",")); err != nil {
				return err
			}
		}
		return nil
	}
	commit := chunk.Callbacks{AfterCommit: func(_ context.Context, c chunk.Info) {
		mu.Lock()
		defer mu.Unlock()
		pending := pendingOf[c.Worker]
		if pending == nil {
			return
		}
		delete(pendingOf, c.Worker)
		res.Scanned += pending.Scanned
		res.Changed += pending.Changed
		for col, n := range pending.Columns {
			res.Columns[col] += n
		}
	}}
	rep, err := chunk.Run(ctx, db, work, append(slices.Clone(opts), chunk.RunOption(chunk.Hooks(commit)))...)
	res.Run = rep
	return res, err
}
