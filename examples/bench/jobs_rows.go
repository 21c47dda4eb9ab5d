package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/baseline"
	"gorm.io/gorm"
)

// generation makes every run write values no earlier run wrote, so MySQL's
// "changed rows" and no-op shortcuts never flatter a strategy.
var generation atomic.Int64

const genStride = 10_000_000

// perRowValues returns n rows of (id, balance, status) for a new generation.
func perRowValues(n int) (gen int64, rows [][]any) {
	gen = generation.Add(1)
	rows = make([][]any, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = []any{id, gen*genStride + id, fmt.Sprintf("g%d", gen)}
	}
	return gen, rows
}

// checkGeneration verifies that exactly n rows carry generation gen.
func checkGeneration(ctx context.Context, db *gorm.DB, gen int64, n int) (string, error) {
	var got int64
	err := db.WithContext(ctx).Model(&Wide{}).
		Where("balance >= ? AND balance < ? AND status = ?", gen*genStride, (gen+1)*genStride, fmt.Sprintf("g%d", gen)).
		Count(&got).Error
	if err != nil {
		return "", err
	}
	if got != int64(n) {
		return "", fmt.Errorf("%d rows updated, want %d", got, n)
	}
	return "", nil
}

func perRowValuesJob(db *gorm.DB, cfg config) job {
	var gen int64
	var rows [][]any
	var models []Wide
	verify := func(n int) func(ctx context.Context) (string, error) {
		return func(ctx context.Context) (string, error) { return checkGeneration(ctx, db, gen, n) }
	}
	values := func(n int) func() {
		return func() { gen, rows = perRowValues(n) }
	}
	newModels := func() { rows = nil; gen, models = perRowModels(cfg.rows) }
	updateRows := func(opts ...batch.RowsOption) func(context.Context) error {
		return func(ctx context.Context) error {
			res, err := batch.UpdateRows(ctx, db, models, []string{"balance", "status"}, opts...)
			if err == nil && res.Matched != int64(len(models)) {
				err = fmt.Errorf("matched %d rows, want %d", res.Matched, len(models))
			}
			return err
		}
	}
	j := job{
		title: "per-row values (2 columns per row)",
		strategies: []strategy{
			{name: "First + Save per row", kind: kindNaive, rows: cfg.sample, check: verify(cfg.sample), input: values(cfg.sample),
				run: func(ctx context.Context) error {
					return baseline.FirstSave(ctx, db, len(rows), func(i int) any { return rows[i][0] }, func(i int, w *Wide) {
						w.Balance, w.Status = rows[i][1].(int64), rows[i][2].(string)
					})
				}},
			{name: "Updates per row, one transaction", kind: kindGORM, rows: cfg.rows, check: verify(cfg.rows), input: values(cfg.rows),
				run: func(ctx context.Context) error {
					return baseline.UpdatesPerRow(ctx, db, len(rows), func(i int) (any, map[string]any) {
						return &Wide{ID: rows[i][0].(int64)}, map[string]any{"balance": rows[i][1], "status": rows[i][2]}
					})
				}},
			{name: "CASE WHEN per 2000 rows", kind: kindOther, rows: cfg.rows, check: verify(cfg.rows), input: values(cfg.rows),
				run: func(ctx context.Context) error {
					return baseline.CaseWhen(ctx, db, wideTable, rows)
				}},
			{name: "VALUES join per 2000 rows (common)", kind: kindOther, rows: cfg.rows, check: verify(cfg.rows), input: values(cfg.rows),
				run: func(ctx context.Context) error {
					return baseline.ValuesJoin(ctx, db, wideTable, rows)
				}},
			{name: "hand-written best (" + bestForm(db) + ")", kind: kindHand, rows: cfg.rows, check: verify(cfg.rows), input: values(cfg.rows),
				run: func(ctx context.Context) error {
					return baseline.HandWritten(ctx, db, wideTable, rows)
				}},
			{name: "hand-written bulk load (" + bulkForm(db) + ")", kind: kindOther, rows: cfg.rows, check: verify(cfg.rows), input: values(cfg.rows),
				run: func(ctx context.Context) error {
					return baseline.BulkLoad(ctx, db, wideTable, rows)
				}},
			{name: "server limit (values from own columns)", kind: kindLimit, rows: cfg.rows, check: verify(cfg.rows),
				input: func() { gen, rows = generation.Add(1), nil },
				run: func(ctx context.Context) error {
					// Nothing shipped: the same rows get the same values,
					// computed by the server from each row's own id.
					return db.WithContext(ctx).Exec("UPDATE bench_wide SET balance = id + ?, status = ?, updated_at = ? WHERE id BETWEEN ? AND ?",
						gen*genStride, fmt.Sprintf("g%d", gen), baseline.StampTime, 1, cfg.rows).Error
				}},
			{name: "batch.UpdateRows", kind: kindGormup, rows: cfg.rows, check: verify(cfg.rows),
				input: newModels, run: updateRows()},
			{name: fmt.Sprintf("batch.UpdateRows Workers(%d)", benchWorkers), kind: kindGormup, rows: cfg.rows, check: verify(cfg.rows),
				input: newModels, run: updateRows(batch.Workers(benchWorkers))},
			{name: "batch.UpdateRows BulkLoad()", kind: kindGormup, rows: cfg.rows, check: verify(cfg.rows),
				input: newModels, run: updateRows(batch.BulkLoad())},
		},
	}
	for i := range j.strategies {
		// Each strategy rewrites every row: on PostgreSQL it starts from a
		// vacuumed table, so a strategy measured late does not pay for the
		// dead rows of those before it.
		j.strategies[i].prepare = vacuumed(db)
	}
	return j
}

// benchWorkers is the connections of the parallel UpdateRows strategy.
const benchWorkers = 4

// perRowModels returns n models carrying perRowValues' values for a new
// generation: the input a gormup caller holds.
func perRowModels(n int) (gen int64, models []Wide) {
	gen = generation.Add(1)
	models = make([]Wide, n)
	status := fmt.Sprintf("g%d", gen)
	for i := range models {
		id := int64(i + 1)
		models[i] = Wide{ID: id, Balance: gen*genStride + id, Status: status}
	}
	return gen, models
}

// bestForm names the hand-written best form of db's dialect.
func bestForm(db *gorm.DB) string {
	switch db.Dialector.Name() {
	case "postgres":
		return "unnest arrays"
	case "mysql":
		return "JSON_TABLE"
	case "sqlite":
		return "prepared VALUES"
	}
	return "VALUES join"
}

// bulkForm names the hand-written bulk-load form of db's dialect.
func bulkForm(db *gorm.DB) string {
	switch db.Dialector.Name() {
	case "postgres":
		return "COPY into a temp table"
	case "mysql":
		return "temp table + multi-row INSERT"
	}
	return "same as best"
}
