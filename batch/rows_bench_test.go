package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/baseline"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Per-row recipes are measured on a sample and reported as rows/s, since
// running them over 100,000 rows would take minutes per iteration.
const (
	firstSaveSample  = 300
	updatesRowSample = 2000
)

var benchDialects = []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL}

// bulkTable describes bulkRow to the baselines; PostgreSQL casts key first.
var bulkTable = baseline.Table{Name: "bulk_rows", Key: "id", Columns: []string{"a", "b", "c"},
	Types: []string{"bigint", "bigint", "bigint", "varchar(32)"}}

// benchValues returns n rows of new values for iteration it, so every
// iteration changes every row (MySQL counts only changed rows).
func benchValues(n, it int) []bulkRow {
	rows := make([]bulkRow, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = bulkRow{ID: id, A: id + int64(it), B: int64(it), C: fmt.Sprintf("it%d-%d", it, i)}
	}
	return rows
}

// flatten is the hand-written strategies' share of the work: the caller holds
// models, and turning them into bind arguments is part of writing them.
func flatten(rows []bulkRow) [][]any {
	raw := make([][]any, len(rows))
	for i, r := range rows {
		raw[i] = []any{r.ID, r.A, r.B, r.C}
	}
	return raw
}

// BenchmarkUpdateRows compares UpdateRows with GORM's per-row recipes, the
// CASE WHEN chunks of Django's bulk_update and the hand-written best
// statement of each dialect (internal/baseline), writing 3 columns of 10,000
// and 100,000 rows. Run with -benchtime=1x or 3x:
//
//	go test -run '^$' -bench BenchmarkUpdateRows -benchtime 1x ./batch/
func BenchmarkUpdateRows(b *testing.B) {
	ctx := context.Background()
	for _, dialect := range benchDialects {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			seedBulk(b, db, 100_000)
			for _, n := range []int{10_000, 100_000} {
				b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
					strategies := []struct {
						name   string
						sample int
						run    func(db *gorm.DB, rows []bulkRow) error
					}{
						{"gormup", n, func(db *gorm.DB, rows []bulkRow) error {
							res, err := batch.UpdateRows(ctx, db, rows, []string{"a", "b", "c"})
							if err == nil && res.Matched != int64(len(rows)) {
								err = fmt.Errorf("matched %d of %d", res.Matched, len(rows))
							}
							return err
						}},
						{"hand-written", n, func(db *gorm.DB, rows []bulkRow) error {
							return baseline.HandWritten(ctx, db, bulkTable, flatten(rows))
						}},
						{"case-when", n, func(db *gorm.DB, rows []bulkRow) error {
							return baseline.CaseWhen(ctx, db, bulkTable, flatten(rows))
						}},
						{"updates-per-row", min(n, updatesRowSample), func(db *gorm.DB, rows []bulkRow) error {
							return baseline.UpdatesPerRow(ctx, db, len(rows), func(i int) (any, map[string]any) {
								return &bulkRow{ID: rows[i].ID}, map[string]any{"a": rows[i].A, "b": rows[i].B, "c": rows[i].C}
							})
						}},
						{"first-save", min(n, firstSaveSample), func(db *gorm.DB, rows []bulkRow) error {
							return baseline.FirstSave(ctx, db, len(rows), func(i int) any { return rows[i].ID },
								func(i int, r *bulkRow) { r.A, r.B, r.C = rows[i].A, rows[i].B, rows[i].C })
						}},
					}
					for _, s := range strategies {
						b.Run(s.name, func(b *testing.B) {
							b.ReportAllocs()
							// Warm up untimed at full size: caches, one-time dialect
							// probes, buffer pool, and the undo of the previous
							// strategy's writes, so each strategy starts alike.
							if err := s.run(db.DB, benchValues(s.sample, 0)); err != nil {
								b.Fatal(err)
							}
							it := 0
							for b.Loop() {
								b.StopTimer()
								it++
								rows := benchValues(s.sample, it)
								b.StartTimer()
								if err := s.run(db.DB, rows); err != nil {
									b.Fatal(err)
								}
							}
							b.ReportMetric(float64(s.sample)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
						})
					}
				})
			}
		})
	}
}

// BenchmarkUpdate compares one conditional UPDATE of 100,000 rows with the
// same update Chunked into 10,000-row primary-key ranges.
func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	for _, dialect := range benchDialects {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			seedBulk(b, db, n)
			for _, s := range []struct {
				name string
				opts []batch.UpdateOption
			}{{"one-statement", nil}, {"chunked-10000", []batch.UpdateOption{batch.Size(10_000), batch.CommitEach()}}} {
				b.Run(s.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						got, err := batch.Update(ctx, db.Model(&bulkRow{}).Where("id > ?", 0), map[string]any{"b": gorm.Expr("b + 1")}, s.opts...)
						if err != nil {
							b.Fatal(err)
						}
						if got != n {
							b.Fatalf("matched %d, want %d", got, n)
						}
					}
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}
