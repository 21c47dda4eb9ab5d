package updater_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// gAccount is the model of the gorm.G tests.
type gAccount struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// TestScopesFromGormG runs Update with conditions written as gorm.G scopes
// (updater.Scopes) on every database, in lock and optimistic-free default
// mode: the row the scopes select — as gorm.G[T](db).Scopes(s).Take finds
// it — is the one changed; a scope matching several rows or none refuses
// and nothing changes.
func TestScopesFromGormG(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		dbtest.Migrate(t, db, &gAccount{})
		seed := []gAccount{{1, "new", 10}, {2, "closed", 20}, {3, "other", 30}, {4, "new", 40}}
		byStatus := func(st string) func(*gorm.Statement) {
			return func(s *gorm.Statement) { s.Where("status = ?", st) }
		}
		richNewOrClosed := func(s *gorm.Statement) {
			s.Where("balance > ?", 15).Where(s.DB.Session(&gorm.Session{NewDB: true}).Where("status = ?", "new").Or("status = ?", "closed"))
		}
		tests := []struct {
			name   string
			scopes []func(*gorm.Statement)
			where  string // db.Where on top, "" for none
			want   error
		}{
			{"one row", []func(*gorm.Statement){byStatus("other")}, "", nil},
			{"scope and db.Where", []func(*gorm.Statement){byStatus("new")}, "balance > 15", nil},
			{"grouped OR", []func(*gorm.Statement){richNewOrClosed, byStatus("closed")}, "", nil},
			{"several rows", []func(*gorm.Statement){byStatus("new")}, "", updater.ErrMultipleRows},
			{"no row", []func(*gorm.Statement){byStatus("new"), byStatus("closed")}, "", gorm.ErrRecordNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				dbtest.MustExec(t, db.DB, "DELETE FROM g_accounts")
				dbtest.Seed(t, db.DB, seed)
				q := db.DB
				if tt.where != "" {
					q = q.Where(tt.where)
				}
				// The oracle: the row gorm.G selects with the same chain
				// (gorm.G starts from a new statement: db.Where goes first).
				var wantID int64
				if tt.want == nil {
					chain := gorm.G[gAccount](db.DB).Scopes(func(s *gorm.Statement) {
						if tt.where != "" {
							s.Where(tt.where)
						}
					})
					rows, err := chain.Scopes(tt.scopes...).Find(ctx)
					if err != nil || len(rows) != 1 {
						t.Fatalf("gorm.G found %v, %v; the case needs one row", rows, err)
					}
					wantID = rows[0].ID
				}
				res, err := updater.Update(ctx, q, func(a *gAccount) error {
					a.Balance += 1000
					return nil
				}, updater.Scopes(tt.scopes...))
				if tt.want != nil {
					if !errors.Is(err, tt.want) {
						t.Fatalf("got %v, want an error wrapping %v", err, tt.want)
					}
				} else if err != nil || res.Row.ID != wantID {
					t.Fatalf("got row %d, %v; want row %d, nil", res.Row.ID, err, wantID)
				}
				var got []gAccount
				if err := db.Order("id").Find(&got).Error; err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprint(seed)
				if wantID != 0 {
					w := append([]gAccount(nil), seed...)
					w[wantID-1].Balance += 1000
					want = fmt.Sprint(w)
				}
				if fmt.Sprint(got) != want {
					t.Errorf("read back %v, want %v", got, want)
				}
			})
		}
	})
}
