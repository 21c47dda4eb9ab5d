package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// bulkRow is the table of the large-input tests and benchmarks.
type bulkRow struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`
	A  int64
	B  int64
	C  string `gorm:"size:32"`
}

// seedBulk creates n bulk rows with IDs 1..n, inserted with multi-row
// statements sized for every dialect's parameter limit.
func seedBulk(tb testing.TB, db *dbtest.DB, n int) {
	tb.Helper()
	dbtest.Migrate(tb, db, &bulkRow{})
	const per = 500 // 4 columns: 2,000 parameters, under SQL Server's 2,100
	rows := make([]bulkRow, 0, per)
	for id := 1; id <= n; id++ {
		rows = append(rows, bulkRow{ID: int64(id), C: "seed"})
		if len(rows) == per || id == n {
			if err := db.Session(&gorm.Session{SkipDefaultTransaction: true}).Create(&rows).Error; err != nil {
				tb.Fatalf("seeding: %v", err)
			}
			rows = rows[:0]
		}
	}
}

func TestUpdateRowsHundredThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping 100,000 rows")
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 100_000
		seedBulk(t, db, n)
		rows := make([]bulkRow, n)
		for i := range rows {
			id := int64(i + 1)
			rows[i] = bulkRow{ID: id, A: id * 2, B: -id, C: fmt.Sprintf("v%d", id)}
		}
		res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		// DefaultSize rows per statement; on SQLite at most 1,000
		// parameters: (1000-2)/4 = 249 rows of 4 values.
		statements := n / batch.DefaultSize
		if db.Dialect == dbtest.SQLite {
			statements = (n + 248) / 249
		}
		if res.Matched != n || res.Missing != 0 || res.Statements != statements {
			t.Fatalf("Result = Matched %d, Missing %d, Statements %d; want %d matched in %d statements", res.Matched, res.Missing, res.Statements, n, statements)
		}
		var wrong int64
		err = db.Model(&bulkRow{}).Where("a <> id * 2 OR b <> -id OR c <> " + concatID(db.Dialect)).Count(&wrong).Error
		if err != nil || wrong != 0 {
			t.Fatalf("%d rows hold wrong values (%v)", wrong, err)
		}
	})
}

// concatID renders 'v' || id per dialect for the read-back check.
func concatID(dialect string) string {
	if dialect == dbtest.MySQL {
		return "CONCAT('v', id)"
	}
	return "('v' || CAST(id AS TEXT))"
}
