package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// gAccount is the model of the gorm.G tests.
type gAccount struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// gArchive has gAccount's columns in another table.
type gArchive gAccount

func (gArchive) TableName() string { return "g_archives" }

func gSeed() []gAccount {
	return []gAccount{
		{1, "new", 10}, {2, "closed", 20}, {3, "other", 30},
		{4, "new", 40}, {5, "other", 50}, {6, "closed", 60},
	}
}

// newOrClosed is a condition as a gorm.G codebase writes it: a statement
// scope with an OR, which a library bound must not split.
func newOrClosed(s *gorm.Statement) { s.Where("status = ?", "new").Or("status = ?", "closed") }

// balances reads back id → balance of table.
func balances(t *testing.T, db *gorm.DB, table string) map[int64]int64 {
	t.Helper()
	var rows []gAccount
	if err := db.Table(table).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.ID] = r.Balance
	}
	return out
}

// plus returns the seed balances with 1000 added to the given ids.
func plus(ids ...int64) map[int64]int64 {
	out := map[int64]int64{}
	for _, r := range gSeed() {
		out[r.ID] = r.Balance
		if slices.Contains(ids, r.ID) {
			out[r.ID] += 1000
		}
	}
	return out
}

// TestScopesFromGormG runs every batch entry point with conditions written
// as gorm.G scopes (batch.Scopes) on every database. The oracle for which
// rows a scope selects is gorm.G itself: the ids gorm.G[T](db).Scopes(s)
// finds, restricted by the library's bound, are exactly the rows written.
func TestScopesFromGormG(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		add := map[string]any{"balance": gorm.Expr("balance + ?", 1000)}
		gormG := func(t *testing.T, scopes ...func(*gorm.Statement)) []int64 {
			t.Helper()
			rows, err := gorm.G[gAccount](db.DB).Scopes(scopes...).Order("id").Find(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			return ids
		}
		inKeys := func(keys []int64, ids []int64) []int64 {
			var out []int64
			for _, id := range ids {
				if slices.Contains(keys, id) {
					out = append(out, id)
				}
			}
			return out
		}
		tests := []struct {
			name  string
			call  func(db *gorm.DB) (int64, error)
			touch func(t *testing.T) []int64 // nil: refused, nothing written
			want  error
		}{
			{"Update", func(db *gorm.DB) (int64, error) {
				return batch.Update(ctx, db.Model(&gAccount{}), add, batch.Scopes(newOrClosed))
			}, func(t *testing.T) []int64 { return gormG(t, newOrClosed) }, nil},
			{"Update/with db.Where", func(db *gorm.DB) (int64, error) {
				return batch.Update(ctx, db.Model(&gAccount{}).Where("balance > ?", 15), add, batch.Scopes(newOrClosed))
			}, func(t *testing.T) []int64 {
				// db's conditions come first, then the scopes: GORM's own
				// precedence for the same chain, (balance AND new) OR closed.
				return gormG(t, func(s *gorm.Statement) { s.Where("balance > ?", 15) }, newOrClosed)
			}, nil},
			{"Update/Chunked", func(db *gorm.DB) (int64, error) {
				return batch.Update(ctx, db.Model(&gAccount{}), add, batch.Scopes(newOrClosed), batch.Size(2), batch.CommitEach())
			}, func(t *testing.T) []int64 { return gormG(t, newOrClosed) }, nil},
			{"Update/tautology scope", func(db *gorm.DB) (int64, error) {
				return batch.Update(ctx, db.Model(&gAccount{}), add, batch.Scopes(func(s *gorm.Statement) { s.Where("1 = 1") }))
			}, nil, batch.ErrNoCondition},
			{"Update/no-op scope", func(db *gorm.DB) (int64, error) {
				return batch.Update(ctx, db.Model(&gAccount{}), add, batch.Scopes(func(*gorm.Statement) {}, nil))
			}, nil, batch.ErrNoCondition},
			{"UpdateKeys", func(db *gorm.DB) (int64, error) {
				return batch.UpdateKeys(ctx, db.Model(&gAccount{}), []int64{1, 2, 3}, add, batch.Scopes(newOrClosed))
			}, func(t *testing.T) []int64 { return inKeys([]int64{1, 2, 3}, gormG(t, newOrClosed)) }, nil},
			{"UpdateKeys/Size", func(db *gorm.DB) (int64, error) {
				return batch.UpdateKeys(ctx, db.Model(&gAccount{}), []int64{1, 2, 3, 5, 6}, add, batch.Scopes(newOrClosed), batch.Size(2))
			}, func(t *testing.T) []int64 { return inKeys([]int64{1, 2, 3, 5, 6}, gormG(t, newOrClosed)) }, nil},
			{"UpdateRows/condition scope", func(db *gorm.DB) (int64, error) {
				res, err := batch.UpdateRows(ctx, db, []gAccount{{ID: 1, Balance: 1010}, {ID: 3, Balance: 1030}}, []string{"balance"}, batch.Scopes(newOrClosed))
				return res.Matched, err
			}, nil, batch.ErrConditions},
			{"UpdateRows/no-op scope", func(db *gorm.DB) (int64, error) {
				res, err := batch.UpdateRows(ctx, db, []gAccount{{ID: 1, Balance: 1010}, {ID: 3, Balance: 1030}}, []string{"balance"}, batch.Scopes(func(*gorm.Statement) {}))
				return res.Matched, err
			}, func(*testing.T) []int64 { return []int64{1, 3} }, nil},
		}
		dbtest.Migrate(t, db, &gAccount{}, &gArchive{})
		reset := func(t *testing.T) {
			t.Helper()
			dbtest.MustExec(t, db.DB, "DELETE FROM g_accounts")
			dbtest.Seed(t, db.DB, gSeed())
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				reset(t)
				var want []int64
				if tt.touch != nil {
					want = tt.touch(t)
				}
				n, err := tt.call(db.DB)
				if tt.want != nil {
					if !errors.Is(err, tt.want) {
						t.Fatalf("got %d, %v; want an error wrapping %v", n, err, tt.want)
					}
				} else if err != nil || n != int64(len(want)) {
					t.Fatalf("got %d, %v; want %d rows (%v), nil", n, err, len(want), want)
				}
				if got, w := balances(t, db.DB, "g_accounts"), plus(want...); fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("read back %v, want %v", got, w)
				}
			})
		}

		// A scope may name the table, as gorm.G's Table does: UpdateRows
		// writes it, and the model's own table is untouched.
		t.Run("UpdateRows/table scope", func(t *testing.T) {
			reset(t)
			arch := []gArchive{{1, "new", 10}, {2, "closed", 20}}
			dbtest.Seed(t, db.DB, arch)
			res, err := batch.UpdateRows(ctx, db.DB, []gAccount{{ID: 2, Balance: 1020}, {ID: 9, Balance: 9}}, []string{"balance"},
				batch.Scopes(func(s *gorm.Statement) { s.Table = "g_archives" }))
			if err != nil || res.Matched != 1 || res.Missing != 1 {
				t.Fatalf("got %+v, %v; want 1 matched, 1 missing", res, err)
			}
			if got := balances(t, db.DB, "g_archives"); fmt.Sprint(got) != fmt.Sprint(map[int64]int64{1: 10, 2: 1020}) {
				t.Errorf("g_archives read back %v", got)
			}
			if got, w := balances(t, db.DB, "g_accounts"), plus(); fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("g_accounts read back %v, want %v", got, w)
			}
		})
	})
}
