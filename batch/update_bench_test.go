package batch_test

import (
	"context"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// BenchmarkUpdateVsOneStatement runs batch.Update and the same conditional
// UPDATE through GORM's Updates in turn within each iteration, timing each
// separately so that load from other processes weighs on both alike, and
// reports batch.Update's throughput relative to GORM's (on MySQL/MariaDB
// without clientFoundRows batch.Update also counts the matched rows).
func BenchmarkUpdateVsOneStatement(b *testing.B) {
	ctx := context.Background()
	const n = 30_000
	for _, dialect := range benchDialects {
		b.Run(dialect, func(b *testing.B) {
			db := dbtest.Open(b, dialect)
			seedBulk(b, db, n)
			values := map[string]any{"b": gorm.Expr("b + 1"), "c": "x"}
			runs := []func() error{
				func() error {
					return db.WithContext(ctx).Model(&bulkRow{}).Where("id > ?", 0).Updates(values).Error
				},
				func() error {
					got, err := batch.Update(ctx, db.Model(&bulkRow{}).Where("id > ?", 0), values)
					if err == nil && got != n {
						b.Fatalf("matched %d, want %d", got, n)
					}
					return err
				},
			}
			spent := make([]time.Duration, len(runs))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				for k := range runs {
					j := (i + k) % len(runs)
					start := time.Now()
					if err := runs[j](); err != nil {
						b.Fatal(err)
					}
					spent[j] += time.Since(start)
				}
				i++
			}
			b.ReportMetric(float64(n*i)/spent[0].Seconds(), "gorm-rows/s")
			b.ReportMetric(float64(n*i)/spent[1].Seconds(), "batch-rows/s")
			b.ReportMetric(spent[0].Seconds()/spent[1].Seconds(), "batch/gorm")
		})
	}
}
