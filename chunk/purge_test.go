package chunk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// remainingIDs reads back the ids of run_items, in order.
func remainingIDs(t *testing.T, db *gorm.DB) []int64 {
	t.Helper()
	var ids []int64
	if err := db.Model(&runItem{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestPurgeDeletesExactlyTheMatchingRowsAndResumes: Purge deletes, chunk by
// chunk, exactly the rows the condition matches — an OR among the caller's
// conditions included — and a purge stopped by an error resumes from its
// checkpoint; rows outside the condition are read back untouched.
func TestPurgeDeletesExactlyTheMatchingRowsAndResumes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 50) // score = id % 7
		ctx := context.Background()
		cond := db.Model(&runItem{}).Where("score = ?", 3).Or("score = ?", 5)
		var want []int64
		for id := int64(1); id <= 50; id++ {
			if s := id % 7; s != 3 && s != 5 {
				want = append(want, id)
			}
		}
		boom := errors.New("boom")
		fail := chunk.Callbacks{Before: func(_ context.Context, c chunk.Info) error {
			if c.Index == 2 {
				return boom
			}
			return nil
		}}
		rep, err := chunk.Purge(ctx, cond, chunk.Size(4), chunk.Checkpoint("purge"), chunk.Hooks(fail))
		if !errors.Is(err, boom) || rep.Rows != 8 {
			t.Fatalf("first purge = %+v, %v; want 8 rows then boom", rep, err)
		}
		rep, err = chunk.Purge(ctx, db.Model(&runItem{}).Where("score = ?", 3).Or("score = ?", 5), chunk.Size(4), chunk.Checkpoint("purge"))
		if err != nil || !rep.Resumed || rep.RowsDone != 14 {
			t.Fatalf("rerun = %+v, %v; want resumed, 14 rows in all", rep, err)
		}
		if got := remainingIDs(t, db.DB); !slices.Equal(got, want) {
			t.Fatalf("rows left %v, want %v", got, want)
		}
	})
}

// TestPurgeRefusals: an unbounded condition (none, 1=1) is refused with
// ErrNoCondition before any SQL; MaxRows below the matches with a
// *TooManyRowsError; nothing is deleted. AllowAll purges every row.
func TestPurgeRefusals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 20)
		ctx := context.Background()
		all := remainingIDs(t, db.DB)
		for name, q := range map[string]func(*gorm.DB) *gorm.DB{
			"no condition": func(d *gorm.DB) *gorm.DB { return d.Model(&runItem{}) },
			"1=1":          func(d *gorm.DB) *gorm.DB { return d.Model(&runItem{}).Where("1 = 1") },
		} {
			captured, rec := dbtest.Capture(db.DB)
			_, err := chunk.Purge(ctx, q(captured))
			if !errors.Is(err, chunk.ErrNoCondition) {
				t.Fatalf("%s: got %v, want ErrNoCondition", name, err)
			}
			if hint := "; to delete every row it matches on purpose, pass chunk.AllowAll()"; !strings.HasSuffix(err.Error(), hint) {
				t.Fatalf("%s: %q does not end with %q", name, err, hint)
			}
			if got := rec.Statements(); len(got) != 0 {
				t.Fatalf("%s: statements ran before the refusal: %q", name, got)
			}
		}
		_, err := chunk.Purge(ctx, db.Model(&runItem{}).Where("id > ?", 5), chunk.MaxRows(10))
		var tm *chunk.TooManyRowsError
		if !errors.As(err, &tm) || tm.Matched != 15 || tm.Max != 10 || !errors.Is(err, chunk.ErrTooManyRows) {
			t.Fatalf("MaxRows: got %v, want a *TooManyRowsError of 15 > 10", err)
		}
		if got := remainingIDs(t, db.DB); !slices.Equal(got, all) {
			t.Fatalf("rows left %v after refusals, want all %v", got, all)
		}
		rep, err := chunk.Purge(ctx, db.Model(&runItem{}), chunk.AllowAll(), chunk.Size(6))
		if err != nil || rep.Rows != 20 {
			t.Fatalf("AllowAll purge = %+v, %v; want 20 rows", rep, err)
		}
		if got := remainingIDs(t, db.DB); len(got) != 0 {
			t.Fatalf("rows left %v, want none", got)
		}
	})
}

// softItem is a model with GORM's soft delete.
type softItem struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	Score     int64
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// TestPurgeSoftDeleteAndWorkers: like GORM's Delete, Purge soft-deletes a
// model with a DeletedAt field (a row already soft-deleted keeps its
// deletion time), Unscoped deletes for good, and Workers split the purge.
func TestPurgeSoftDeleteAndWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &softItem{})
		rows := make([]softItem, 40)
		for i := range rows {
			rows[i] = softItem{ID: int64(i + 1), Score: int64(i+1) % 2}
		}
		dbtest.Seed(t, db.DB, rows)
		ctx := context.Background()
		if err := db.Delete(&softItem{}, 1).Error; err != nil { // already soft-deleted
			t.Fatal(err)
		}
		var before softItem
		if err := db.Unscoped().First(&before, 1).Error; err != nil {
			t.Fatal(err)
		}
		rep, err := chunk.Purge(ctx, db.Model(&softItem{}).Where("score = ?", 1), chunk.Size(3), chunk.Workers(2))
		if err != nil || rep.Rows != 19 {
			t.Fatalf("soft purge = %+v, %v; want 19 rows (row 1 was already deleted)", rep, err)
		}
		var live, all int64
		db.Model(&softItem{}).Count(&live)
		db.Unscoped().Model(&softItem{}).Count(&all)
		var after softItem
		if err := db.Unscoped().First(&after, 1).Error; err != nil {
			t.Fatal(err)
		}
		if live != 20 || all != 40 || !after.DeletedAt.Time.Equal(before.DeletedAt.Time) {
			t.Fatalf("live %d, all %d, row 1 deleted at %v then %v; want 20 live, 40 stored, row 1 unchanged", live, all, before.DeletedAt.Time, after.DeletedAt.Time)
		}
		rep, err = chunk.Purge(ctx, db.Unscoped().Model(&softItem{}).Where("score = ?", 1), chunk.Size(7))
		if err != nil || rep.Rows != 20 {
			t.Fatalf("unscoped purge = %+v, %v; want 20 rows", rep, err)
		}
		db.Unscoped().Model(&softItem{}).Count(&all)
		if all != 20 {
			t.Fatalf("%d rows stored, want 20 after the hard purge", all)
		}
	})
}
