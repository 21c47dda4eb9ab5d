package chunk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// TestNegativeOptionsRefused: every entry point refuses a negative size,
// count or duration with ErrBadOption naming the option, before any
// statement runs; the rows read back unchanged.
func TestNegativeOptionsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 5)
		ctx := context.Background()
		exec := map[string]chunk.ExecOption{
			"Workers": chunk.Workers(-1), "MaxRows": chunk.MaxRows(-1), "Attempts": chunk.Attempts(-1),
			"RetryBudget": chunk.RetryBudget(-time.Second), "TargetChunkTime": chunk.TargetChunkTime(-time.Second),
			"MaxHold": chunk.MaxHold(-time.Second),
		}
		type call func(db *gorm.DB) error
		calls := map[string]call{}
		for name, o := range exec {
			calls["Run/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Run(ctx, db, bump, o)
				return err
			}
			calls["Ranges/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Ranges(ctx, db.Model(&runItem{}), bumpRows, o)
				return err
			}
			calls["Purge/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Purge(ctx, db.Model(&runItem{}).Where("id > ?", 0), o)
				return err
			}
		}
		calls["Run/Size"] = func(db *gorm.DB) error {
			_, err := chunk.Run(ctx, db, bump, chunk.Size(-1))
			return err
		}
		calls["Ranges/Size"] = func(db *gorm.DB) error {
			_, err := chunk.Ranges(ctx, db.Model(&runItem{}), bumpRows, chunk.Size(-1))
			return err
		}
		calls["Purge/Size"] = func(db *gorm.DB) error {
			_, err := chunk.Purge(ctx, db.Model(&runItem{}).Where("id > ?", 0), chunk.Size(-1))
			return err
		}
		calls["Plan/Size"] = func(db *gorm.DB) error {
			_, err := chunk.Plan(ctx, db.Model(&runItem{}), chunk.Size(-1))
			return err
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				captured, rec := dbtest.Capture(db.DB)
				err := call(captured)
				option := name[strings.Index(name, "/")+1:]
				if !errors.Is(err, chunk.ErrBadOption) || err.Error() != "chunk: invalid option: "+option+" is negative; 0 means the default" {
					t.Fatalf("got %v, want ErrBadOption naming %s", err, option)
				}
				if got := rec.Statements(); len(got) != 0 {
					t.Fatalf("statements ran before the refusal: %q", got)
				}
				wantCounters(t, counters(t, db.DB), 1, 5, 0)
				var n int64
				if err := db.Model(&runItem{}).Count(&n).Error; err != nil || n != 5 {
					t.Fatalf("%d rows read back (%v), want 5", n, err)
				}
			})
		}
	})
}

// TestZeroOptionsAreDefaults: Size(0) and Workers(0) are the defaults, so a
// run given them processes every row once in DefaultSize chunks on one
// goroutine.
func TestZeroOptionsAreDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 5)
		rep, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(0), chunk.Workers(0), chunk.Attempts(0), chunk.RetryBudget(0))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 5 || rep.Chunks != 1 || rep.LastKey == nil {
			t.Fatalf("report %+v, want 5 rows in 1 chunk with a last key", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 5, 1)
		p, err := chunk.Plan(context.Background(), db.Model(&runItem{}), chunk.Size(0))
		if err != nil {
			t.Fatal(err)
		}
		if p.Size != chunk.DefaultSize || p.Chunks != 1 || p.Matching != 5 {
			t.Fatalf("plan %+v, want Size %d, 1 chunk, 5 matching", p, chunk.DefaultSize)
		}
	})
}

// TestTableAliasRefused: a db.Table alias is refused with ErrTable (the
// value batch and updater export too) before any statement runs.
func TestTableAliasRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 3)
		captured, rec := dbtest.Capture(db.DB)
		_, err := chunk.Run(context.Background(), captured.Table("run_items r"), bump)
		if !errors.Is(err, chunk.ErrTable) {
			t.Fatalf("got %v, want ErrTable", err)
		}
		if got := rec.Statements(); len(got) != 0 {
			t.Fatalf("statements ran before the refusal: %q", got)
		}
		wantCounters(t, counters(t, db.DB), 1, 3, 0)
	})
}
