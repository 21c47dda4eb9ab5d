package updater_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
)

// counter has no version field: Update locks by default.
type counter struct {
	ID int64 `gorm:"primaryKey"`
	N  int64
}

// versionedCounter has a version field: Update is optimistic by default.
type versionedCounter struct {
	ID      int64 `gorm:"primaryKey"`
	N       int64
	Version int64 `gormup:"version"`
}

const (
	writers      = 16
	perWriter    = 50
	wantIncrents = writers * perWriter
)

// increments runs writers x perWriter increments of row 1 through Update and
// returns the errors callers saw and the total attempts.
func increments[T any](t *testing.T, db *dbtest.DB, bump func(*T), opts ...updater.UpdateOption) (errs []error, attempts int64) {
	t.Helper()
	h := dbtest.Reopen(t, db)
	if sqlDB, err := h.DB(); err == nil {
		sqlDB.SetMaxOpenConns(writers)
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		total atomic.Int64
	)
	ctx := context.Background()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				res, err := updater.Update(ctx, h.Where("id = ?", 1), func(row *T) error {
					bump(row)
					return nil
				}, opts...)
				total.Add(int64(res.Attempts))
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs, total.Load()
}

func TestNoLostUpdates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &counter{}, &versionedCounter{})
		t.Run("pessimistic", func(t *testing.T) {
			dbtest.Seed(t, db.DB, []counter{{ID: 1}})
			errs, attempts := increments(t, db, func(c *counter) { c.N++ })
			if len(errs) != 0 {
				t.Fatalf("%d callers saw errors, first: %v", len(errs), errs[0])
			}
			var got counter
			if err := db.First(&got, 1).Error; err != nil {
				t.Fatal(err)
			}
			if got.N != wantIncrents {
				t.Fatalf("counter = %d, want %d (attempts %d)", got.N, wantIncrents, attempts)
			}
		})
		t.Run("optimistic", func(t *testing.T) {
			dbtest.Seed(t, db.DB, []versionedCounter{{ID: 1}})
			errs, attempts := increments(t, db, func(c *versionedCounter) { c.N++ }, updater.Optimistic())
			if len(errs) != 0 {
				t.Fatalf("%d callers saw errors, first: %v", len(errs), errs[0])
			}
			var got versionedCounter
			if err := db.First(&got, 1).Error; err != nil {
				t.Fatal(err)
			}
			if got.N != wantIncrents || got.Version != wantIncrents {
				t.Fatalf("counter = %d version %d, want %d and %d (attempts %d)", got.N, got.Version, wantIncrents, wantIncrents, attempts)
			}
			t.Logf("%d attempts for %d updates", attempts, wantIncrents)
		})
	})
}
