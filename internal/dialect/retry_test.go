package dialect_test

import (
	"context"
	"errors"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// deadlock is a real driver error value of the kind a deadlock produces.
var deadlock = &gomysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}

func valueOf(t *testing.T, db *gorm.DB, id int64) int64 {
	t.Helper()
	var r lockRow
	if err := db.First(&r, id).Error; err != nil {
		t.Fatal(err)
	}
	return r.Value
}

func TestRunTx(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedLockRows(t, db)
		ctx := context.Background()
		fast := dialect.RetryPolicy{BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}

		t.Run("retries until success and commits once", func(t *testing.T) {
			var retried []int
			p := fast
			p.OnRetry = func(attempt int, err error) { retried = append(retried, attempt) }
			calls := 0
			attempts, err := dialect.RunTx(ctx, db.DB, p, func(tx *gorm.DB) error {
				calls++
				if err := lockRowByID(tx, 1); err != nil {
					return err
				}
				if calls < 3 {
					return deadlock // rolled back: the increment must not stick
				}
				return nil
			})
			if err != nil || attempts != 3 {
				t.Fatalf("RunTx = %d, %v; want 3, nil", attempts, err)
			}
			if got := valueOf(t, db.DB, 1); got != 1 {
				t.Fatalf("value = %d, want 1 (two rolled-back attempts, one commit)", got)
			}
			if len(retried) != 2 || retried[0] != 1 || retried[1] != 2 {
				t.Fatalf("OnRetry attempts = %v, want [1 2]", retried)
			}
		})

		t.Run("stops at MaxAttempts with the last error and nothing written", func(t *testing.T) {
			p := fast
			p.MaxAttempts = 4
			attempts, err := dialect.RunTx(ctx, db.DB, p, func(tx *gorm.DB) error {
				if err := lockRowByID(tx, 2); err != nil {
					return err
				}
				return deadlock
			})
			if !errors.Is(err, deadlock) || attempts != 4 {
				t.Fatalf("RunTx = %d, %v; want 4, the deadlock", attempts, err)
			}
			if got := valueOf(t, db.DB, 2); got != 0 {
				t.Fatalf("value = %d, want 0", got)
			}
		})

		t.Run("does not retry other errors", func(t *testing.T) {
			boom := errors.New("boom")
			attempts, err := dialect.RunTx(ctx, db.DB, fast, func(tx *gorm.DB) error {
				if err := lockRowByID(tx, 2); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) || attempts != 1 {
				t.Fatalf("RunTx = %d, %v; want 1, boom", attempts, err)
			}
			if got := valueOf(t, db.DB, 2); got != 0 {
				t.Fatalf("value = %d, want 0", got)
			}
		})

		t.Run("inside a caller's transaction runs once and never retries", func(t *testing.T) {
			calls := 0
			outer := db.Transaction(func(tx *gorm.DB) error {
				attempts, err := dialect.RunTx(ctx, tx, fast, func(inner *gorm.DB) error {
					calls++
					if !dialect.InTransaction(inner) {
						t.Error("fn did not get the caller's transaction")
					}
					return deadlock
				})
				if attempts != 1 || !errors.Is(err, deadlock) {
					t.Errorf("RunTx in tx = %d, %v; want 1, the deadlock", attempts, err)
				}
				return err
			})
			if calls != 1 || !errors.Is(outer, deadlock) {
				t.Fatalf("calls = %d, outer = %v", calls, outer)
			}
		})

		t.Run("a done context stops before the first attempt", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			attempts, err := dialect.RunTx(cctx, db.DB, fast, func(*gorm.DB) error {
				t.Error("fn ran with a cancelled context")
				return nil
			})
			if attempts != 0 || !errors.Is(err, context.Canceled) {
				t.Fatalf("RunTx = %d, %v; want 0, context.Canceled", attempts, err)
			}
		})

		t.Run("cancellation during backoff returns ctx error wrapping the last one", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			p := dialect.RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxAttempts: 3,
				OnRetry: func(int, error) { cancel() }}
			attempts, err := dialect.RunTx(cctx, db.DB, p, func(*gorm.DB) error { return deadlock })
			if attempts != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, deadlock) {
				t.Fatalf("RunTx = %d, %v; want 1, canceled wrapping the deadlock", attempts, err)
			}
		})
	})
}

func TestBackoffBounds(t *testing.T) {
	p := dialect.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}
	for attempt, ceiling := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 9: 40 * time.Millisecond} {
		for range 200 {
			if d := p.Backoff(attempt); d < 0 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want within [0, %v]", attempt, d, ceiling)
			}
		}
	}
}
