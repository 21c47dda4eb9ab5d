package updater_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// TestRetryOptionsOutOfRange: Update and Transaction refuse a negative
// attempt count, retry budget or backoff delay with ErrBadOption before any
// statement runs; the row reads back unchanged.
func TestRetryOptionsOutOfRange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &counter{})
		dbtest.Seed(t, db.DB, []counter{{ID: 1, N: 7}})
		ctx := context.Background()
		bad := map[string]updater.Option{
			"WithAttempts(-1)":     updater.WithAttempts(-1),
			"WithRetryBudget(-1s)": updater.WithRetryBudget(-time.Second),
			"WithBackoff(-1ms, 0)": updater.WithBackoff(-time.Millisecond, 0),
			"WithBackoff(0, -1ms)": updater.WithBackoff(0, -time.Millisecond),
		}
		for name, o := range bad {
			for entry, call := range map[string]func(db *gorm.DB) error{
				"Update": func(db *gorm.DB) error {
					_, err := updater.Update(ctx, db.Where("id = ?", 1), func(c *counter) error {
						t.Error("change ran")
						c.N++
						return nil
					}, updater.WithLock(updater.ForUpdate), o)
					return err
				},
				"Transaction": func(db *gorm.DB) error {
					return updater.Transaction(ctx, db, func(tx *gorm.DB) error {
						t.Error("fn ran")
						return tx.Exec("UPDATE counters SET n = n + 1").Error
					}, o)
				},
			} {
				t.Run(entry+"/"+name, func(t *testing.T) {
					captured, rec := dbtest.Capture(db.DB)
					if err := call(captured); !errors.Is(err, updater.ErrBadOption) {
						t.Fatalf("got %v, want ErrBadOption", err)
					}
					if got := rec.Statements(); len(got) != 0 {
						t.Fatalf("statements ran before the refusal: %q", got)
					}
					var c counter
					if err := db.Take(&c, 1).Error; err != nil || c.N != 7 {
						t.Fatalf("read back %+v, %v; want n = 7", c, err)
					}
				})
			}
		}
	})
}

// TestRetryDefaults: without retry options, a transaction that fails with a
// retryable error 12 times in a row — past the old default of 10 attempts —
// is retried until it commits, once; WithAttempts(0) is that default; a
// retry budget too short for any pause leaves one attempt.
func TestRetryDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &counter{})
		dbtest.Seed(t, db.DB, []counter{{ID: 1}})
		ctx := context.Background()
		incr := func(tx *gorm.DB) error { return tx.Exec("UPDATE counters SET n = n + 1 WHERE id = 1").Error }
		value := func() int64 {
			var c counter
			if err := db.Take(&c, 1).Error; err != nil {
				t.Fatal(err)
			}
			return c.N
		}
		for i, opts := range [][]updater.Option{nil, {updater.WithAttempts(0), updater.WithRetryBudget(0), updater.WithBackoff(0, 0)}} {
			calls := 0
			err := updater.Transaction(ctx, db.DB, func(tx *gorm.DB) error {
				calls++
				if err := incr(tx); err != nil {
					return err
				}
				if calls <= 12 {
					return deadlock
				}
				return nil
			}, opts...)
			if err != nil || calls != 13 {
				t.Fatalf("options %d: got %v after %d calls, want success after 13", i, err, calls)
			}
			if got := value(); got != int64(i+1) {
				t.Fatalf("options %d: n = %d, want %d (one commit per call)", i, got, i+1)
			}
		}
		calls := 0
		err := updater.Transaction(ctx, db.DB, func(tx *gorm.DB) error {
			calls++
			if err := incr(tx); err != nil {
				return err
			}
			return deadlock
		}, updater.WithRetryBudget(time.Nanosecond))
		if !errors.Is(err, deadlock) || calls != 1 {
			t.Fatalf("1ns budget: got %v after %d calls, want the deadlock after 1", err, calls)
		}
		if got := value(); got != 2 {
			t.Fatalf("n = %d, want 2", got)
		}
	})
}
