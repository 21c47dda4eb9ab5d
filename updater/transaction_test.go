package updater_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// deadlock is a driver error of the kind a deadlock (or a Galera
// certification failure at COMMIT) produces.
var deadlock = &gomysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}

func TestTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &counter{})
		dbtest.Seed(t, db.DB, []counter{{ID: 1}})
		ctx := context.Background()
		fast := updater.Backoff(time.Microsecond, time.Millisecond)
		incr := func(tx *gorm.DB) error { return tx.Exec("UPDATE counters SET n = n + 1 WHERE id = 1").Error }
		value := func() int64 {
			var c counter
			if err := db.First(&c, 1).Error; err != nil {
				t.Fatal(err)
			}
			return c.N
		}

		t.Run("retries a deadlock and commits once", func(t *testing.T) {
			calls := 0
			var retried []int
			err := updater.Transaction(ctx, db.DB, func(tx *gorm.DB) error {
				calls++
				if err := incr(tx); err != nil {
					return err
				}
				if calls < 3 {
					return deadlock
				}
				return nil
			}, fast, updater.OnRetry(func(attempt int, err error) { retried = append(retried, attempt) }))
			if err != nil || calls != 3 || !reflect.DeepEqual(retried, []int{1, 2}) {
				t.Fatalf("got %v after %d calls, retries %v", err, calls, retried)
			}
			if got := value(); got != 1 {
				t.Fatalf("n = %d, want 1: rolled-back attempts left writes", got)
			}
		})
		for _, tt := range []struct {
			name string
			opts []updater.TransactionOption
			want int
		}{
			{"gives up after Attempts", []updater.TransactionOption{fast, updater.Attempts(2)}, 2},
			{"gives up when the retry budget leaves no time for a pause", []updater.TransactionOption{updater.RetryBudget(time.Nanosecond)}, 1},
		} {
			t.Run(tt.name, func(t *testing.T) {
				calls := 0
				err := updater.Transaction(ctx, db.DB, func(tx *gorm.DB) error {
					calls++
					if err := incr(tx); err != nil {
						return err
					}
					return deadlock
				}, tt.opts...)
				if !errors.Is(err, deadlock) || calls != tt.want {
					t.Fatalf("got %v after %d calls, want the deadlock after %d", err, calls, tt.want)
				}
				if got := value(); got != 1 {
					t.Fatalf("n = %d, want 1", got)
				}
			})
		}
		t.Run("returns other errors at once", func(t *testing.T) {
			boom := errors.New("boom")
			calls := 0
			err := updater.Transaction(ctx, db.DB, func(tx *gorm.DB) error {
				calls++
				if err := incr(tx); err != nil {
					return err
				}
				return boom
			}, fast)
			if err != boom || calls != 1 || value() != 1 {
				t.Fatalf("got %v after %d calls, n %d", err, calls, value())
			}
		})
		t.Run("inside a caller's transaction runs once", func(t *testing.T) {
			calls := 0
			outer := db.Transaction(func(tx *gorm.DB) error {
				return updater.Transaction(ctx, tx, func(inner *gorm.DB) error {
					calls++
					if err := incr(inner); err != nil {
						return err
					}
					return deadlock
				}, fast)
			})
			if !errors.Is(outer, deadlock) || calls != 1 || value() != 1 {
				t.Fatalf("got %v after %d calls, n %d", outer, calls, value())
			}
		})
		t.Run("a done context runs nothing", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			err := updater.Transaction(cctx, db.DB, func(tx *gorm.DB) error { return incr(tx) })
			if !errors.Is(err, context.Canceled) || value() != 1 {
				t.Fatalf("got %v, n %d", err, value())
			}
		})
		// The default retry budget is time, not a count: 12 failures in a
		// row, past the old default of 10 attempts, are retried until the
		// transaction commits, once; zero values are that default.
		for i, opts := range [][]updater.TransactionOption{nil, {updater.Attempts(0), updater.RetryBudget(0), updater.Backoff(0, 0)}} {
			t.Run(fmt.Sprintf("default options retry past 10 attempts (%d options)", len(opts)), func(t *testing.T) {
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
				if err != nil || calls != 13 || value() != int64(2+i) {
					t.Fatalf("got %v after %d calls, n %d; want success after 13, n %d", err, calls, value(), 2+i)
				}
			})
		}
	})
}

func TestTransactionNilDB(t *testing.T) {
	called := false
	err := updater.Transaction(context.Background(), nil, func(*gorm.DB) error { called = true; return nil })
	if !errors.Is(err, updater.ErrNilDB) || called {
		t.Fatalf("got %v (fn called: %v), want ErrNilDB without calling fn", err, called)
	}
}

func TestUpdateNilDB(t *testing.T) {
	called := false
	res, err := updater.Update(context.Background(), nil, func(*struct{ ID int64 }) error { called = true; return nil })
	if !errors.Is(err, updater.ErrNilDB) || called || res.Attempts != 0 {
		t.Fatalf("got %+v, %v (change called: %v), want ErrNilDB without calling change", res, err, called)
	}
}
