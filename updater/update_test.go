package updater_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

func TestUpdateWritesExactlyTheChangedColumns(t *testing.T) {
	want := map[string]string{
		dbtest.SQLite:   "UPDATE `accounts` SET `active`=false,`balance`=90,`nick`=NULL,`updated_at`=\"2026-01-02 03:04:05\" WHERE `id` = 1",
		dbtest.Postgres: `UPDATE "accounts" SET "active"=false,"balance"=90,"nick"=NULL,"updated_at"='2026-01-02 03:04:05' WHERE "id" = 1`,
		dbtest.MySQL:    "UPDATE `accounts` SET `active`=false,`balance`=90,`nick`=NULL,`updated_at`='2026-01-02 03:04:05' WHERE `id` = 1",
		// SQL Server's dialector renders booleans as 1 and 0.
		dbtest.SQLServer: `UPDATE "accounts" SET "active"=0,"balance"=90,"nick"=NULL,"updated_at"='2026-01-02 03:04:05' WHERE "id" = 1`,
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		before2 := load(t, db.DB, 2)
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			a.Balance -= 10
			a.Active = false // a zero value: written
			a.Nick = nil     // NULL
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantSQL, ok := want[db.Dialect]
		if !ok {
			t.Fatalf("no expected UPDATE text for dialect %s", db.Dialect)
		}
		if got := writes(rec); len(got) != 1 || got[0] != wantSQL {
			t.Fatalf("UPDATE statements:\n got %q\nwant [%q]", got, wantSQL)
		}
		if len(res.Changes) != 4 {
			t.Fatalf("Changes = %+v, want 4", res.Changes)
		}
		// The old UpdatedAt is the seeding clock's; the database may hand it
		// back in another zone, so compare the instant, then take it as is.
		oldAt, ok := res.Changes[3].Old.(time.Time)
		if !ok || !oldAt.Equal(fixedNow.Add(-time.Hour)) {
			t.Fatalf("UpdatedAt change Old = %#v, want %v", res.Changes[3].Old, fixedNow.Add(-time.Hour))
		}
		wantChanges := []updater.Change{
			{Field: "Balance", Column: "balance", Old: int64(100), New: int64(90)},
			{Field: "Active", Column: "active", Old: true, New: false},
			{Field: "Nick", Column: "nick", Old: "a", New: nil},
			{Field: "UpdatedAt", Column: "updated_at", Old: oldAt, New: fixedNow},
		}
		if !reflect.DeepEqual(res.Changes, wantChanges) {
			t.Fatalf("Changes:\n got %+v\nwant %+v", res.Changes, wantChanges)
		}
		if res.Attempts != 1 {
			t.Fatalf("Attempts = %d, want 1", res.Attempts)
		}
		got := load(t, db.DB, 1)
		if got.Balance != 90 || got.Active || got.Nick != nil || !got.UpdatedAt.Equal(fixedNow) {
			t.Fatalf("row read back = %+v", got)
		}
		if got.Name != "ann" || string(got.Blob) != "xy" || got.Prefs.Theme != "dark" || got.Money.v != 500 || got.Editor != "seed" {
			t.Fatalf("untouched columns changed: %+v", got)
		}
		if !sameRow(res.Row, got) {
			t.Fatalf("Result.Row = %+v\nread back  = %+v", res.Row, got)
		}
		if after2 := load(t, db.DB, 2); !sameRow(after2, before2) {
			t.Fatalf("row 2 changed: %+v", after2)
		}
	})
}

func TestUpdateNoChangeIssuesNoUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		before := load(t, db.DB, 1)
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			a.Balance = 100                                       // same value
			a.Nick = ptr("a")                                     // another pointer to an equal value
			a.Prefs = prefs{Theme: "dark", Langs: []string{"en"}} // equal after serialization
			a.Blob = []byte("xy")
			a.Seen = a.Seen.In(time.FixedZone("X", 3600)) // same instant, other zone
			a.Scratch = "not a column"
			a.Locked = "read-only: never written"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := writes(rec); len(got) != 0 {
			t.Fatalf("no-op issued %q", got)
		}
		if len(res.Changes) != 0 {
			t.Fatalf("Changes = %+v, want none", res.Changes)
		}
		if got := load(t, db.DB, 1); !sameRow(got, before) {
			t.Fatalf("row changed:\n got %+v\nwant %+v", got, before)
		}
	})
}

func TestUpdateFieldKinds(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		later := seenAt.Truncate(time.Millisecond).Add(90 * time.Minute) // every dialect keeps milliseconds
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 2), func(a *account) error {
			a.Nick = ptr("bobby")                       // nil -> value
			a.Blob = []byte{0, 1, 2}                    // nil -> bytes
			a.Prefs.Langs = append(a.Prefs.Langs, "fr") // serializer field changed in place
			a.Note = sql.NullString{String: "memo", Valid: true}
			a.Money = cents{42}  // driver.Valuer
			a.Seen = later       // time
			a.Editor = "updater" // embedded struct field
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, c := range res.Changes {
			cols = append(cols, c.Column)
		}
		wantCols := []string{"nick", "blob", "prefs", "note", "money", "seen", "editor", "updated_at"}
		if !reflect.DeepEqual(cols, wantCols) {
			t.Fatalf("changed columns = %v, want %v", cols, wantCols)
		}
		if c := res.Changes[2]; c.Old != `{"Theme":"","Langs":null}` || c.New != `{"Theme":"","Langs":["fr"]}` {
			t.Fatalf("serializer change = %+v, want JSON old and new", c)
		}
		if n := len(writes(rec)); n != 1 {
			t.Fatalf("%d UPDATE statements, want 1", n)
		}
		got := load(t, db.DB, 2)
		if got.Nick == nil || *got.Nick != "bobby" || string(got.Blob) != "\x00\x01\x02" ||
			!reflect.DeepEqual(got.Prefs.Langs, []string{"fr"}) || got.Note != (sql.NullString{String: "memo", Valid: true}) ||
			got.Money.v != 42 || !got.Seen.Equal(later) || got.Editor != "updater" || got.Edits != 0 {
			t.Fatalf("row read back = %+v", got)
		}

		// And back: value -> nil, Valid -> NULL.
		res, err = updater.Update(context.Background(), s.Where("id = ?", 2), func(a *account) error {
			a.Nick, a.Blob, a.Note = nil, nil, sql.NullString{}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got = load(t, db.DB, 2)
		if got.Nick != nil || got.Blob != nil || got.Note.Valid || len(res.Changes) != 4 {
			t.Fatalf("row read back = %+v, changes %+v", got, res.Changes)
		}
	})
}

func TestUpdateComparesTimeAsStored(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			a.Seen = a.Seen.UTC().Add(time.Nanosecond) // below the column's precision except on SQLite
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantWrite := db.Dialect == dbtest.SQLite // SQLite keeps nanoseconds
		if got := len(writes(rec)) == 1; got != wantWrite {
			t.Fatalf("wrote = %v, want %v (changes %+v)", got, wantWrite, res.Changes)
		}
	})
}

func TestUpdateRefusesPrimaryKeyChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		before := load(t, db.DB, 1)
		s, rec := capture(db.DB)
		_, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			a.ID = 3
			a.Balance = 1
			return nil
		})
		if !errors.Is(err, updater.ErrPrimaryKeyChanged) {
			t.Fatalf("got %v, want ErrPrimaryKeyChanged", err)
		}
		if got := writes(rec); len(got) != 0 {
			t.Fatalf("issued %q", got)
		}
		if got := load(t, db.DB, 1); !sameRow(got, before) {
			t.Fatalf("row changed: %+v", got)
		}
		var n int64
		if err := db.Model(&account{}).Count(&n).Error; err != nil || n != 2 {
			t.Fatalf("count = %d, %v; want 2", n, err)
		}
	})
}

func TestUpdateRowSelection(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		before := []account{load(t, db.DB, 1), load(t, db.DB, 2)}
		calls := 0
		bump := func(a *account) error { calls++; a.Balance++; return nil }
		ctx := context.Background()

		_, err := updater.Update(ctx, db.Where("balance >= ?", 100), bump)
		if !errors.Is(err, updater.ErrMultipleRows) {
			t.Fatalf("two matches: got %v, want ErrMultipleRows", err)
		}
		_, err = updater.Update(ctx, db.Where("id = ?", 99), bump)
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("no match: got %v, want gorm.ErrRecordNotFound", err)
		}
		scope := func(tx *gorm.DB) *gorm.DB { return tx.Where("name = ?", "bob") }
		res, err := updater.Update(ctx, db.Scopes(scope), bump)
		if err != nil || res.Row.ID != 2 || res.Row.Balance != 201 {
			t.Fatalf("scoped: got %+v, %v", res.Row, err)
		}
		if calls != 1 {
			t.Fatalf("change ran %d times, want 1 (never for refused rows)", calls)
		}
		if got := load(t, db.DB, 1); !sameRow(got, before[0]) {
			t.Fatalf("row 1 changed: %+v", got)
		}
		if got := load(t, db.DB, 2); got.Balance != 201 {
			t.Fatalf("row 2 balance = %d, want 201", got.Balance)
		}
	})
}

func TestUpdateChangeErrorRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		before := load(t, db.DB, 1)
		boom := errors.New("insufficient funds")
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(a *account) error {
			a.Balance = -1
			return boom
		})
		if err != boom || res.Attempts != 1 {
			t.Fatalf("got %v after %d attempts, want the change error itself after 1", err, res.Attempts)
		}
		if got := writes(rec); len(got) != 0 {
			t.Fatalf("issued %q", got)
		}
		if got := load(t, db.DB, 1); !sameRow(got, before) {
			t.Fatalf("row changed: %+v", got)
		}
	})
}

func TestUpdateHonoursContext(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s, rec := capture(db.DB)
		if _, err := updater.Update(ctx, s.Where("id = ?", 1), func(a *account) error { a.Balance = 0; return nil }); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if got := writes(rec); len(got) != 0 {
			t.Fatalf("issued %q", got)
		}
		if got := load(t, db.DB, 1); got.Balance != 100 {
			t.Fatalf("balance = %d, want 100", got.Balance)
		}
	})
}

func TestUpdateNilChangeReadsOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		s, rec := capture(db.DB)
		res, err := updater.Update[account](context.Background(), s.Where("id = ?", 2), nil)
		if err != nil || res.Row.Name != "bob" || len(res.Changes) != 0 {
			t.Fatalf("got %+v, %v", res, err)
		}
		if got := writes(rec); len(got) != 0 {
			t.Fatalf("issued %q", got)
		}
		if !strings.Contains(strings.Join(rec.Statements(), "\n"), "SELECT") {
			t.Fatalf("no SELECT recorded: %q", rec.Statements())
		}
	})
}
