package baseline_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/internal/baseline"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

type item struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Qty   int64
	Label string
}

var itemTable = baseline.Table{Name: "items", Key: "id", Columns: []string{"qty", "label"}, Types: []string{"bigint", "bigint", "text"}}

// Every strategy must do the same, correct work, or the benchmarks that
// compare them measure nothing.
func TestStrategiesWriteTheSameValues(t *testing.T) {
	const n = 4500 // three chunks of ChunkRows, the last one short
	strategies := map[string]func(ctx context.Context, db *gorm.DB, rows [][]any) error{
		"hand-written": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.HandWritten(ctx, db, itemTable, rows)
		},
		"bulk-load": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.BulkLoad(ctx, db, itemTable, rows)
		},
		"values-join": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.ValuesJoin(ctx, db, itemTable, rows)
		},
		"case-when": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.CaseWhen(ctx, db, itemTable, rows)
		},
		"updates-per-row": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.UpdatesPerRow(ctx, db, len(rows), func(i int) (any, map[string]any) {
				return &item{ID: rows[i][0].(int64)}, map[string]any{"qty": rows[i][1], "label": rows[i][2]}
			})
		},
		"first-save": func(ctx context.Context, db *gorm.DB, rows [][]any) error {
			return baseline.FirstSave(ctx, db, len(rows), func(i int) any { return rows[i][0] }, func(i int, it *item) {
				it.Qty, it.Label = rows[i][1].(int64), rows[i][2].(string)
			})
		},
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for name, run := range strategies {
			t.Run(name, func(t *testing.T) {
				if err := db.Migrator().DropTable(&item{}); err != nil {
					t.Fatal(err)
				}
				dbtest.Migrate(t, db, &item{})
				seed := make([]item, n+1) // one row the update must leave alone
				for i := range seed {
					seed[i] = item{ID: int64(i + 1), Qty: -1, Label: "old"}
				}
				dbtest.Seed(t, db.DB, seed)
				rows := make([][]any, 0, n)
				for i := range n {
					rows = append(rows, []any{int64(i + 1), int64(i * 3), fmt.Sprintf("new-%d", i)})
				}
				size := n
				if name == "first-save" {
					size = 50 // the naive way is slow; 50 rows prove it correct
				}
				if err := run(context.Background(), db.DB, rows[:size]); err != nil {
					t.Fatal(err)
				}
				var got []item
				if err := db.Order("id").Find(&got).Error; err != nil {
					t.Fatal(err)
				}
				for i, it := range got {
					want := item{ID: int64(i + 1), Qty: -1, Label: "old"}
					if i < size {
						want = item{ID: int64(i + 1), Qty: int64(i * 3), Label: fmt.Sprintf("new-%d", i)}
					}
					if it != want {
						t.Fatalf("row %d = %+v, want %+v", i+1, it, want)
					}
				}
			})
		}
	})
}
