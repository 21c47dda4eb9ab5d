package index_test

import (
	"context"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// benchJob is the table of the chunked-update benchmark, with rows of about
// 150 bytes: 2% of the jobs are pending (half of them older than
// benchCutoff) and 0.1% stuck (all older).
type benchJob struct {
	ID        int64  `gorm:"primaryKey"`
	Status    string `gorm:"size:16"`
	CreatedAt time.Time
	Attempts  int64
	Payload   string `gorm:"size:128"`
}

func (benchJob) TableName() string { return "jobs" }

const benchCutoff = "2026-01-01 08:20:00"

// benchRows is how many jobs each dialect gets: 1,000,000 on SQLite, 200,000
// on the servers.
var benchRows = map[string]int{dbtest.SQLite: 1_000_000, dbtest.Postgres: 200_000, dbtest.MySQL: 200_000}

// digits makes 0..999999 from six cross-joined digit tables (MySQL, MariaDB).
const digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 " +
	"UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"

// benchSeed fills jobs set-based: job x is pending when x % 50 = 0, stuck
// when x % 1000 = 1, and was created (x * 37) % 1000 minutes after
// 2026-01-01; its payload is 100 bytes.
var benchSeed = map[string]string{
	dbtest.SQLite: `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
INSERT INTO jobs (id, status, created_at, attempts, payload)
SELECT x, CASE WHEN x % 50 = 0 THEN 'pending' WHEN x % 1000 = 1 THEN 'stuck' ELSE 'done' END,
 strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || ((x * 37) % 1000) || ' minutes'), 0, printf('%0100d', x) FROM c`,
	dbtest.Postgres: `INSERT INTO jobs (id, status, created_at, attempts, payload)
SELECT x, CASE WHEN x % 50 = 0 THEN 'pending' WHEN x % 1000 = 1 THEN 'stuck' ELSE 'done' END,
 timestamp '2026-01-01' + ((x * 37) % 1000) * interval '1 minute', 0, lpad(x::text, 100, '0') FROM generate_series(1, ?) AS x`,
	dbtest.MySQL: `INSERT INTO jobs (id, status, created_at, attempts, payload)
SELECT x, CASE WHEN x % 50 = 0 THEN 'pending' WHEN x % 1000 = 1 THEN 'stuck' ELSE 'done' END,
 TIMESTAMP '2026-01-01 00:00:00' + INTERVAL ((x * 37) % 1000) MINUTE, 0, LPAD(x, 100, '0')
FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d + 1 AS x
 FROM ` + digits + ` a, ` + digits + ` b, ` + digits + ` c, ` + digits + ` e, ` + digits + ` f, ` + digits + ` g) AS n
WHERE x <= ?`,
}

// BenchmarkChunkedUpdate runs batch.Update with Size(1000) and CommitEach on "jobs of
// a status created before the cutoff" without an index, with an index on
// the filter columns, and with the index Advise recommends for a chunked
// run: the equality column followed by the primary key the chunks are cut
// along (index.Covers(ctx, db, &benchJob{}, "status", "id")). It matches 1%
// (pending) and 0.1% (stuck) of the rows.
func BenchmarkChunkedUpdate(b *testing.B) {
	strategies := []struct {
		name string
		def  *index.Def
	}{
		{"no-index", nil},
		{"index(status,created_at)", &index.Def{Name: "idx_jobs_status_created_at", Columns: []string{"status", "created_at"}}},
		{"index(status,id)", &index.Def{Name: "idx_jobs_status_id", Columns: []string{"status", "id"}}},
	}
	filters := []struct{ name, status string }{{"match=1%", "pending"}, {"match=0.1%", "stuck"}}
	for _, dialect := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.Open(b, dialect)
			dbtest.Migrate(b, db, &benchJob{})
			dbtest.MustExec(b, db.DB, benchSeed[dialect], benchRows[dialect])
			for _, s := range strategies {
				b.Run(s.name, func(b *testing.B) {
					if s.def != nil {
						if _, err := index.Ensure(ctx, db.DB, []any{index.On(&benchJob{}, *s.def)}); err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() {
							if err := db.Migrator().DropIndex(&benchJob{}, s.def.Name); err != nil {
								b.Error(err)
							}
						})
					}
					covered, err := index.Covers(ctx, db.DB, &benchJob{}, "status", "id")
					if err != nil || covered != (s.name == "index(status,id)") {
						b.Fatalf("Covers(status, id) = %v, %v", covered, err)
					}
					analyze(b, db)
					for _, f := range filters {
						b.Run(f.name, func(b *testing.B) {
							q := func() *gorm.DB {
								return db.Model(&benchJob{}).Where("status = ? AND created_at < ?", f.status, benchCutoff)
							}
							var want int64
							if err := q().Count(&want).Error; err != nil {
								b.Fatal(err)
							}
							b.ReportAllocs()
							for b.Loop() {
								n, err := batch.Update(ctx, q(), map[string]any{"attempts": gorm.Expr("attempts + 1")}, batch.Size(1000), batch.CommitEach())
								if err != nil {
									b.Fatal(err)
								}
								if n != want {
									b.Fatalf("updated %d rows, want %d", n, want)
								}
							}
							b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
						})
					}
				})
			}
		})
	}
}

// analyze refreshes the planner's statistics.
func analyze(b *testing.B, db *dbtest.DB) {
	b.Helper()
	stmt := map[string]string{dbtest.SQLite: "ANALYZE", dbtest.Postgres: "ANALYZE jobs", dbtest.MySQL: "ANALYZE TABLE jobs"}[db.Dialect]
	dbtest.MustExec(b, db.DB, stmt)
}
