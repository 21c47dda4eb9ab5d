package dialect_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

type memoKey struct{ name string }

// TestMemo: a value is built once per key and Dialect, an error is returned
// and not stored, and sessions of one database share the memo.
func TestMemo(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	d := dialect.MustOf(db.DB)
	builds := 0
	build := func() (any, error) { builds++; return builds, nil }
	for range 3 {
		v, err := d.Memo(memoKey{"a"}, build)
		if err != nil || v != 1 {
			t.Fatalf("Memo(a) = %v, %v; want 1, nil", v, err)
		}
	}
	if v, err := dialect.MustOf(db.Session(&gorm.Session{NewDB: true})).Memo(memoKey{"a"}, build); err != nil || v != 1 {
		t.Fatalf("Memo(a) from a session = %v, %v; want 1, nil (shared)", v, err)
	}
	boom := errors.New("boom")
	if _, err := d.Memo(memoKey{"b"}, func() (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("Memo(b) error = %v, want boom", err)
	}
	if v, err := d.Memo(memoKey{"b"}, build); err != nil || v != 2 {
		t.Fatalf("Memo(b) after an error = %v, %v; want a fresh build 2, nil", v, err)
	}
	if builds != 2 {
		t.Fatalf("builds = %d, want 2", builds)
	}
}
