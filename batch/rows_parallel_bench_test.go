package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// BenchmarkUpdateRowsWorkers compares UpdateRows over one connection
// (atomic, and CommitEach) with Workers(2) and Workers(4), writing 3 columns
// of 100,000 rows. Compare ratios measured in one run:
//
//	go test -run '^$' -bench BenchmarkUpdateRowsWorkers -benchtime 3x ./batch/
func BenchmarkUpdateRowsWorkers(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	for _, dialect := range benchDialects {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			seedBulk(b, db, n)
			for _, s := range []struct {
				name string
				opts []batch.RowsOption
			}{
				{"atomic", nil},
				{"commit-each", []batch.RowsOption{batch.CommitEach()}},
				{"workers-2", []batch.RowsOption{batch.Workers(2)}},
				{"workers-4", []batch.RowsOption{batch.Workers(4)}},
			} {
				b.Run(s.name, func(b *testing.B) {
					b.ReportAllocs()
					run := func(rows []bulkRow) {
						res, err := batch.UpdateRows(ctx, db.DB, rows, []string{"a", "b", "c"}, s.opts...)
						if err == nil && res.Matched != int64(len(rows)) {
							err = fmt.Errorf("matched %d of %d", res.Matched, len(rows))
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					run(benchValues(n, 0)) // warm up untimed, as BenchmarkUpdateRows does
					it := 0
					for b.Loop() {
						b.StopTimer()
						it++
						rows := benchValues(n, it)
						b.StartTimer()
						run(rows)
					}
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}
