package throttle_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/throttle"
)

// FuzzPauseNames pauses one run name and asks about another on every
// configured database, with the database as the oracle: the flag answers
// for exactly the paused name, byte for byte (whatever the collation), the
// stored name reads back unchanged, and a refused name changes no row.
func FuzzPauseNames(f *testing.F) {
	for _, seed := range [][2]string{
		{"nightly", "nightly"},
		{"Nightly", "nightly"}, // one run on a case-insensitive collation
		{"a", "a "},            // one run under PAD SPACE
		{"ß", "ss"},
		{"é", "e\u0301"},
		{"", "x"},
		{"bad\xffutf8", "bad"},
		{"nul\x00", "nul"},
		{strings.Repeat("x", throttle.MaxRunName), strings.Repeat("x", throttle.MaxRunName-1)},
		{strings.Repeat("é", throttle.MaxRunName/2+1), "é"},
		{"'; DROP TABLE gormup_run_control; --", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	var dbs []*dbtest.DB
	for _, d := range dbtest.Dialects {
		if d == dbtest.SQLite || os.Getenv(dbtest.EnvVar(d)) != "" {
			dbs = append(dbs, dbtest.Open(f, d))
		}
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, paused, other string) {
		valid := func(s string) bool {
			return s != "" && len(s) <= throttle.MaxRunName && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
		}
		for _, db := range dbs {
			before := controlRows(t, db.DB)
			err := throttle.Pause(ctx, db.DB, paused)
			if !valid(paused) {
				if !errors.Is(err, throttle.ErrInvalidConfig) {
					t.Fatalf("%s: Pause(%q) = %v, want ErrInvalidConfig", db.Dialect, paused, err)
				}
				if after := controlRows(t, db.DB); after != before {
					t.Fatalf("%s: refused Pause(%q) changed the table: %q -> %q", db.Dialect, paused, before, after)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Pause(%q): %v", db.Dialect, paused, err)
			}
			if got, err := throttle.Paused(ctx, db.DB, paused); err != nil || !got {
				t.Fatalf("%s: Paused(%q) after Pause = %v, %v", db.Dialect, paused, got, err)
			}
			var stored []string
			if err := db.Table(throttle.ControlTable).Where("paused = ?", true).Pluck("name", &stored).Error; err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 || stored[0] != paused {
				t.Fatalf("%s: paused names stored %q, want exactly %q", db.Dialect, stored, paused)
			}
			if valid(other) {
				if got, err := throttle.Paused(ctx, db.DB, other); err != nil || got != (other == paused) {
					t.Fatalf("%s: Paused(%q) after Pause(%q) = %v, %v; want %v", db.Dialect, other, paused, got, err, other == paused)
				}
			}
			if err := throttle.Resume(ctx, db.DB, paused); err != nil {
				t.Fatal(err)
			}
			if got, err := throttle.Paused(ctx, db.DB, paused); err != nil || got {
				t.Fatalf("%s: Paused(%q) after Resume = %v, %v", db.Dialect, paused, got, err)
			}
		}
	})
}

// controlRows renders the control table's names and flags, "" when absent.
func controlRows(t *testing.T, db *gorm.DB) string {
	t.Helper()
	if !db.Migrator().HasTable(throttle.ControlTable) {
		return ""
	}
	var rows []struct {
		Name   string
		Paused bool
	}
	if err := db.Table(throttle.ControlTable).Select("name, paused").Order("run_key").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Name)
		if r.Paused {
			b.WriteString("=paused")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
