package updater_test

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"github.com/gormup/gormup/updater/internal/optimisticlock"
	"gorm.io/gorm"
)

// interfered returns a handle on db that bumps the version of
// versioned_counters row 1 inside the transaction, just before Update's
// UPDATE runs, whenever when() says so: a deterministic concurrent writer.
func interfered(t *testing.T, db *dbtest.DB, when func() bool) *gorm.DB {
	t.Helper()
	h := dbtest.Reopen(t, db)
	err := h.Callback().Update().Before("gorm:update").Register("test:interfere", func(tx *gorm.DB) {
		if tx.Statement.Table == "versioned_counters" && when() {
			tx.AddError(tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE versioned_counters SET version = version + 1 WHERE id = 1").Error)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func readCounter(t *testing.T, db *gorm.DB) versionedCounter {
	t.Helper()
	var v versionedCounter
	if err := db.First(&v, 1).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOptimisticUpdate(t *testing.T) {
	want := map[string]string{
		dbtest.SQLite:    "UPDATE `versioned_counters` SET `n`=5,`version`=COALESCE(`versioned_counters`.`version`, 0) + 1 WHERE `versioned_counters`.`version` = 0 AND `id` = 1",
		dbtest.Postgres:  `UPDATE "versioned_counters" SET "n"=5,"version"=COALESCE("versioned_counters"."version", 0) + 1 WHERE "versioned_counters"."version" = 0 AND "id" = 1`,
		dbtest.MySQL:     "UPDATE `versioned_counters` SET `n`=5,`version`=COALESCE(`versioned_counters`.`version`, 0) + 1 WHERE `versioned_counters`.`version` = 0 AND `id` = 1",
		dbtest.SQLServer: `UPDATE "versioned_counters" SET "n"=5,"version"=COALESCE("versioned_counters"."version", 0) + 1 WHERE "versioned_counters"."version" = 0 AND "id" = 1`,
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &versionedCounter{})
		dbtest.Seed(t, db.DB, []versionedCounter{{ID: 1}})
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("id = ?", 1), func(v *versionedCounter) error { v.N = 5; return nil })
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
		if res.Row.Version != 1 || res.Row.N != 5 {
			t.Fatalf("Result.Row = %+v, want N 5 version 1", res.Row)
		}
		if got := readCounter(t, db.DB); got != res.Row {
			t.Fatalf("read back %+v, want %+v", got, res.Row)
		}
	})
}

func TestOptimisticConflicts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &versionedCounter{})
		dbtest.Seed(t, db.DB, []versionedCounter{{ID: 1, N: 10, Version: 4}})
		ctx := context.Background()
		var left atomic.Int64
		h := interfered(t, db, func() bool { return left.Add(-1) >= 0 })

		t.Run("retried until it wins", func(t *testing.T) {
			left.Store(2)
			var retries []int
			res, err := updater.Update(ctx, h.Where("id = ?", 1), func(v *versionedCounter) error { v.N++; return nil },
				updater.OnRetry(func(attempt int, err error) { retries = append(retries, attempt) }))
			if err != nil || res.Attempts != 3 || !reflect.DeepEqual(retries, []int{1, 2}) {
				t.Fatalf("got %v after %d attempts (retries %v), want success after 3", err, res.Attempts, retries)
			}
			// Each losing attempt was rolled back with its interference.
			if got := readCounter(t, db.DB); got.N != 11 || got.Version != 5 || res.Row != got {
				t.Fatalf("read back %+v, result %+v; want N 11 version 5", got, res.Row)
			}
		})
		t.Run("attempts exhausted", func(t *testing.T) {
			left.Store(1 << 30)
			calls := 0
			_, err := updater.Update(ctx, h.Where("id = ?", 1), func(v *versionedCounter) error { calls++; v.N = 99; return nil },
				updater.Attempts(3))
			var ce *updater.ConflictError
			if !errors.As(err, &ce) || !errors.Is(err, updater.ErrConflict) {
				t.Fatalf("got %v, want a *ConflictError", err)
			}
			if ce.Attempts != 3 || calls != 3 || ce.Table != "versioned_counters" || !reflect.DeepEqual(ce.Key, []any{int64(1)}) {
				t.Fatalf("got %+v after %d calls, want 3 attempts on versioned_counters [1]", ce, calls)
			}
			if got := readCounter(t, db.DB); got.N != 11 || got.Version != 5 {
				t.Fatalf("read back %+v, want N 11 version 5", got)
			}
		})
	})
}

// A writer outside updater commits between Update's read and write: Update
// reloads, reapplies the change on the new value and wins on its retry.
func TestOptimisticReloadsAfterCommittedConflict(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.SQLite {
			t.Skip("on SQLite Update holds the write lock from its read: no other writer can commit in between")
		}
		dbtest.Migrate(t, db, &versionedCounter{})
		dbtest.Seed(t, db.DB, []versionedCounter{{ID: 1, N: 1, Version: 1}})
		other := dbtest.Reopen(t, db)
		dsns := map[string]string{"default": db.DSN}
		if db.Dialect == dbtest.MySQL {
			dsns["clientFoundRows"] = db.DSN + "&clientFoundRows=true"
		}
		for name, dsn := range dsns {
			t.Run(name, func(t *testing.T) {
				h := dbtest.OpenDSN(t, db.Dialect, dsn)
				start := readCounter(t, db.DB)
				var seen []int64
				res, err := updater.Update(context.Background(), h.Where("id = ?", 1), func(v *versionedCounter) error {
					seen = append(seen, v.N)
					if len(seen) == 1 {
						if err := other.Exec("UPDATE versioned_counters SET n = n + 100, version = version + 1 WHERE id = 1").Error; err != nil {
							return err
						}
					}
					v.N *= 2
					return nil
				})
				if err != nil || res.Attempts != 2 {
					t.Fatalf("got %v after %d attempts, want success after 2", err, res.Attempts)
				}
				if want := []int64{start.N, start.N + 100}; !reflect.DeepEqual(seen, want) {
					t.Fatalf("change saw N = %v, want %v", seen, want)
				}
				want := versionedCounter{ID: 1, N: 2 * (start.N + 100), Version: start.Version + 2}
				if got := readCounter(t, db.DB); got != want || res.Row != want {
					t.Fatalf("read back %+v, result %+v; want %+v", got, res.Row, want)
				}
			})
		}
	})
}

// pluginVersioned uses a type shaped and named like
// gorm.io/plugin/optimisticlock.Version (see internal/optimisticlock).
type pluginVersioned struct {
	ID      int64 `gorm:"primaryKey"`
	Name    string
	Version optimisticlock.Version
}

// revisioned names its version field with VersionField.
type revisioned struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
	Rev  uint32
}

func TestVersionFieldDiscovery(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &pluginVersioned{}, &revisioned{}, &counter{})
		dbtest.Seed(t, db.DB, []pluginVersioned{{ID: 1, Name: "a", Version: optimisticlock.Version{Int64: 1, Valid: true}}, {ID: 2, Name: "null version"}})
		dbtest.Seed(t, db.DB, []revisioned{{ID: 1, Name: "a", Rev: 9}})
		dbtest.Seed(t, db.DB, []counter{{ID: 1}})
		ctx := context.Background()
		rename := func(p *pluginVersioned) error { p.Name = "b"; return nil }

		res, err := updater.Update(ctx, db.Where("id = ?", 1), rename)
		if err != nil || res.Row.Version != (optimisticlock.Version{Int64: 2, Valid: true}) {
			t.Fatalf("optimisticlock.Version: got %+v, %v", res.Row, err)
		}
		res, err = updater.Update(ctx, db.Where("id = ?", 2), rename) // NULL version: matched with IS NULL, set to 1
		if err != nil || res.Row.Version != (optimisticlock.Version{Int64: 1, Valid: true}) {
			t.Fatalf("NULL optimisticlock.Version: got %+v, %v", res.Row, err)
		}
		var pv []pluginVersioned
		if err := db.Order("id").Find(&pv).Error; err != nil || len(pv) != 2 || pv[0].Version.Int64 != 2 || pv[1].Version.Int64 != 1 || pv[1].Name != "b" {
			t.Fatalf("read back %+v, %v", pv, err)
		}

		rv, err := updater.Update(ctx, db.Where("id = ?", 1), func(r *revisioned) error { r.Name = "b"; return nil }, updater.VersionField("rev"))
		if err != nil || rv.Row.Rev != 10 {
			t.Fatalf("VersionField: got %+v, %v", rv.Row, err)
		}

		bump := func(c *counter) error { c.N++; return nil }
		for name, opt := range map[string]updater.UpdateOption{
			"Optimistic without a version": updater.Optimistic(),
			"VersionField unknown":         updater.VersionField("nope"),
		} {
			if _, err := updater.Update(ctx, db.Where("id = ?", 1), bump, opt); !errors.Is(err, updater.ErrNoVersionField) {
				t.Fatalf("%s: got %v, want ErrNoVersionField", name, err)
			}
		}
		if _, err := updater.Update(ctx, db.Where("id = ?", 1), func(r *revisioned) error { return nil }, updater.VersionField("Name")); !errors.Is(err, updater.ErrNoVersionField) {
			t.Fatalf("string version field: got %v, want ErrNoVersionField", err)
		}
		var c counter
		if err := db.First(&c, 1).Error; err != nil || c.N != 0 {
			t.Fatalf("counter = %+v, %v; want untouched", c, err)
		}
	})
}
