package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// flagRow has no autoUpdateTime and no version field, so an UPDATE writing
// the value a row already holds leaves it unchanged: on MySQL/MariaDB
// without clientFoundRows RowsAffected would not count it.
type flagRow struct {
	ID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Status string `gorm:"size:16"`
	Active bool
}

// TestUpdateCountsUnchangedRowsExactly: batch.Update returns the rows
// matched, changed or not, on every entry (plain, chunked, restricted with
// db.Select, MaxRows), read back against the rows the condition selects.
func TestUpdateCountsUnchangedRowsExactly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		dbtest.Migrate(t, db, &flagRow{})
		rows := make([]flagRow, 10)
		for i := range rows {
			// Odd IDs already hold the value written below.
			rows[i] = flagRow{ID: int64(i + 1), Status: map[bool]string{true: "done", false: "open"}[i%2 == 0], Active: i%2 == 0}
		}
		dbtest.Seed(t, db.DB, rows)
		cases := []struct {
			name string
			run  func() (int64, error)
			want int64
		}{
			{"plain", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Where("id <= ?", 6), map[string]any{"status": "done"})
			}, 6},
			{"all unchanged", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Where("id <= ?", 6), map[string]any{"status": "done"})
			}, 6},
			{"none", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Where("id > ?", 100), map[string]any{"status": "done"})
			}, 0},
			{"select", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Select("active").Where("id <= ?", 8), &flagRow{Active: true})
			}, 8},
			{"chunked", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Where("id >= ?", 3), map[string]any{"active": true}, batch.Size(3), batch.CommitEach())
			}, 8},
			{"max rows", func() (int64, error) {
				return batch.Update(ctx, db.Model(&flagRow{}).Where("id <= ?", 9), map[string]any{"active": true}, batch.MaxRows(9))
			}, 9},
		}
		for _, c := range cases {
			n, err := c.run()
			if err != nil || n != c.want {
				t.Fatalf("%s: Update = %d, %v; want %d, nil", c.name, n, err, c.want)
			}
		}
		var got []flagRow
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			want := flagRow{ID: r.ID, Status: "done", Active: true}
			if r.ID > 6 && r.ID%2 == 0 {
				want.Status = "open"
			}
			if fmt.Sprint(r) != fmt.Sprint(want) {
				t.Errorf("row %d = %+v, want %+v", r.ID, r, want)
			}
		}
	})
}
