package updater_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
)

// TestUpdatePlanFollowsTheTable alternates the table named on the call with
// the same model on one opened database: each call must read and write its
// own table although the plans are cached per database.
func TestUpdatePlanFollowsTheTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &archived{})
		const other = "archived_copies"
		_ = db.Migrator().DropTable(other)
		if err := db.Table(other).Migrator().CreateTable(&archived{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Migrator().DropTable(other) })
		dbtest.Seed(t, db.DB, []archived{{ID: 1, Name: "a"}})
		if err := db.Table(other).Create(&archived{ID: 1, Name: "b"}).Error; err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i, table := range []string{"", other, "", other} {
			q := db.DB
			if table != "" {
				q = q.Table(table)
			}
			res, err := updater.Update(ctx, q.Where("id = ?", 1), func(a *archived) error { a.Name += "+"; return nil })
			if err != nil {
				t.Fatalf("call %d (table %q): %v", i, table, err)
			}
			if len(res.Changes) != 1 {
				t.Fatalf("call %d (table %q): Changes = %+v, want 1", i, table, res.Changes)
			}
		}
		var a, b archived
		if err := db.First(&a, 1).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Table(other).First(&b, 1).Error; err != nil {
			t.Fatal(err)
		}
		if a.Name != "a++" || b.Name != "b++" {
			t.Fatalf("read back %q and %q, want %q and %q", a.Name, b.Name, "a++", "b++")
		}
	})
}

// TestUpdateDetectsInPlaceChanges changes values the row shares with its
// read copy (a pointer's target, a byte slice's bytes): they are compared as
// they were read, not through the copy.
func TestUpdateDetectsInPlaceChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			*a.Nick = "b" // was "a"
			a.Blob[0] = 'z'
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []updater.Change{
			{Field: "Nick", Column: "nick", Old: "a", New: "b"},
			{Field: "Blob", Column: "blob", Old: []byte("xy"), New: []byte("zy")},
		}
		if len(res.Changes) != 3 || !reflect.DeepEqual(res.Changes[:2], want) || res.Changes[2].Column != "updated_at" {
			t.Fatalf("Changes:\n got %+v\nwant %+v and updated_at", res.Changes, want)
		}
		if n := len(writes(rec)); n != 1 {
			t.Fatalf("%d UPDATE statements, want 1", n)
		}
		got := load(t, db.DB, 1)
		if got.Nick == nil || *got.Nick != "b" || string(got.Blob) != "zy" || got.Name != "ann" || got.Balance != 100 {
			t.Fatalf("row read back = %+v", got)
		}
	})
}
