package hooks_test

import (
	"fmt"
	"testing"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// benchRows is the number of accounts the plugin benchmarks update in turn.
const benchRows = 1000

// BenchmarkPlugins measures what each plugin adds to a single-row UPDATE by
// primary key (GORM's Update in its default transaction, and Exec), per
// dialect. The audit strategies attach one change, so they also insert one
// audit row per UPDATE.
func BenchmarkPlugins(b *testing.B) {
	strategies := []struct {
		name    string
		plugins func() []gorm.Plugin
		changes bool
		exec    bool
	}{
		{"none", func() []gorm.Plugin { return nil }, false, false},
		{"guard", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Guard{}} }, false, false},
		{"stats", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Stats{}} }, false, false},
		{"audit", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Audit{}} }, true, false},
		{"all", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Guard{}, &hooks.Stats{}, &hooks.Audit{}} }, true, false},
		{"none-exec", func() []gorm.Plugin { return nil }, false, true},
		{"guard-exec", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Guard{}} }, false, true},
		{"audit-exec", func() []gorm.Plugin { return []gorm.Plugin{&hooks.Audit{}} }, true, true},
	}
	for _, dialect := range []string{dbtest.SQLite, dbtest.Postgres, dbtest.MySQL} {
		b.Run(dialect, func(b *testing.B) {
			for _, s := range strategies {
				b.Run(s.name, func(b *testing.B) {
					db := dbtest.Open(b, dialect)
					dbtest.Migrate(b, db, &auditAccount{})
					seed := make([]auditAccount, benchRows)
					for i := range seed {
						seed[i] = auditAccount{ID: int64(i + 1), Name: fmt.Sprint("n", i)}
					}
					dbtest.Seed(b, db.DB, seed)
					for _, p := range s.plugins() {
						if err := db.Use(p); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						i++
						id := int64(i%benchRows + 1)
						tx := db.DB
						if s.changes {
							tx = hooks.WithChanges(tx, []hooks.Change{balanceChange(id, 0, int64(i))})
						}
						var err error
						if s.exec {
							err = tx.Exec("UPDATE audit_accounts SET balance = ? WHERE id = ?", i, id).Error
						} else {
							err = tx.Model(&auditAccount{ID: id}).Update("balance", i).Error
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}
