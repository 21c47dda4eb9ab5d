package chunk_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// BenchmarkTargetChunkTime measures how close TargetChunkTime brings each
// chunk's transaction to the target, with a per-row cost the benchmark
// controls (a sleep per row on top of the set-based UPDATE): it reports the
// median and the worst of the last ten chunks' times over the target
// (1.00 = on target). Run it with -benchtime=1x.
func BenchmarkTargetChunkTime(b *testing.B) {
	const (
		rows    = 30_000
		target  = 100 * time.Millisecond
		cost    = 50 * time.Microsecond
		initial = 50
	)
	for _, dialectName := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialectName, func(b *testing.B) {
			db := dbtest.Open(b, dialectName)
			seedRunBench(b, db, rows)
			work := func(q *gorm.DB, r chunk.Range) error {
				time.Sleep(time.Duration(r.Rows) * cost)
				return q.Update("counter", gorm.Expr("counter + 1")).Error
			}
			var median, worst float64
			for b.Loop() {
				var took []time.Duration
				var began time.Time
				cb := chunk.Callbacks{
					Before:      func(context.Context, chunk.Info) error { began = time.Now(); return nil },
					AfterCommit: func(context.Context, chunk.Info) { took = append(took, time.Since(began)) },
				}
				rep, err := chunk.Ranges(context.Background(), db.Model(&runBenchRow{}), work,
					chunk.Size(initial), chunk.TargetChunkTime(target), chunk.Hooks(cb))
				if err != nil || rep.Rows != rows {
					b.Fatalf("Ranges = %+v, %v", rep, err)
				}
				last := took[max(0, len(took)-11) : len(took)-1] // the final chunk is short
				ratios := make([]float64, len(last))
				for i, d := range last {
					ratios[i] = float64(d) / float64(target)
				}
				slices.Sort(ratios)
				median = ratios[len(ratios)/2]
				worst = max(1-ratios[0], ratios[len(ratios)-1]-1)
			}
			b.ReportMetric(median, "median-chunk/target")
			b.ReportMetric(worst, "worst-deviation")
		})
	}
}
