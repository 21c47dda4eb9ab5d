package updater_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// benchAccount is an 8-column table, as in docs/design.md's measurements.
type benchAccount struct {
	ID        int64 `gorm:"primaryKey"`
	Email     string
	Name      string
	Status    string `gorm:"size:32"`
	Balance   int64
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

const benchRows = 1000

func seedBench(b *testing.B, db *dbtest.DB) {
	b.Helper()
	dbtest.Migrate(b, db, &benchAccount{})
	rows := make([]benchAccount, benchRows)
	for i := range rows {
		rows[i] = benchAccount{ID: int64(i + 1), Email: fmt.Sprintf("u%d@example.com", i), Name: fmt.Sprintf("User %d", i), Status: "active", Balance: 100, Active: true}
	}
	dbtest.Seed(b, db.DB, rows)
}

// change is the work every strategy does: two columns (plus updated_at).
func change(a *benchAccount) {
	a.Balance++
	if a.Status == "active" {
		a.Status = "review"
	} else {
		a.Status = "active"
	}
}

// BenchmarkUpdateOneRow compares updater.Update with the same work written by
// hand (transaction, locking read, UPDATE of the changed columns) and with
// GORM's First+Save (autocommit, writes every column, no lock: loses updates
// under concurrency).
func BenchmarkUpdateOneRow(b *testing.B) {
	for _, name := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(name, func(b *testing.B) {
			db := dbtest.Open(b, name)
			seedBench(b, db)
			d, err := dialect.Of(context.Background(), db.DB)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range strategies {
				b.Run(s.name, func(b *testing.B) {
					b.ReportAllocs()
					n := 0
					for b.Loop() {
						if err := s.run(db.DB, d, int64(n%benchRows+1)); err != nil {
							b.Fatal(err)
						}
						n++
					}
					b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// BenchmarkUpdateOneRowInterleaved runs the three strategies in turn within
// each iteration and times each separately, so that load from other
// processes on a shared machine weighs on all of them alike; it reports
// rows/s per strategy and updater's throughput relative to hand-written.
// The order cycles through every permutation, so each strategy follows each
// of the others about equally often and none mostly inherits the garbage,
// WAL growth or cache state one particular predecessor leaves behind.
func BenchmarkUpdateOneRowInterleaved(b *testing.B) {
	for _, name := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(name, func(b *testing.B) {
			db := dbtest.Open(b, name)
			seedBench(b, db)
			d, err := dialect.Of(context.Background(), db.DB)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			spent := make([]time.Duration, len(strategies))
			n := 0
			for b.Loop() {
				for _, i := range orders[n%len(orders)] {
					start := time.Now()
					if err := strategies[i].run(db.DB, d, int64(n%benchRows+1)); err != nil {
						b.Fatal(err)
					}
					spent[i] += time.Since(start)
				}
				n++
			}
			for i, s := range strategies {
				b.ReportMetric(float64(n)/spent[i].Seconds(), s.name+"-rows/s")
			}
			b.ReportMetric(spent[1].Seconds()/spent[0].Seconds(), "updater/handwritten")
		})
	}
}

// orders is every order of the three strategies.
var orders = [][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}

var strategies = []struct {
	name string
	run  func(db *gorm.DB, d *dialect.Dialect, id int64) error
}{
	{"updater", func(db *gorm.DB, _ *dialect.Dialect, id int64) error {
		_, err := updater.Update(context.Background(), db.Where("id = ?", id), func(a *benchAccount) error { change(a); return nil })
		return err
	}},
	{"handwritten", func(db *gorm.DB, d *dialect.Dialect, id int64) error {
		return db.WithContext(context.Background()).Transaction(func(tx *gorm.DB) error {
			// LockRows is FOR UPDATE on the servers and the write lock on
			// SQLite, where GORM drops FOR UPDATE.
			locked, err := d.LockRows(tx, dialect.Lock{Strength: dialect.ForUpdate}, "bench_accounts", "id")
			if err != nil {
				return err
			}
			var a benchAccount
			if err := locked.Where("id = ?", id).Take(&a).Error; err != nil {
				return err
			}
			change(&a)
			return tx.Model(&a).UpdateColumns(map[string]any{"balance": a.Balance, "status": a.Status, "updated_at": tx.NowFunc()}).Error
		})
	}},
	{"first+save", func(db *gorm.DB, _ *dialect.Dialect, id int64) error {
		var a benchAccount
		if err := db.WithContext(context.Background()).First(&a, id).Error; err != nil {
			return err
		}
		change(&a)
		return db.WithContext(context.Background()).Save(&a).Error
	}},
}
