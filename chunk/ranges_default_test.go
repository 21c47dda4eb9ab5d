package chunk_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Ranges with its default size on tables of exactly DefaultRangesSize rows
// and one more: one full chunk, then one full chunk and a chunk of one row;
// every row bumped once; Purge's and Plan's default (DefaultSize) on the
// same table; a Purge stopped by Before keeps its account.
func TestRangesDefaultSizeAtTheBoundary(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		seedRunItems(t, db, chunk.DefaultRangesSize+1)
		for _, tc := range []struct {
			where  string
			rows   int64
			chunks int64
		}{
			{"id <= 10000", 10000, 1},
			{"id <= 10001", 10001, 2},
		} {
			dbtest.MustExec(t, db.DB, "UPDATE run_items SET counter = 0")
			var ranges []chunk.Range
			rep, err := chunk.Ranges(ctx, db.Model(&runItem{}).Where(tc.where), func(rows *gorm.DB, r chunk.Range) error {
				ranges = append(ranges, r)
				return bumpRows(rows, r)
			})
			if err != nil || rep.Rows != tc.rows || rep.Chunks != tc.chunks {
				t.Fatalf("%s: %+v, %v; want %d rows in %d chunks", tc.where, rep, err, tc.rows, tc.chunks)
			}
			if r := ranges[0]; r.Rows != chunk.DefaultRangesSize || !slices.Equal(r.Last, []any{int64(10000)}) {
				t.Errorf("%s: first range %+v, want 10000 rows up to 10000", tc.where, r)
			}
			if tc.chunks == 2 {
				if r := ranges[1]; r.Rows != 1 || !slices.Equal(r.After, []any{int64(10000)}) || !slices.Equal(r.Last, []any{int64(10001)}) {
					t.Errorf("%s: second range %+v, want (10000, 10001] with 1 row", tc.where, r)
				}
			}
			for id, c := range counters(t, db.DB) {
				if want := map[bool]int64{true: 1, false: 0}[id <= tc.rows]; c != want {
					t.Fatalf("%s: row %d counter %d, want %d", tc.where, id, c, want)
				}
			}
		}
		p, err := chunk.Plan(ctx, db.Model(&runItem{}).Where("id > ?", 5000))
		if err != nil || p.Size != chunk.DefaultSize || p.Matching != 5001 || p.Chunks != 6 {
			t.Fatalf("Plan: %+v, %v; want Size %d, 5001 matching in 6 chunks", p, err, chunk.DefaultSize)
		}
		// Purge with its default size, stopped after its third chunk.
		n := 0
		stop := chunk.Callbacks{Before: func(context.Context, chunk.Info) error {
			if n++; n > 3 {
				return chunk.ErrStop
			}
			return nil
		}}
		rep, err := chunk.Purge(ctx, db.Model(&runItem{}).Where("id > ?", 5000), chunk.Hooks(stop))
		if err != nil || !rep.Stopped || rep.Rows != 3*chunk.DefaultSize || rep.Chunks != 3 {
			t.Fatalf("Purge: %+v, %v; want 3 chunks of %d deleted, then stopped", rep, err, chunk.DefaultSize)
		}
		var left int64
		if err := db.Model(&runItem{}).Count(&left).Error; err != nil || left != 10001-3*chunk.DefaultSize {
			t.Fatalf("%d rows left, %v; want %d", left, err, 10001-3*chunk.DefaultSize)
		}
		var lowest int64
		if err := db.Model(&runItem{}).Where("id > ?", 5000).Select("MIN(id)").Scan(&lowest).Error; err != nil || lowest != 8001 {
			t.Fatalf("lowest id left above 5000: %d, %v; want 8001", lowest, err)
		}
	})
}
