package updater_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// hooked records the model hooks GORM's Save would call, in order.
type hooked struct {
	ID    int64 `gorm:"primaryKey"`
	Name  string
	Shout string
	Calls []string `gorm:"-"`
}

var errHook = errors.New("hook refused")

func (h *hooked) BeforeSave(*gorm.DB) error {
	h.Calls = append(h.Calls, "BeforeSave")
	return nil
}

// BeforeUpdate derives a column: the write must include it.
func (h *hooked) BeforeUpdate(*gorm.DB) error {
	h.Calls = append(h.Calls, "BeforeUpdate")
	h.Shout = strings.ToUpper(h.Name)
	return nil
}

func (h *hooked) AfterUpdate(tx *gorm.DB) error {
	h.Calls = append(h.Calls, "AfterUpdate")
	if !strings.HasPrefix(h.Name, "after-") {
		return nil
	}
	// A write in the hook shares the update's transaction.
	return tx.Create(&hookLog{Note: h.Name}).Error
}

func (h *hooked) AfterSave(*gorm.DB) error {
	h.Calls = append(h.Calls, "AfterSave")
	if strings.HasSuffix(h.Name, "-fail") {
		return errHook
	}
	return nil
}

type hookLog struct {
	ID   int64 `gorm:"primaryKey"`
	Note string
}

func TestUpdateRunsModelHooks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &hooked{}, &hookLog{})
		dbtest.Seed(t, db.DB, []hooked{{ID: 1, Name: "quiet", Shout: "QUIET"}})
		ctx := context.Background()
		read := func() hooked {
			var h hooked
			if err := db.First(&h, 1).Error; err != nil {
				t.Fatal(err)
			}
			return h
		}
		logs := func() int64 {
			var n int64
			if err := db.Model(&hookLog{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}

		t.Run("in Save's order, with hook edits written", func(t *testing.T) {
			res, err := updater.Update(ctx, db.Where("id = ?", 1), func(h *hooked) error { h.Name = "after-loud"; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"BeforeSave", "BeforeUpdate", "AfterUpdate", "AfterSave"}; !reflect.DeepEqual(res.Row.Calls, want) {
				t.Fatalf("hooks = %v, want %v", res.Row.Calls, want)
			}
			if got := read(); got.Name != "after-loud" || got.Shout != "AFTER-LOUD" {
				t.Fatalf("read back %+v, want the hook's Shout written", got)
			}
			if n := logs(); n != 1 {
				t.Fatalf("hook log rows = %d, want 1", n)
			}
		})
		t.Run("not for a no-op", func(t *testing.T) {
			res, err := updater.Update(ctx, db.Where("id = ?", 1), func(h *hooked) error { return nil })
			if err != nil || len(res.Row.Calls) != 0 {
				t.Fatalf("got hooks %v, %v; want none", res.Row.Calls, err)
			}
		})
		t.Run("a hook error rolls everything back", func(t *testing.T) {
			before := read()
			_, err := updater.Update(ctx, db.Where("id = ?", 1), func(h *hooked) error { h.Name = "after-fail"; return nil })
			if !errors.Is(err, errHook) {
				t.Fatalf("got %v, want the hook's error", err)
			}
			if got := read(); got.Name != before.Name || got.Shout != before.Shout {
				t.Fatalf("read back %+v, want %+v", got, before)
			}
			if n := logs(); n != 1 {
				t.Fatalf("hook log rows = %d, want 1 (the failed update's log rolled back)", n)
			}
		})
		t.Run("SkipHooks sessions skip them", func(t *testing.T) {
			res, err := updater.Update(ctx, db.Session(&gorm.Session{SkipHooks: true}).Where("id = ?", 1), func(h *hooked) error { h.Name = "silent"; return nil })
			if err != nil || len(res.Row.Calls) != 0 {
				t.Fatalf("got hooks %v, %v; want none", res.Row.Calls, err)
			}
			if got := read(); got.Name != "silent" || got.Shout != "AFTER-LOUD" {
				t.Fatalf("read back %+v", got)
			}
		})
	})
}

// collector stands in for the audit plugin: hooks.Collecting looks for its
// name, and it records the changes each UPDATE carries.
type collector struct {
	mu   sync.Mutex
	seen [][]hooks.Change
}

func (c *collector) Name() string { return "gormup:audit" }

func (c *collector) Initialize(db *gorm.DB) error {
	return db.Callback().Update().Before("gorm:update").Register("test:collect", func(tx *gorm.DB) {
		if ch, ok := hooks.ChangesOf(tx); ok {
			c.mu.Lock()
			c.seen = append(c.seen, ch)
			c.mu.Unlock()
		}
	})
}

func TestUpdateReportsChangesToPlugins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &versionedCounter{})
		dbtest.Seed(t, db.DB, []versionedCounter{{ID: 7, N: 1, Version: 3}})
		h := dbtest.Reopen(t, db)
		c := &collector{}
		if err := h.Use(c); err != nil {
			t.Fatal(err)
		}
		if _, err := updater.Update(context.Background(), h.Where("id = ?", 7), func(v *versionedCounter) error { v.N = 0; return nil }); err != nil {
			t.Fatal(err)
		}
		want := [][]hooks.Change{{
			{Table: "versioned_counters", Key: []any{int64(7)}, Column: "n", Old: int64(1), OldKnown: true, New: int64(0)},
			{Table: "versioned_counters", Key: []any{int64(7)}, Column: "version", Old: int64(3), OldKnown: true, New: int64(4)},
		}}
		if !reflect.DeepEqual(c.seen, want) {
			t.Fatalf("plugin saw %+v\nwant %+v", c.seen, want)
		}
	})
}
