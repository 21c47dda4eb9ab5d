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

// BenchmarkUpdateRowsBulkLoad compares UpdateRows with BulkLoad against the
// hand-written bulk-load form of each dialect (internal/baseline.BulkLoad:
// COPY into a temporary table on PostgreSQL, a temporary table filled by
// multi-row INSERTs on MySQL/MariaDB) and UpdateRows' default statements,
// writing 3 columns of 100,000 rows:
//
//	go test -run '^$' -bench BenchmarkUpdateRowsBulkLoad -benchtime 3x ./batch/
func BenchmarkUpdateRowsBulkLoad(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	gormup := func(opts ...batch.RowsOption) func(db *gorm.DB, rows []bulkRow) error {
		return func(db *gorm.DB, rows []bulkRow) error {
			res, err := batch.UpdateRows(ctx, db, rows, []string{"a", "b", "c"}, opts...)
			if err == nil && res.Matched != int64(len(rows)) {
				err = fmt.Errorf("matched %d of %d", res.Matched, len(rows))
			}
			return err
		}
	}
	for _, dialect := range []string{dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			seedBulk(b, db, n)
			for _, s := range []struct {
				name string
				run  func(db *gorm.DB, rows []bulkRow) error
			}{
				{"hand-written-bulkload", func(db *gorm.DB, rows []bulkRow) error {
					return baseline.BulkLoad(ctx, db, bulkTable, flatten(rows))
				}},
				{"gormup-bulkload", gormup(batch.BulkLoad())},
				{"gormup", gormup()},
			} {
				b.Run(s.name, func(b *testing.B) {
					b.ReportAllocs()
					if err := s.run(db.DB, benchValues(n, 0)); err != nil { // warm-up, untimed
						b.Fatal(err)
					}
					it := 0
					for b.Loop() {
						b.StopTimer()
						it++
						rows := benchValues(n, it)
						b.StartTimer()
						if err := s.run(db.DB, rows); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}
