package chunk_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// scoreIs is a condition as gorm.G code writes it: a statement scope.
func scoreIs(a, b int) func(*gorm.Statement) {
	return func(s *gorm.Statement) { s.Where("score = ?", a).Or("score = ?", b) }
}

// TestScopes: conditions from gorm.G-style scopes (chunk.Scopes) and from
// db.Scopes are the caller's on Run, Ranges and Purge — Purge's guard sees
// them, and each chunk's key range is ANDed onto them as one group, so the
// OR inside cannot escape. The database decides which rows should match.
func TestScopes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		want := func(keep bool) []int64 { // ids whose score is (keep) / is not (!keep) 3 or 5
			var ids []int64
			for id := int64(1); id <= 50; id++ {
				if s := id % 7; (s == 3 || s == 5) == keep {
					ids = append(ids, id)
				}
			}
			return ids
		}

		seedRunItems(t, db, 50) // score = id % 7
		var seen []int64
		_, err := chunk.Run(ctx, db.Model(&runItem{}), func(_ *gorm.DB, part []runItem) error {
			for _, r := range part {
				seen = append(seen, r.ID)
			}
			return nil
		}, chunk.Size(2), chunk.Scopes(scoreIs(3, 5)))
		if err != nil || !slices.Equal(seen, want(true)) {
			t.Fatalf("Run with Scopes saw %v (%v), want %v", seen, err, want(true))
		}

		seen = nil
		_, err = chunk.Ranges(ctx, db.Model(&runItem{}), func(rows *gorm.DB, _ chunk.Range) error {
			var ids []int64
			if err := rows.Order("id").Pluck("id", &ids).Error; err != nil {
				return err
			}
			seen = append(seen, ids...)
			return nil
		}, chunk.Size(4), chunk.Scopes(scoreIs(3, 5)))
		if err != nil || !slices.Equal(seen, want(true)) {
			t.Fatalf("Ranges with Scopes saw %v (%v), want %v", seen, err, want(true))
		}

		// A scope that bounds nothing: refused, nothing deleted.
		_, err = chunk.Purge(ctx, db.Model(&runItem{}), chunk.Scopes(func(*gorm.Statement) {}))
		if !errors.Is(err, chunk.ErrNoCondition) || len(remainingIDs(t, db.DB)) != 50 {
			t.Fatalf("Purge with an empty scope: %v, %d rows left; want ErrNoCondition, 50", err, len(remainingIDs(t, db.DB)))
		}
		// db.Scopes conditions are seen by the guard (no false refusal).
		rep, err := chunk.Purge(ctx, db.Model(&runItem{}).Scopes(func(q *gorm.DB) *gorm.DB {
			return q.Where("score = ?", 3).Or("score = ?", 5)
		}), chunk.Size(3))
		if err != nil || rep.Rows != int64(len(want(true))) {
			t.Fatalf("Purge with db.Scopes = %+v, %v; want %d rows", rep, err, len(want(true)))
		}
		if got := remainingIDs(t, db.DB); !slices.Equal(got, want(false)) {
			t.Fatalf("rows left %v, want %v", got, want(false))
		}
	})
}
