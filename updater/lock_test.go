package updater_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// holdRowLock locks account id in a transaction of its own, released at
// cleanup.
func holdRowLock(t *testing.T, db *gorm.DB, id int64) {
	t.Helper()
	tx := db.Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	t.Cleanup(func() { tx.Rollback() })
	if err := tx.Exec("UPDATE accounts SET name = name WHERE id = ?", id).Error; err != nil {
		t.Fatal(err)
	}
}

func TestUpdateLockVariants(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db)
		ctx := context.Background()
		bump := func(a *account) error { a.Balance++; return nil }
		if db.Dialect == dbtest.SQLite {
			// SQLite has no row locks to skip or refuse to wait for.
			for _, l := range []lock.Mode{lock.ForUpdateNoWait, lock.SkipLocked, lock.ForNoKeyUpdate} {
				s, rec := capture(db.DB)
				_, err := updater.Update(ctx, s.Where("id = ?", 1), bump, updater.Lock(l))
				if !errors.Is(err, updater.ErrLockUnsupported) {
					t.Fatalf("lock %d: got %v, want ErrLockUnsupported", l, err)
				}
				for _, st := range rec.Statements() {
					if strings.Contains(st, "accounts") {
						t.Fatalf("lock %d: issued %q", l, st)
					}
				}
			}
			return
		}
		holdRowLock(t, db.DB, 1)

		res, err := updater.Update(ctx, db.Where("id = ?", 1), bump, updater.Lock(lock.ForUpdateNoWait))
		if !errors.Is(err, lock.ErrLocked) || res.Attempts != 1 {
			t.Fatalf("NOWAIT on a locked row: got %v after %d attempts, want ErrLocked after 1", err, res.Attempts)
		}
		_, err = updater.Update(ctx, db.Where("id = ?", 1), bump, updater.Lock(lock.SkipLocked))
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("SKIP LOCKED on a locked row: got %v, want gorm.ErrRecordNotFound", err)
		}
		if got := load(t, db.DB, 1).Balance; got != 100 {
			t.Fatalf("locked row balance = %d, want 100: nothing written", got)
		}
		// Row 2 is free: both variants update it.
		for _, l := range []lock.Mode{lock.ForUpdateNoWait, lock.SkipLocked} {
			if _, err := updater.Update(ctx, db.Where("id = ?", 2), bump, updater.Lock(l)); err != nil {
				t.Fatalf("lock %d on a free row: %v", l, err)
			}
		}
		if got := load(t, db.DB, 2).Balance; got != 202 {
			t.Fatalf("row 2 balance = %d, want 202", got)
		}
		// FOR NO KEY UPDATE is PostgreSQL's: it writes there, and is refused
		// elsewhere before anything is written.
		_, err = updater.Update(ctx, db.Where("id = ?", 2), bump, updater.Lock(lock.ForNoKeyUpdate))
		if wantErr := db.Dialect != dbtest.Postgres; errors.Is(err, updater.ErrLockUnsupported) != wantErr || (!wantErr && err != nil) {
			t.Fatalf("FOR NO KEY UPDATE: got %v, want unsupported=%v", err, wantErr)
		}
		wantBalance := int64(202)
		if db.Dialect == dbtest.Postgres {
			wantBalance = 203
		}
		if got := load(t, db.DB, 2).Balance; got != wantBalance {
			t.Fatalf("row 2 balance after FOR NO KEY UPDATE = %d, want %d", got, wantBalance)
		}
		if got := load(t, db.DB, 1).Balance; got != 100 {
			t.Fatalf("locked row balance = %d, want 100", got)
		}
	})
}

func TestUpdateInsideCallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &versionedCounter{})
		seedAccounts(t, db)
		dbtest.Seed(t, db.DB, []versionedCounter{{ID: 1}})
		ctx := context.Background()
		s, rec := capture(db.DB)
		rollback := errors.New("caller rolls back")

		err := s.Transaction(func(tx *gorm.DB) error {
			res, err := updater.Update(ctx, tx.Where("id = ?", 1), func(a *account) error { a.Balance = 7; return nil })
			if err != nil || res.Attempts != 1 {
				t.Errorf("Update in tx = %d attempts, %v", res.Attempts, err)
			}
			// The caller's transaction sees its own write.
			var a account
			if err := tx.First(&a, 1).Error; err != nil || a.Balance != 7 {
				t.Errorf("in tx: balance %d, %v", a.Balance, err)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("Transaction = %v", err)
		}
		if got := load(t, db.DB, 1).Balance; got != 100 {
			t.Fatalf("balance after the caller's rollback = %d, want 100: Update committed on its own", got)
		}
		for _, st := range rec.Statements() {
			if strings.Contains(strings.ToUpper(st), "SAVEPOINT") {
				t.Fatalf("nested transaction: %q", st)
			}
		}

		// A conflict is returned at once, never retried inside the caller's transaction.
		h := interfered(t, db, func() bool { return true })
		calls := 0
		err = h.Transaction(func(tx *gorm.DB) error {
			_, err := updater.Update(ctx, tx.Where("id = ?", 1), func(v *versionedCounter) error { calls++; v.N++; return nil })
			return err
		})
		var ce *updater.ConflictError
		if !errors.As(err, &ce) || ce.Attempts != 1 || calls != 1 {
			t.Fatalf("conflict in the caller's tx: got %v after %d calls, want a ConflictError after 1", err, calls)
		}
		// The caller's transaction rolled back: neither the update nor the
		// interfering write is there.
		if got, want := readCounter(t, db.DB), (versionedCounter{ID: 1}); got != want {
			t.Fatalf("counter after the conflict = %+v, want unchanged %+v", got, want)
		}
	})
}
