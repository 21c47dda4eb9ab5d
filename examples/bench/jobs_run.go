package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
)

// chunkedRunJob touches every row once, as a long maintenance job does.
func chunkedRunJob(db *gorm.DB, cfg config) job {
	checkDone := func(rep *chunk.Report) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			if rep.Rows != int64(cfg.rows) {
				return "", fmt.Errorf("processed %d rows, want %d", rep.Rows, cfg.rows)
			}
			return fmt.Sprintf("%d chunks, each its own transaction", rep.Chunks), nil
		}
	}
	var ranges, loaded chunk.Report
	var found int64
	strategies := []strategy{
		{name: "one UPDATE of all rows", kind: kindHand, rows: cfg.rows,
			run: func(ctx context.Context) error {
				return db.WithContext(ctx).Model(&Wide{}).Where("1 = 1").
					UpdateColumn("score", gorm.Expr("score + 1")).Error
			}},
		{name: "chunk.Ranges, default Size", kind: kindGormup, rows: cfg.rows, check: checkDone(&ranges),
			run: func(ctx context.Context) (err error) {
				ranges, err = chunk.Ranges(ctx, db.Model(&Wide{}), func(rows *gorm.DB, _ chunk.Range) error {
					return rows.UpdateColumn("score", gorm.Expr("score + 1")).Error
				})
				return err
			}},
		{name: "chunk.Run Size(1000), rows loaded", kind: kindGormup, rows: cfg.rows, check: checkDone(&loaded),
			run: func(ctx context.Context) (err error) {
				loaded, err = chunk.Run(ctx, db.Model(&Wide{}), func(tx *gorm.DB, part []Wide) error {
					ids := make([]int64, len(part))
					for i := range part {
						ids[i] = part[i].ID
					}
					return tx.Model(&Wide{}).Where("id IN ?", ids).UpdateColumn("score", gorm.Expr("score + 1")).Error
				}, chunk.Size(1000))
				return err
			}},
		{name: "FindInBatches(1000), a transaction per batch", kind: kindGORM, rows: cfg.rows,
			check: func(context.Context) (string, error) {
				if found != int64(cfg.rows) {
					return "", fmt.Errorf("processed %d rows, want %d", found, cfg.rows)
				}
				return "GORM's loader; the same UPDATE per batch", nil
			},
			run: func(ctx context.Context) error {
				found = 0
				var chunk []Wide
				return db.WithContext(ctx).Model(&Wide{}).FindInBatches(&chunk, 1000, func(_ *gorm.DB, _ int) error {
					ids := make([]int64, len(chunk))
					for i := range chunk {
						ids[i] = chunk[i].ID
					}
					found += int64(len(chunk))
					return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
						return tx.Model(&Wide{}).Where("id IN ?", ids).UpdateColumn("score", gorm.Expr("score + 1")).Error
					})
				}).Error
			}},
	}
	for i := range strategies {
		strategies[i].prepare = vacuumed(db)
	}
	return job{title: "chunked run over every row", strategies: strategies}
}

// vacuumed returns a prepare function that lets the server clean up after
// the strategies before it. Every strategy of a job rewrites every row:
// without this each would start with the dead row versions of all the
// strategies before it (or, on InnoDB, compete with the purge of their undo
// log), so that their order, not their work, decided the ratios.
//
// On PostgreSQL it runs VACUUM ANALYZE. Without ANALYZE a table just seeded
// has no statistics until autovacuum gets to it, and the planner, which
// then guesses a tenth of its rows, reads each chunk's bounds (ORDER BY id
// LIMIT 1 OFFSET 4999) by sorting the whole table instead of walking the
// primary key: 11 ms instead of 0.5 ms per chunk here. A table in service
// has statistics. On MySQL and MariaDB it waits, up to 30 s, until InnoDB's
// history list is empty: the purge of the previous strategy's undo log is
// done. SQLite needs nothing.
func vacuumed(db *gorm.DB) func(context.Context) error {
	return func(ctx context.Context) error {
		switch db.Dialector.Name() {
		case "postgres":
			return db.WithContext(ctx).Exec("VACUUM ANALYZE bench_wide").Error
		case "mysql":
			return purged(ctx, db)
		}
		return nil
	}
}

// purged waits until InnoDB's history list length is 0 or 30 s have
// passed.
func purged(ctx context.Context, db *gorm.DB) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var name string
		var n int64
		if err := db.WithContext(ctx).Raw("SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'").Row().Scan(&name, &n); err != nil {
			return err
		}
		if n == 0 || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
