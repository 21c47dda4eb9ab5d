package updater_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// gormIdioms uses the hook idioms of GORM's own documentation: the
// statement's schema, SetColumn, and a query chained from tx with a context.
type gormIdioms struct {
	ID      int64 `gorm:"primaryKey"`
	Name    string
	Slug    string
	Touched int64
}

func (g *gormIdioms) BeforeUpdate(tx *gorm.DB) error {
	if tx.Statement.Schema == nil || tx.Statement.Schema.Table != "gorm_idioms" {
		return errors.New("hook got no schema for gorm_idioms")
	}
	tx.Statement.SetColumn("Slug", "slug-"+g.Name)
	return tx.Statement.Error
}

func (g *gormIdioms) AfterUpdate(tx *gorm.DB) error {
	// The caller selected the row with WHERE name = ?; that condition must
	// not leak into the hook's own statements.
	return tx.WithContext(context.Background()).Model(&gormIdioms{}).Where("id <> ?", g.ID).
		UpdateColumn("touched", gorm.Expr("touched + 1")).Error
}

func TestHooksGetAStatementOfTheirOwn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &gormIdioms{})
		dbtest.Seed(t, db.Session(&gorm.Session{SkipHooks: true}), []gormIdioms{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}, {ID: 3, Name: "c"}})
		res, err := updater.Update(context.Background(), db.Where("name = ?", "b"), func(g *gormIdioms) error {
			g.Name = "bee"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Row.Slug != "slug-bee" {
			t.Fatalf("row as saved = %+v, want the Slug set by SetColumn", res.Row)
		}
		var got []gormIdioms
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		want := []gormIdioms{{ID: 1, Name: "a", Touched: 1}, {ID: 2, Name: "bee", Slug: "slug-bee"}, {ID: 3, Name: "c", Touched: 1}}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("rows = %+v, want %+v", got, want)
		}
	})
}
