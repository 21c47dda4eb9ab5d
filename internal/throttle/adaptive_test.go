package throttle_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/throttle"
)

// work is a row whose update costs about CostUs microseconds on the server.
type work struct {
	ID     int64 `gorm:"primaryKey;autoIncrement:false"`
	CostUs int
	V      int
}

// perRowCost is an expression that sleeps about cost_us microseconds per
// row: the server's sleep function; on SQLite, sleep_us, a function of the
// test's own driver (sleepingSQLite).
var perRowCost = map[string]string{
	dbtest.Postgres: "0 * length(pg_sleep(cost_us / 1000000.0)::text)",
	dbtest.MySQL:    "SLEEP(cost_us / 1000000)",
	dbtest.SQLite:   "sleep_us(cost_us)",
}

// sleepingDriver is a go-sqlite3 driver whose connections have sleep_us(n),
// which sleeps n microseconds and returns 0, evaluated per row.
const sleepingDriver = "sqlite3_gormup_sleep"

var registerSleeping sync.Once

// sleepingSQLite opens db's SQLite file through sleepingDriver.
func sleepingSQLite(t *testing.T, db *dbtest.DB) *gorm.DB {
	t.Helper()
	registerSleeping.Do(func() {
		sql.Register(sleepingDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.RegisterFunc("sleep_us", func(us int64) int64 {
				time.Sleep(time.Duration(us) * time.Microsecond)
				return 0
			}, false)
		}})
	})
	g, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sleepingDriver, DSN: db.DSN}), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := g.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return g
}

// TestSizerConvergesOnEveryDatabase runs chunked updates whose rows have a
// seeded per-row cost, sized by a Sizer, and requires the chunk transactions
// to settle within ±30% of the target: the median of the last chunks.
func TestSizerConvergesOnEveryDatabase(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		expr, ok := perRowCost[db.Dialect]
		if !ok {
			t.Skipf("no per-row cost expression for %s", db.Dialect)
		}
		const (
			target  = 200 * time.Millisecond
			nRows   = 10000
			settled = 11 // chunks whose median is judged
		)
		dbtest.Migrate(t, db, &work{})
		rng := rand.New(rand.NewPCG(16, 1))
		rows := make([]work, nRows)
		for i := range rows {
			rows[i] = work{ID: int64(i + 1), CostUs: 500 + rng.IntN(1001)} // 0.5-1.5 ms
		}
		dbtest.Seed(t, db.DB, rows)
		conn := db.DB
		if db.Dialect == dbtest.SQLite {
			conn = sleepingSQLite(t, db)
		}

		var failures []string
		for attempt := 1; attempt <= 3 && len(failures) == attempt-1; attempt++ {
			sizer, err := throttle.NewSizer(throttle.SizerConfig{Target: target, Initial: 20, Grow: 0.25})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var last int64
			var took []time.Duration
			var sizes []int
			for last < nRows && len(took) < 45 {
				n := sizer.Size()
				var done int64
				start := time.Now()
				err := conn.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					res := tx.Exec("UPDATE works SET v = v + 1 + "+expr+" WHERE id > ? AND id <= ?", last, last+int64(n))
					done = res.RowsAffected
					return res.Error
				})
				d := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				last += int64(n)
				took, sizes = append(took, d), append(sizes, n)
				sizer.Observe(int(done), d)
			}
			if len(took) < settled+5 {
				t.Fatalf("only %d chunks ran (sizes %v): too few to judge", len(took), sizes)
			}
			tail := slices.Clone(took[len(took)-settled:])
			if last >= nRows {
				tail = slices.Clone(took[len(took)-settled-1 : len(took)-1]) // the last chunk may be short
			}
			slices.Sort(tail)
			med := tail[len(tail)/2]
			lo, hi := target*7/10, target*13/10
			t.Logf("%d chunks, sizes %v, settled median %s", len(took), sizes, med)
			if med < lo || med > hi {
				// Chunk times are wall-clock times on a shared machine: a run
				// disturbed by other load is run again from a fresh table, up
				// to three times, before the sizer is blamed.
				failures = append(failures, fmt.Sprintf("median of the last %d chunk times is %s, outside [%s, %s]; times %v, sizes %v", settled, med, lo, hi, took, sizes))
				if err := db.Exec("UPDATE works SET v = 0").Error; err != nil {
					t.Fatal(err)
				}
				continue
			}
			// Every row the chunks covered was updated exactly once.
			var wrong int64
			if err := db.Model(&work{}).Where("(id <= ? AND v <> 1) OR (id > ? AND v <> 0)", last, last).Count(&wrong).Error; err != nil || wrong != 0 {
				t.Errorf("%d rows updated other than exactly once (%v)", wrong, err)
			}
		}
		if len(failures) == 3 {
			t.Errorf("the sizer missed the target in 3 runs:\n%s", strings.Join(failures, "\n"))
		}
	})
}
