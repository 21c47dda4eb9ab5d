package updater_test

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// prefs is stored as JSON through GORM's serializer.
type prefs struct {
	Theme string
	Langs []string
}

// cents is a driver.Valuer/sql.Scanner stored as an integer.
type cents struct{ v int64 }

func (c cents) Value() (driver.Value, error) { return c.v, nil }

func (c *cents) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		c.v = x
	case []byte:
		_, err := fmt.Sscan(string(x), &c.v)
		return err
	case nil:
		c.v = 0
	default:
		return fmt.Errorf("cents: cannot scan %T", src)
	}
	return nil
}

// Stamp is embedded in account.
type Stamp struct {
	Editor string
	Edits  int
}

// account covers every kind of field dirty tracking must handle.
type account struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Balance   int64
	Active    bool
	Nick      *string
	Blob      []byte
	Prefs     prefs `gorm:"serializer:json"`
	Note      sql.NullString
	Money     cents
	Seen      time.Time
	Stamp               // embedded
	Scratch   string    `gorm:"-"`
	Locked    string    `gorm:"<-:false;default:'ro'"`
	UpdatedAt time.Time // autoUpdateTime
}

// fixedNow is the clock of the sessions tests capture.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var seenAt = time.Date(2025, 6, 7, 8, 9, 10, 123456000, time.UTC)

func ptr[T any](v T) *T { return &v }

// seedAccounts creates accounts 1 and 2 with known values.
func seedAccounts(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &account{})
	rows := []account{
		{ID: 1, Name: "ann", Balance: 100, Active: true, Nick: ptr("a"), Blob: []byte("xy"),
			Prefs: prefs{Theme: "dark", Langs: []string{"en"}}, Note: sql.NullString{String: "n", Valid: true},
			Money: cents{500}, Seen: seenAt, Stamp: Stamp{Editor: "seed", Edits: 1}},
		{ID: 2, Name: "bob", Balance: 200, Seen: seenAt},
	}
	if err := db.Session(&gorm.Session{NowFunc: func() time.Time { return fixedNow.Add(-time.Hour) }}).Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
}

// capture returns a session of db with a fixed clock whose statements are
// recorded.
func capture(db *gorm.DB) (*gorm.DB, *dbtest.Recorder) {
	s, rec := dbtest.Capture(db)
	return s.Session(&gorm.Session{NowFunc: func() time.Time { return fixedNow }}), rec
}

// writes returns the UPDATE statements recorded, leaving out the no-op write
// that takes SQLite's write lock.
func writes(rec *dbtest.Recorder) []string {
	var out []string
	for _, s := range rec.Matching("UPDATE") {
		if !strings.HasSuffix(s, "WHERE 0") {
			out = append(out, s)
		}
	}
	return out
}

// load reads account id with a fresh query.
func load(t *testing.T, db *gorm.DB, id int64) account {
	t.Helper()
	var a account
	if err := db.Session(&gorm.Session{NewDB: true}).First(&a, id).Error; err != nil {
		t.Fatalf("reading account %d: %v", id, err)
	}
	return a
}

// sameRow compares accounts with their times in UTC (drivers differ in the
// location they return).
func sameRow(a, b account) bool {
	a.Seen, b.Seen = a.Seen.UTC(), b.Seen.UTC()
	a.UpdatedAt, b.UpdatedAt = a.UpdatedAt.UTC(), b.UpdatedAt.UTC()
	return reflect.DeepEqual(a, b)
}
