package main

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/internal/baseline"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// fetchModifySaveJob loads one row, changes two fields and writes it back,
// once per row of the sample.
func fetchModifySaveJob(db *gorm.DB, cfg config) job {
	return job{
		title: "fetch-modify-save (one row at a time)",
		strategies: []strategy{
			{name: "First + Save", kind: kindNaive, rows: cfg.sample,
				run: func(ctx context.Context) error {
					return baseline.FirstSave(ctx, db, cfg.sample, func(i int) any { return i + 1 }, func(_ int, w *Wide) {
						w.Credits++
						w.Active = !w.Active
					})
				}},
			{name: "hand-written tx + FOR UPDATE", kind: kindHand, rows: cfg.sample,
				run: func(ctx context.Context) error { return handFetchModifySave(ctx, db, cfg.sample) }},
			{name: "updater.Update", kind: kindGormup, rows: cfg.sample,
				run: func(ctx context.Context) error {
					for i := 1; i <= cfg.sample; i++ {
						_, err := updater.Update(ctx, db.Where("id = ?", i), func(w *Wide) error {
							w.Credits++
							w.Active = !w.Active
							return nil
						})
						if err != nil {
							return fmt.Errorf("row %d: %w", i, err)
						}
					}
					return nil
				}},
		},
	}
}

// handFetchModifySave is what a careful engineer writes by hand: a
// transaction, a locking read, an UPDATE of the changed columns only (and
// updated_at, which updater.Update sets too).
func handFetchModifySave(ctx context.Context, db *gorm.DB, n int) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			locked, err := d.LockRows(tx, dialect.Lock{Strength: dialect.ForUpdate}, "bench_wide", "id")
			if err != nil {
				return err
			}
			var w Wide
			if err := locked.Where("id = ?", i).Take(&w).Error; err != nil {
				return err
			}
			return tx.Model(&Wide{}).Where("id = ?", i).
				UpdateColumns(map[string]any{"credits": w.Credits + 1, "active": !w.Active, "updated_at": tx.NowFunc()}).Error
		})
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return nil
}
