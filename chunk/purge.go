package chunk

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/internal/where"
	"gorm.io/gorm"
)

// MaxRows makes Run, Ranges and Purge count the rows db's conditions match
// before the first chunk and refuse, with a *TooManyRowsError and nothing
// run, when there are more than n. 0 (the default) sets no limit; a
// negative n returns ErrBadOption. Run, Ranges and Purge.
func MaxRows(n int64) ExecOption {
	return execOption(func(c *runConfig) { c.maxRows = n })
}

// AllowAll lets Purge delete every row of the table (db without a
// bounding condition); without it Purge refuses with ErrNoCondition. Purge
// only.
func AllowAll() PurgeOption {
	return purgeOption(func(c *runConfig) { c.allowAll = true })
}

// Purge deletes the rows db selects, chunk by chunk, each chunk's DELETE in
// a transaction of its own (see [Purging]):
//
//	rep, err := chunk.Purge(ctx, db.Model(&Event{}).Where("created_at < ?", cutoff),
//		chunk.Size(5000), chunk.Checkpoint("purge-events"), chunk.TargetChunkTime(0))
//
// db must carry a model (else ErrNoModel) and a condition that bounds the
// rows (else ErrNoCondition, before any SQL, unless AllowAll). Chunks,
// retries, checkpoints (a killed purge rerun resumes after the last
// committed chunk), pacing, hooks and progress are Ranges'. Report.Rows
// counts the deleted rows. With DryRun, Purge deletes nothing and returns
// its Preview in Report.Plan.
//
// [Purging]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Purging
func Purge(ctx context.Context, db *gorm.DB, opts ...PurgeOption) (Report, error) {
	if db == nil {
		return Report{}, ErrNilDB
	}
	if db.Statement.Model == nil {
		return Report{}, ErrNoModel
	}
	cfg, err := newRunConfig(opts, PurgeOption.applyPurge, DefaultSize)
	if err != nil {
		return Report{}, err
	}
	// db.Scopes and Scopes conditions are the caller's: the guard must see
	// them (they run once, here, not again in the runner).
	db, cfg.scopes = model.Scoped(db, cfg.scopes...), nil
	if !cfg.allowAll {
		if err := where.Check(db.Statement); err != nil {
			return Report{}, fmt.Errorf("%w: %w; to delete every row it matches on purpose, pass chunk.AllowAll()", ErrNoCondition, err)
		}
	}
	if cfg.dryRun {
		p, err := plan(ctx, db, cfg, true)
		return Report{Plan: &p}, err
	}
	typ := reflect.TypeOf(db.Statement.Model)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	del := func(rows *gorm.DB, _ Range) error {
		// A zero value: a model value's primary key would add a condition.
		return rows.Delete(reflect.New(typ).Interface()).Error
	}
	return ranges(ctx, db, del, cfg)
}

// checkMaxRows counts the rows db's conditions match and refuses more than
// MaxRows.
func (r *runner) checkMaxRows(ctx context.Context) error {
	if r.cfg.maxRows == 0 {
		return nil
	}
	var n int64
	if err := r.scope(r.db.WithContext(ctx), nil).Count(&n).Error; err != nil {
		return fmt.Errorf("chunk: counting rows for MaxRows: %w", err)
	}
	if n > r.cfg.maxRows {
		return &TooManyRowsError{Matched: n, Max: r.cfg.maxRows}
	}
	return nil
}
