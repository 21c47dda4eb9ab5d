package chunk_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// runBenchRow is the table the Run benchmarks page through.
type runBenchRow struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Counter int64
	Payload string `gorm:"size:64"`
}

// runBenchKey is a key-only DTO of runBenchRow.
type runBenchKey struct{ ID int64 }

// seedRunBench inserts ids 1..n in one INSERT ... SELECT over a cross join
// of digits, which every dialect runs (recursive CTEs hit MariaDB's
// max_recursive_iterations).
func seedRunBench(b *testing.B, db *dbtest.DB, n int) {
	b.Helper()
	dbtest.Migrate(b, db, &runBenchRow{})
	digits := "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 " +
		"UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
	var from, sum []string
	for i, scale := 0, 1; i < 7; i, scale = i+1, scale*10 {
		from = append(from, fmt.Sprintf("%s d%d", digits, i))
		sum = append(sum, fmt.Sprintf("%d*d%d.n", scale, i))
	}
	q := "INSERT INTO run_bench_rows (id, counter, payload) SELECT n + 1, 0, 'a payload of some thirty bytes.' FROM (SELECT " +
		strings.Join(sum, " + ") + " AS n FROM " + strings.Join(from, ", ") + ") x WHERE n < ?"
	dbtest.MustExec(b, db.DB, q, n)
}

// bumpRange is the set-based work of the benchmarks: one UPDATE per chunk.
func bumpRange[T any](key func(T) int64) func(tx *gorm.DB, part []T) error {
	return func(tx *gorm.DB, part []T) error {
		return tx.Exec("UPDATE run_bench_rows SET counter = counter + 1 WHERE id BETWEEN ? AND ?",
			key(part[0]), key(part[len(part)-1])).Error
	}
}

// peakHeap runs fn while sampling the bytes of live heap objects, and
// returns the highest sample above the level measured after a GC at start.
// The GC and the base reading run with b's timer stopped.
func peakHeap(b *testing.B, fn func() error) (uint64, error) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	b.StopTimer()
	runtime.GC()
	base := read()
	b.StartTimer()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := fn()
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	if peak < base {
		return 0, err
	}
	return peak - base, err
}

// BenchmarkRunMemory shows that Run's peak heap does not grow with the
// table: the full table and a tenth of it peak at the same level (one chunk
// of 1000 whole rows).
func BenchmarkRunMemory(b *testing.B) {
	for _, tc := range []struct {
		dialect string
		rows    int
	}{{dbtest.SQLite, 1_000_000}, {dbtest.Postgres, 200_000}, {dbtest.MySQL, 200_000}} {
		b.Run(tc.dialect, func(b *testing.B) {
			db := dbtest.Open(b, tc.dialect)
			seedRunBench(b, db, tc.rows)
			work := bumpRange(func(r runBenchRow) int64 { return r.ID })
			for _, n := range []int{tc.rows / 10, tc.rows} {
				b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
					scope := db.Model(&runBenchRow{}).Where("id <= ?", n)
					var peak uint64
					b.ReportAllocs()
					for b.Loop() {
						p, err := peakHeap(b, func() error {
							rep, err := chunk.Run(context.Background(), scope, work, chunk.Size(1000))
							if err == nil && rep.Rows != int64(n) {
								err = fmt.Errorf("processed %d rows, want %d", rep.Rows, n)
							}
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
						peak = max(peak, p)
					}
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// BenchmarkRunThroughput compares Ranges and Run, with one set-based
// UPDATE per chunk as their work, against a single UPDATE of the same rows.
// On PostgreSQL every strategy starts from a vacuumed table, so that the dead
// tuples of the previous one do not slow it down.
func BenchmarkRunThroughput(b *testing.B) {
	const rows = 200_000
	for _, dialectName := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialectName, func(b *testing.B) {
			db := dbtest.Open(b, dialectName)
			seedRunBench(b, db, rows)
			ctx := context.Background()
			// Every strategy checks that it processed all the rows.
			want := func(what string, got int64, err error) error {
				if err == nil && got != rows {
					err = fmt.Errorf("%s: %d rows, want %d", what, got, rows)
				}
				return err
			}
			ranges := func(size int) func() error {
				return func() error {
					rep, err := chunk.Ranges(ctx, db.Model(&runBenchRow{}), func(rows *gorm.DB, _ chunk.Range) error {
						return rows.Update("counter", gorm.Expr("counter + 1")).Error
					}, chunk.Size(size))
					return want("Ranges", rep.Rows, err)
				}
			}
			keyDTO := func(size int) func() error {
				return func() error {
					rep, err := chunk.Run(ctx, db.Model(&runBenchRow{}), bumpRange(func(k runBenchKey) int64 { return k.ID }), chunk.Size(size))
					return want("Run", rep.Rows, err)
				}
			}
			strategies := []struct {
				name string
				run  func() error
			}{
				{"single-update", func() error {
					res := db.Exec("UPDATE run_bench_rows SET counter = counter + 1")
					return want("single UPDATE", res.RowsAffected, res.Error)
				}},
				{"run-ranges-size-10000", ranges(10000)},
				{"run-ranges-size-50000", ranges(50000)},
				{"run-key-dto-size-10000", keyDTO(10000)},
				{"run-key-dto-size-1000", keyDTO(1000)},
				{"run-model-size-1000", func() error {
					rep, err := chunk.Run(ctx, db.DB, bumpRange(func(r runBenchRow) int64 { return r.ID }), chunk.Size(1000))
					return want("Run", rep.Rows, err)
				}},
			}
			for _, s := range strategies {
				b.Run(s.name, func(b *testing.B) {
					if dialectName == dbtest.Postgres {
						dbtest.MustExec(b, db.DB, "VACUUM run_bench_rows")
					}
					b.ReportAllocs()
					for b.Loop() {
						if err := s.run(); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// BenchmarkRunRangesVsSingleUpdate times, in each iteration and in
// alternating order, one UPDATE of every row and Ranges doing the same
// update per chunk, and reports their throughput ratio — paired, so that the
// load of a shared machine affects both sides alike — at the default size
// and larger ones.
func BenchmarkRunRangesVsSingleUpdate(b *testing.B) {
	const rows = 200_000
	for _, dialectName := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialectName, func(b *testing.B) {
			db := dbtest.Open(b, dialectName)
			seedRunBench(b, db, rows)
			if dialectName == dbtest.Postgres {
				// Statistics, as a table in service has: without them the
				// planner sorts the table for each chunk's bounds.
				dbtest.MustExec(b, db.DB, "ANALYZE run_bench_rows")
			}
			ctx := context.Background()
			for _, size := range []int{chunk.DefaultSize, 5_000, 10_000, 50_000} {
				b.Run(fmt.Sprintf("size-%d", size), func(b *testing.B) {
					single := func() error {
						res := db.Exec("UPDATE run_bench_rows SET counter = counter + 1")
						if res.Error == nil && res.RowsAffected != rows {
							return fmt.Errorf("single UPDATE affected %d rows, want %d", res.RowsAffected, rows)
						}
						return res.Error
					}
					ranges := func() error {
						rep, err := chunk.Ranges(ctx, db.Model(&runBenchRow{}), func(rows *gorm.DB, _ chunk.Range) error {
							return rows.Update("counter", gorm.Expr("counter + 1")).Error
						}, chunk.Size(size))
						if err == nil && rep.Rows != rows {
							err = fmt.Errorf("Ranges processed %d rows, want %d", rep.Rows, rows)
						}
						return err
					}
					timed := func(fn func() error) time.Duration {
						start := time.Now()
						if err := fn(); err != nil {
							b.Fatal(err)
						}
						return time.Since(start)
					}
					var tSingle, tRanges time.Duration
					i := 0
					b.ReportAllocs()
					for b.Loop() {
						if i%2 == 0 {
							tSingle += timed(single)
							tRanges += timed(ranges)
						} else {
							tRanges += timed(ranges)
							tSingle += timed(single)
						}
						i++
					}
					b.ReportMetric(float64(rows*i)/tSingle.Seconds(), "single-rows/s")
					b.ReportMetric(float64(rows*i)/tRanges.Seconds(), "ranges-rows/s")
					b.ReportMetric(tSingle.Seconds()/tRanges.Seconds(), "ranges/single")
				})
			}
		})
	}
}
