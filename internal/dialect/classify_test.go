package dialect_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/txn"
	"github.com/mattn/go-sqlite3"
	mssql "github.com/microsoft/go-mssqldb"
	"gorm.io/gorm"
)

type lockRow struct {
	ID    int64 `gorm:"primaryKey"`
	Name  string
	Value int64
}

func seedLockRows(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &lockRow{})
	dbtest.Seed(t, db.DB, []lockRow{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}})
}

// begin starts a transaction on a connection of its own, rolled back at cleanup.
func begin(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	tx := db.Begin()
	if tx.Error != nil {
		t.Fatalf("begin: %v", tx.Error)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

func lockRowByID(tx *gorm.DB, id int64) error {
	return tx.Exec("UPDATE lock_rows SET value = value + 1 WHERE id = ?", id).Error
}

func valueOf(t *testing.T, db *gorm.DB, id int64) int64 {
	t.Helper()
	var r lockRow
	if err := db.First(&r, id).Error; err != nil {
		t.Fatal(err)
	}
	return r.Value
}

func TestClassifyRealDeadlock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.SQLite {
			t.Skip("SQLite has one writer at a time: no deadlocks between row locks")
		}
		seedLockRows(t, db)
		txs := []*gorm.DB{begin(t, db.DB), begin(t, db.DB)}
		if err := lockRowByID(txs[0], 1); err != nil {
			t.Fatal(err)
		}
		if err := lockRowByID(txs[1], 2); err != nil {
			t.Fatal(err)
		}
		// Each now waits for the row the other holds: the server must pick a
		// victim, whichever transaction that is.
		type result struct {
			tx  int
			err error
		}
		results := make(chan result, 2)
		go func() { results <- result{0, lockRowByID(txs[0], 2)} }()
		go func() { results <- result{1, lockRowByID(txs[1], 1)} }()
		var victims []error
		for range 2 {
			r := <-results
			if r.err != nil {
				victims = append(victims, r.err)
			}
			// PostgreSQL keeps the victim's locks until ROLLBACK: release them
			// so the survivor's statement can finish.
			txs[r.tx].Rollback()
		}
		if len(victims) != 1 {
			t.Fatalf("got %d failed transactions (%v), want exactly one deadlock victim", len(victims), victims)
		}
		if got := dialect.Classify(victims[0]); got != dialect.Deadlock {
			t.Fatalf("Classify(%v) = %v, want %v", victims[0], got, dialect.Deadlock)
		}
	})
}

func TestClassifyRealSerializationFailure(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect != dbtest.Postgres {
			t.Skip("serialization failures under SERIALIZABLE are PostgreSQL's; MySQL/MariaDB lock instead")
		}
		seedLockRows(t, db)
		tx1 := begin(t, db.DB)
		if err := tx1.Exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").Error; err != nil {
			t.Fatal(err)
		}
		var v int64
		if err := tx1.Raw("SELECT value FROM lock_rows WHERE id = 1").Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		// Another transaction commits a change to the row tx1 has read.
		if err := lockRowByID(db.DB, 1); err != nil {
			t.Fatal(err)
		}
		err := lockRowByID(tx1, 1)
		if got := dialect.Classify(err); got != dialect.SerializationFailure {
			t.Fatalf("Classify(%v) = %v, want %v", err, got, dialect.SerializationFailure)
		}
	})
}

func TestClassifyRealLockNotAvailable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.SQLite {
			t.Skip("SQLite has no NOWAIT; its busy error is covered by TestClassifyRealSQLiteBusy")
		}
		seedLockRows(t, db)
		d, err := dialect.Of(context.Background(), db.DB)
		if err != nil {
			t.Fatal(err)
		}
		holder := begin(t, db.DB)
		if err := lockRowByID(holder, 1); err != nil {
			t.Fatal(err)
		}
		waiter := begin(t, db.DB)
		locked, err := d.LockRows(waiter, dialect.Lock{Strength: dialect.ForUpdate, Wait: dialect.NoWait}, "lock_rows", "id")
		if err != nil {
			t.Fatal(err)
		}
		var rows []lockRow
		err = locked.Where("id = ?", 1).Find(&rows).Error
		want := map[string]dialect.Reason{
			dbtest.Postgres: dialect.LockNotAvailable, // 55P03
			dbtest.MySQL:    dialect.LockTimeout,      // MariaDB reports NOWAIT as 1205; MySQL 8 as 3572
		}[db.Dialect]
		if d.Family() == dialect.MySQL {
			want = dialect.LockNotAvailable
		}
		if got := dialect.Classify(err); got != want {
			t.Fatalf("Classify(%v) = %v, want %v", err, got, want)
		}
	})
}

func TestClassifyRealLockWaitTimeout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect != dbtest.MySQL {
			t.Skip("lock wait timeout (1205) is MySQL/MariaDB's; PostgreSQL waits unless lock_timeout is set")
		}
		seedLockRows(t, db)
		holder := begin(t, db.DB)
		if err := lockRowByID(holder, 1); err != nil {
			t.Fatal(err)
		}
		waiter := begin(t, db.DB)
		if err := waiter.Exec("SET SESSION innodb_lock_wait_timeout = 1").Error; err != nil {
			t.Fatal(err)
		}
		err := lockRowByID(waiter, 1)
		if got := dialect.Classify(err); got != dialect.LockTimeout {
			t.Fatalf("Classify(%v) = %v, want %v", err, got, dialect.LockTimeout)
		}
	})
}

func TestClassifyRealSQLiteBusy(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	seedLockRows(t, db)
	holder := begin(t, db.DB)
	if err := lockRowByID(holder, 1); err != nil {
		t.Fatal(err)
	}
	impatient := dbtest.OpenDSN(t, dbtest.SQLite, strings.Replace(db.DSN, "_busy_timeout=5000", "_busy_timeout=10", 1))
	err := lockRowByID(impatient, 2)
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("got %v, want SQLite's database is locked", err)
	}
	if got := dialect.Classify(err); got != dialect.Busy {
		t.Fatalf("Classify(%v) = %v, want %v", err, got, dialect.Busy)
	}
}

func TestClassifyOrdinaryErrorsAreNotRetryable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedLockRows(t, db)
		dup := db.Create(&lockRow{ID: 1, Name: "dup"}).Error
		syntax := db.Exec("UPDATE lock_rows SETT value = 1").Error
		notFound := db.First(&lockRow{}, 99).Error
		for name, err := range map[string]error{"unique violation": dup, "syntax error": syntax, "not found": notFound} {
			if err == nil {
				t.Fatalf("%s: got no error", name)
			}
			if got := dialect.Classify(err); got != dialect.NotRetryable {
				t.Errorf("%s: Classify(%v) = %v, want not retryable", name, err, got)
			}
		}
		if !errors.Is(notFound, gorm.ErrRecordNotFound) {
			t.Fatalf("not found: got %v", notFound)
		}
	})
}

func TestClassifyConstructedErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want dialect.Reason
	}{
		{"nil", nil, dialect.NotRetryable},
		{"plain", errors.New("boom"), dialect.NotRetryable},
		{"mssql deadlock", mssql.Error{Number: 1205, Message: "deadlock victim"}, dialect.Deadlock},
		{"mssql lock timeout", mssql.Error{Number: 1222, Message: "Lock request time out period exceeded"}, dialect.LockTimeout},
		{"mssql unique", mssql.Error{Number: 2627, Message: "Violation of PRIMARY KEY"}, dialect.NotRetryable},
		{"mssql wrapped", fmt.Errorf("update: %w", mssql.Error{Number: 1205}), dialect.Deadlock},
		{"mysql deadlock", &gomysql.MySQLError{Number: 1213}, dialect.Deadlock},
		{"mysql lock wait", &gomysql.MySQLError{Number: 1205}, dialect.LockTimeout},
		{"mysql nowait", &gomysql.MySQLError{Number: 3572}, dialect.LockNotAvailable},
		{"mysql duplicate", &gomysql.MySQLError{Number: 1062}, dialect.NotRetryable},
		{"sqlite busy", sqlite3.Error{Code: sqlite3.ErrBusy}, dialect.Busy},
		{"sqlite locked", sqlite3.Error{Code: sqlite3.ErrLocked}, dialect.Busy},
		{"sqlite constraint", sqlite3.Error{Code: sqlite3.ErrConstraint}, dialect.NotRetryable},
		{"sqlite wrapped in join", errors.Join(errors.New("x"), fmt.Errorf("y: %w", sqlite3.Error{Code: sqlite3.ErrBusy})), dialect.Busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialect.Classify(tt.err); got != tt.want {
				t.Fatalf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if got := dialect.Retryable(tt.err); got != (tt.want != dialect.NotRetryable) {
				t.Fatalf("Retryable(%v) = %v", tt.err, got)
			}
		})
	}
}

// Two transactions take the same two rows in opposite orders, each holding
// its first row until the other holds its own: on the servers one must be a
// deadlock victim, and RunTx retries it so both increments land. (SQLite
// serialises the two writers instead; both still land.)
func TestRunTxResolvesRealDeadlock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedLockRows(t, db)
		var (
			wg       sync.WaitGroup
			barrier  sync.WaitGroup
			errs     = make([]error, 2)
			attempts = make([]int, 2)
		)
		barrier.Add(2)
		for i, order := range [][2]int64{{1, 2}, {2, 1}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first := true
				attempts[i], errs[i] = txn.RunTx(context.Background(), db.DB, txn.RetryPolicy{MaxAttempts: 20}, func(tx *gorm.DB) error {
					if err := lockRowByID(tx, order[0]); err != nil {
						return err
					}
					if first && db.Dialect != dbtest.SQLite {
						first = false
						barrier.Done()
						waited := make(chan struct{})
						go func() { barrier.Wait(); close(waited) }()
						select {
						case <-waited:
						case <-time.After(30 * time.Second):
							return errors.New("the other transaction never took its first row")
						}
					}
					return lockRowByID(tx, order[1])
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("transaction %d after %d attempts: %v", i, attempts[i], err)
			}
		}
		if db.Dialect != dbtest.SQLite && attempts[0]+attempts[1] < 3 {
			t.Fatalf("attempts = %v: no transaction was retried, so no deadlock was resolved", attempts)
		}
		var got []lockRow
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Value != 2 || got[1].Value != 2 {
			t.Fatalf("got %+v, want both rows at value 2", got)
		}
	})
}
