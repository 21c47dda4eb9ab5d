package chunk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

func bumpRows(rows *gorm.DB, r chunk.Range) error {
	res := rows.Update("counter", gorm.Expr("counter + 1"))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != int64(r.Rows) {
		return fmt.Errorf("chunk %d updated %d rows, bounds counted %d", r.Index, res.RowsAffected, r.Rows)
	}
	return nil
}

func TestRunRangesUpdatesEveryRowOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 1000)
		dbtest.MustExec(t, db.DB, "UPDATE run_items SET status = 'closed' WHERE id % 10 = 0")
		var ranges []chunk.Range
		rep, err := chunk.Ranges(context.Background(), db.Model(&runItem{}).Where("status = ?", "pending"),
			func(rows *gorm.DB, r chunk.Range) error {
				ranges = append(ranges, r)
				return bumpRows(rows, r)
			}, chunk.Size(64), chunk.Checkpoint("ranges"))
		if err != nil {
			t.Fatal(err)
		}
		// 900 matching rows: 14 chunks of 64 and one of 4.
		if rep.Rows != 900 || rep.Chunks != 15 || len(ranges) != 15 {
			t.Fatalf("report %+v, %d ranges; want 900 rows in 15 chunks", rep, len(ranges))
		}
		if r := ranges[1]; r.Index != 1 || !slices.Equal(r.After, []any{int64(71)}) || !slices.Equal(r.Last, []any{int64(142)}) || r.Rows != 64 {
			t.Fatalf("second range %+v, want (71, 142] with 64 rows", r)
		}
		if r := ranges[14]; r.Rows != 4 || !slices.Equal(r.Last, []any{int64(999)}) {
			t.Fatalf("last range %+v, want 4 rows up to 999", r)
		}
		for id, c := range counters(t, db.DB) {
			if want := map[bool]int64{true: 0, false: 1}[id%10 == 0]; c != want {
				t.Fatalf("row %d: counter %d, want %d", id, c, want)
			}
		}
		again, err := chunk.Ranges(context.Background(), db.Model(&runItem{}), bumpRows, chunk.Checkpoint("ranges"))
		if err != nil || !again.AlreadyDone {
			t.Fatalf("rerun %+v, %v; want AlreadyDone", again, err)
		}
		// Descending, in chunks that divide the 900 rows: the bounds use MIN,
		// and the tenth chunk finds none (a NULL aggregate) and finishes.
		ranges = nil
		rep, err = chunk.Ranges(context.Background(), db.Model(&runItem{}).Where("status = ?", "pending"),
			func(rows *gorm.DB, r chunk.Range) error {
				ranges = append(ranges, r)
				return bumpRows(rows, r)
			}, chunk.Size(100), chunk.OrderBy("id DESC"))
		if err != nil || rep.Rows != 900 || rep.Chunks != 9 {
			t.Fatalf("descending run %+v, %v; want 900 rows in 9 chunks", rep, err)
		}
		if r := ranges[0]; r.After != nil || !slices.Equal(r.Last, []any{int64(889)}) || r.Rows != 100 {
			t.Fatalf("first descending range %+v, want down to 889", r)
		}
		for id, c := range counters(t, db.DB) {
			if want := map[bool]int64{true: 0, false: 2}[id%10 == 0]; c != want {
				t.Fatalf("row %d: counter %d, want %d", id, c, want)
			}
		}
	})
}

func TestRunRangesCustomOrderAndFailure(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 200)
		boom := errors.New("boom")
		work := func(rows *gorm.DB, r chunk.Range) error {
			if err := bumpRows(rows, r); err != nil {
				return err
			}
			if r.Index == 4 {
				return boom
			}
			return nil
		}
		opts := []chunk.RangesOption{chunk.Size(15), chunk.OrderBy("score DESC"), chunk.Checkpoint("ranges-desc")}
		_, err := chunk.Ranges(context.Background(), db.Model(&runItem{}), work, opts...)
		var ce *chunk.ChunkError
		if !errors.As(err, &ce) || !errors.Is(err, boom) || ce.Index != 4 || ce.RowsDone != 60 || ce.FirstKey != nil {
			t.Fatalf("got %v, want a ChunkError for chunk 4 after 60 rows", err)
		}
		var done int64
		if err := db.Model(&runItem{}).Where("counter = 1").Count(&done).Error; err != nil || done != 60 {
			t.Fatalf("%d rows done (err %v), want the 60 of the committed chunks", done, err)
		}
		// The first 60 rows in (score DESC, id) order were done: the 28 of
		// score 6, the 28 of score 5 and the four lowest ids of score 4.
		type key struct{ score, id int64 }
		var order []key
		for id := int64(1); id <= 200; id++ {
			order = append(order, key{id % 7, id})
		}
		slices.SortFunc(order, func(a, b key) int {
			if a.score != b.score {
				return int(b.score - a.score)
			}
			return int(a.id - b.id)
		})
		got := counters(t, db.DB)
		for i, k := range order {
			if want := map[bool]int64{true: 1, false: 0}[i < 60]; got[k.id] != want {
				t.Fatalf("row %d (score %d, position %d): counter %d, want %d", k.id, k.score, i, got[k.id], want)
			}
		}

		rep, err := chunk.Ranges(context.Background(), db.Model(&runItem{}), bumpRows, opts...)
		if err != nil || rep.Rows != 140 || rep.RowsDone != 200 || !rep.Resumed {
			t.Fatalf("resume %+v, %v", rep, err)
		}
		wantCounters(t, counters(t, db.DB), 1, 200, 1)
	})
}

func TestRunRangesRefusesBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 3)
		ctx := context.Background()
		if _, err := chunk.Ranges(ctx, db.DB, bumpRows); !errors.Is(err, chunk.ErrNoModel) {
			t.Errorf("no model: got %v, want ErrNoModel", err)
		}
		if _, err := chunk.Ranges(ctx, db.Model(&runItem{}), nil); !errors.Is(err, chunk.ErrBadWork) {
			t.Errorf("nil work: got %v, want ErrBadWork", err)
		}
		wantCounters(t, counters(t, db.DB), 1, 3, 0)
	})
}
