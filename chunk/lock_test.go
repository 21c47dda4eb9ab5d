package chunk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
)

// TestRunNoWaitFailsFastWithErrLocked: lock.ForUpdateNoWait has one meaning
// everywhere: a chunk whose rows another transaction holds fails at once
// with lock.ErrLocked, after one attempt, and nothing of it is written.
// SQLite, which has no row locks, refuses the mode before any chunk.
func TestRunNoWaitFailsFastWithErrLocked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 10)
		ctx := context.Background()
		if db.Dialect == dbtest.SQLite {
			_, err := chunk.Run(ctx, db.DB, bump, chunk.Lock(lock.ForUpdateNoWait))
			if !errors.Is(err, chunk.ErrLockUnsupported) {
				t.Fatalf("got %v, want ErrLockUnsupported", err)
			}
			assertCounters(t, db, 10, 0)
			return
		}
		tx := db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		defer tx.Rollback()
		if err := tx.Exec("UPDATE run_items SET name = name WHERE id = ?", 3).Error; err != nil {
			t.Fatal(err)
		}
		rep, err := chunk.Run(ctx, db.DB, bump, chunk.Size(5), chunk.Lock(lock.ForUpdateNoWait))
		var ce *chunk.ChunkError
		if !errors.Is(err, lock.ErrLocked) || !errors.As(err, &ce) || ce.Attempts != 1 || rep.Retries != 0 {
			t.Fatalf("got %v (report %+v), want a *ChunkError wrapping lock.ErrLocked after 1 attempt", err, rep)
		}
		tx.Rollback()
		assertCounters(t, db, 10, 0)
	})
}

// assertCounters reads every run_items row back and checks there are n of
// them, each with counter want.
func assertCounters(t *testing.T, db *dbtest.DB, n int, want int64) {
	t.Helper()
	var rows []runItem
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows read back, want %d", len(rows), n)
	}
	for _, r := range rows {
		if r.Counter != want {
			t.Fatalf("row %d counter = %d, want %d", r.ID, r.Counter, want)
		}
	}
}
