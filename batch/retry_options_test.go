package batch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// retryDeadlock is a real driver error value of the kind a deadlock
// produces; every dialect's retry classification accepts it.
var retryDeadlock = &gomysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}

// TestRetryOptionsOutOfRange: every entry point that retries refuses a
// negative attempt count or retry budget with ErrBadOption, before any
// statement runs; the rows read back unchanged.
func TestRetryOptionsOutOfRange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &updAccount{})
		dbtest.Seed(t, db.DB, []updAccount{{ID: 1, Status: "a", Balance: 10}, {ID: 2, Status: "b", Balance: 20}})
		ctx := context.Background()
		opts := map[string]batch.Option{"Attempts(-1)": batch.Attempts(-1), "RetryBudget(-1ns)": batch.RetryBudget(-1)}
		runOpts := map[string]chunk.ExecOption{"Attempts(-1)": chunk.Attempts(-1), "RetryBudget(-1s)": chunk.RetryBudget(-time.Second)}
		type call func(db *gorm.DB) error
		calls := map[string]call{}
		for name, o := range opts {
			calls["Update/"+name] = func(db *gorm.DB) error {
				_, err := batch.Update(ctx, db.Model(&updAccount{}).Where("id = ?", 1), map[string]any{"status": "x"}, o)
				return err
			}
			calls["UpdateKeys/"+name] = func(db *gorm.DB) error {
				_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{1, 2}, map[string]any{"status": "x"}, o)
				return err
			}
			calls["UpdateRows/"+name] = func(db *gorm.DB) error {
				_, err := batch.UpdateRows(ctx, db, []updAccount{{ID: 1, Status: "x"}}, []string{"status"}, o)
				return err
			}
		}
		for name, o := range runOpts {
			calls["Run/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Run(ctx, db, func(tx *gorm.DB, part []updAccount) error {
					return tx.Model(&updAccount{}).Where("id = ?", part[0].ID).Update("status", "x").Error
				}, o)
				return err
			}
			calls["Ranges/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Ranges(ctx, db.Model(&updAccount{}), func(rows *gorm.DB, _ chunk.Range) error {
					return rows.Update("status", "x").Error
				}, o)
				return err
			}
			calls["Purge/"+name] = func(db *gorm.DB) error {
				_, err := chunk.Purge(ctx, db.Model(&updAccount{}).Where("id = ?", 1), o)
				return err
			}
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				captured, rec := dbtest.Capture(db.DB)
				want := batch.ErrBadOption
				if strings.HasPrefix(name, "Run/") || strings.HasPrefix(name, "Ranges/") || strings.HasPrefix(name, "Purge/") {
					want = chunk.ErrBadOption
				}
				if err := call(captured); !errors.Is(err, want) {
					t.Fatalf("got %v, want ErrBadOption", err)
				}
				if got := rec.Statements(); len(got) != 0 {
					t.Fatalf("statements ran before the refusal: %q", got)
				}
				var rows []updAccount
				if err := db.Order("id").Find(&rows).Error; err != nil {
					t.Fatal(err)
				}
				if len(rows) != 2 || rows[0].Status != "a" || rows[1].Status != "b" {
					t.Fatalf("rows read back %+v, want statuses a and b", rows)
				}
			})
		}
	})
}

// TestRunDefaultRetriesPastTheOldLimit: with no retry option, a chunk that
// fails with a retryable error 12 times in a row — more than the count
// limits of 5 and 10 that the package defaults used to be — is retried until
// it commits, once.
func TestRunDefaultRetriesPastTheOldLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &updAccount{})
		dbtest.Seed(t, db.DB, []updAccount{{ID: 1, Balance: 10}, {ID: 2, Balance: 20}})
		failures := 0
		rep, err := chunk.Run(context.Background(), db.DB, func(tx *gorm.DB, part []updAccount) error {
			for _, a := range part {
				if err := tx.Model(&updAccount{}).Where("id = ?", a.ID).Update("balance", gorm.Expr("balance + 1")).Error; err != nil {
					return err
				}
			}
			if failures < 12 {
				failures++
				return retryDeadlock // rolled back: the increments must not stick
			}
			return nil
		})
		if err != nil || rep.Retries != 12 || rep.Rows != 2 {
			t.Fatalf("Run = %+v, %v; want 2 rows after 12 retries", rep, err)
		}
		var rows []updAccount
		if err := db.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Balance != 11 || rows[1].Balance != 21 {
			t.Fatalf("rows read back %+v, want balances 11 and 21 (one commit)", rows)
		}
	})
}
