package updater_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
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
			"Attempts(-1)":     updater.Attempts(-1),
			"RetryBudget(-1s)": updater.RetryBudget(-time.Second),
			"Backoff(-1ms, 0)": updater.Backoff(-time.Millisecond, 0),
			"Backoff(0, -1ms)": updater.Backoff(0, -time.Millisecond),
		}
		for name, o := range bad {
			for entry, call := range map[string]func(db *gorm.DB) error{
				"Update": func(db *gorm.DB) error {
					_, err := updater.Update(ctx, db.Where("id = ?", 1), func(c *counter) error {
						t.Error("change ran")
						c.N++
						return nil
					}, updater.Lock(lock.ForUpdate), o)
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
