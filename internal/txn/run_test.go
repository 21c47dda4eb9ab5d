package txn

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

type counter struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Value int64
}

func seedCounters(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &counter{})
	dbtest.Seed(t, db.DB, []counter{{ID: 1}, {ID: 2}})
}

func increment(tx *gorm.DB, id int64) error {
	return tx.Exec("UPDATE counters SET value = value + 1 WHERE id = ?", id).Error
}

func valueOf(t *testing.T, db *gorm.DB, id int64) int64 {
	t.Helper()
	var c counter
	if err := db.Take(&c, id).Error; err != nil {
		t.Fatal(err)
	}
	return c.Value
}

// TestRunTx runs the loop on every configured database with a fake clock:
// what is committed is read back, and no pause is slept for real.
func TestRunTx(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedCounters(t, db)
		ctx := context.Background()

		t.Run("retries until success and commits once", func(t *testing.T) {
			fc := newFakeClock()
			p := RetryPolicy{clock: fc.clock()}
			var retried []int
			p.OnRetry = func(attempt int, err error) { retried = append(retried, attempt) }
			calls := 0
			attempts, err := RunTx(ctx, db.DB, p, func(tx *gorm.DB) error {
				calls++
				if err := increment(tx, 1); err != nil {
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
			if want := []time.Duration{DefaultBaseDelay, 2 * DefaultBaseDelay}; !equalDurations(fc.pauses, want) {
				t.Fatalf("pauses = %v, want %v", fc.pauses, want)
			}
		})

		boom := errors.New("boom")
		for _, tt := range []struct {
			name string
			p    RetryPolicy
			err  error
			want int
		}{
			{"stops at MaxAttempts with the last error and nothing written", RetryPolicy{MaxAttempts: 4}, deadlock, 4},
			{"does not retry other errors", RetryPolicy{}, boom, 1},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.p.clock = newFakeClock().clock()
				attempts, err := RunTx(ctx, db.DB, tt.p, func(tx *gorm.DB) error {
					if err := increment(tx, 2); err != nil {
						return err
					}
					return tt.err
				})
				if err != tt.err || attempts != tt.want {
					t.Fatalf("RunTx = %d, %v; want %d, %v as is", attempts, err, tt.want, tt.err)
				}
				if got := valueOf(t, db.DB, 2); got != 0 {
					t.Fatalf("value = %d, want 0", got)
				}
			})
		}

		t.Run("a negative field is refused before anything runs", func(t *testing.T) {
			for _, p := range []RetryPolicy{
				{MaxElapsed: -1}, {MaxAttempts: -1}, {BaseDelay: -time.Millisecond}, {MaxDelay: -time.Second},
			} {
				attempts, err := RunTx(ctx, db.DB, p, func(tx *gorm.DB) error {
					t.Errorf("fn ran with the invalid policy %+v", p)
					return increment(tx, 2)
				})
				if attempts != 0 || !errors.Is(err, ErrBadPolicy) {
					t.Fatalf("RunTx(%+v) = %d, %v; want 0, ErrBadPolicy", p, attempts, err)
				}
			}
			if got := valueOf(t, db.DB, 2); got != 0 {
				t.Fatalf("value = %d, want 0", got)
			}
		})

		t.Run("inside a caller's transaction runs once and never retries", func(t *testing.T) {
			calls := 0
			outer := db.Transaction(func(tx *gorm.DB) error {
				attempts, err := RunTx(ctx, tx, RetryPolicy{clock: newFakeClock().clock()}, func(inner *gorm.DB) error {
					calls++
					if !dialect.InTransaction(inner) {
						t.Error("fn did not get the caller's transaction")
					}
					if err := increment(inner, 2); err != nil {
						return err
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
			if got := valueOf(t, db.DB, 2); got != 0 {
				t.Fatalf("value = %d, want 0 (the caller rolled back)", got)
			}
		})

		t.Run("a done context stops before the first attempt", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			attempts, err := RunTx(cctx, db.DB, RetryPolicy{}, func(*gorm.DB) error {
				t.Error("fn ran with a cancelled context")
				return nil
			})
			if attempts != 0 || !errors.Is(err, context.Canceled) {
				t.Fatalf("RunTx = %d, %v; want 0, context.Canceled", attempts, err)
			}
		})

		t.Run("cancellation during a pause returns ctx's error wrapping the last one", func(t *testing.T) {
			// The wall clock's sleep: a pause of up to an hour ends as soon
			// as ctx is cancelled.
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			p := RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 24 * time.Hour,
				OnRetry: func(int, error) { cancel() }}
			attempts, err := RunTx(cctx, db.DB, p, func(*gorm.DB) error { return deadlock })
			if attempts != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, deadlock) {
				t.Fatalf("RunTx = %d, %v; want 1, canceled wrapping the deadlock", attempts, err)
			}
		})
	})
}
