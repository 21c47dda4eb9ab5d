package dialect_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
)

func TestLockRowsSQLShape(t *testing.T) {
	forUpdate := dialect.Lock{Strength: dialect.ForUpdate}
	noWait := dialect.Lock{Strength: dialect.ForUpdate, Wait: dialect.NoWait}
	skip := dialect.Lock{Strength: dialect.ForUpdate, Wait: dialect.SkipLocked}
	noKey := dialect.Lock{Strength: dialect.ForNoKeyUpdate}
	tests := []struct {
		dialect string
		lock    dialect.Lock
		want    string // "" means ErrLockUnsupported
	}{
		{dbtest.Postgres, forUpdate, `SELECT * FROM "lock_rows" WHERE id = $1 FOR UPDATE`},
		{dbtest.Postgres, noWait, `SELECT * FROM "lock_rows" WHERE id = $1 FOR UPDATE NOWAIT`},
		{dbtest.Postgres, skip, `SELECT * FROM "lock_rows" WHERE id = $1 FOR UPDATE SKIP LOCKED`},
		{dbtest.Postgres, noKey, `SELECT * FROM "lock_rows" WHERE id = $1 FOR NO KEY UPDATE`},
		{dbtest.MySQL, forUpdate, "SELECT * FROM `lock_rows` WHERE id = ? FOR UPDATE"},
		{dbtest.MySQL, skip, "SELECT * FROM `lock_rows` WHERE id = ? FOR UPDATE SKIP LOCKED"},
		{dbtest.MySQL, noKey, ""},
		{dbtest.MariaDB, noWait, "SELECT * FROM `lock_rows` WHERE id = ? FOR UPDATE NOWAIT"},
		{dbtest.MariaDB, skip, "SELECT * FROM `lock_rows` WHERE id = ? FOR UPDATE SKIP LOCKED"},
		{dbtest.SQLServer, forUpdate, `SELECT * FROM "lock_rows" WITH (UPDLOCK, ROWLOCK) WHERE id = @p1`},
		{dbtest.SQLServer, noWait, `SELECT * FROM "lock_rows" WITH (UPDLOCK, ROWLOCK, NOWAIT) WHERE id = @p1`},
		{dbtest.SQLServer, skip, `SELECT * FROM "lock_rows" WITH (UPDLOCK, ROWLOCK, READPAST) WHERE id = @p1`},
		{dbtest.SQLServer, noKey, ""},
		{dbtest.SQLite, forUpdate, "SELECT * FROM `lock_rows` WHERE id = ?"}, // the lock is the preceding write
		{dbtest.SQLite, noWait, ""},
		{dbtest.SQLite, skip, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dialect+"/"+tt.lock.String(), func(t *testing.T) {
			db := dbtest.DryRun(t, tt.dialect)
			d := dialect.MustOf(db)
			tx, err := d.LockRows(db, tt.lock, "lock_rows", "id")
			if tt.want == "" {
				if !errors.Is(err, dialect.ErrLockUnsupported) {
					t.Fatalf("got %v, want ErrLockUnsupported", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var rows []lockRow
			stmt := tx.Where("id = ?", 1).Find(&rows).Statement
			if got := stmt.SQL.String(); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCheckLockWaitWithoutStrength(t *testing.T) {
	d := dialect.MustOf(dbtest.DryRun(t, dbtest.Postgres))
	if err := d.CheckLock(dialect.Lock{Wait: dialect.NoWait}); !errors.Is(err, dialect.ErrLockUnsupported) {
		t.Fatalf("NOWAIT without a strength: got %v, want ErrLockUnsupported", err)
	}
}

func TestLockRowsOutsideTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedLockRows(t, db)
		d := dialect.MustOf(db.DB)
		if _, err := d.LockRows(db.DB, dialect.Lock{Strength: dialect.ForUpdate}, "lock_rows", "id"); !errors.Is(err, dialect.ErrLockOutsideTransaction) {
			t.Fatalf("got %v, want ErrLockOutsideTransaction", err)
		}
	})
}

// Inside a transaction the lock is really held: another connection cannot
// take it (SQLite: cannot write at all) until the transaction ends.
func TestLockRowsHoldsTheLock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedLockRows(t, db)
		d := dialect.MustOf(db.DB)
		holder := begin(t, db.DB)
		locked, err := d.LockRows(holder, dialect.Lock{Strength: dialect.ForUpdate}, "lock_rows", "id")
		if err != nil {
			t.Fatal(err)
		}
		var rows []lockRow
		if err := locked.Where("id = ?", 1).Find(&rows).Error; err != nil || len(rows) != 1 {
			t.Fatalf("locked read: %d rows, %v", len(rows), err)
		}
		var other error
		if db.Dialect == dbtest.SQLite {
			impatient := dbtest.OpenDSN(t, db.Target, dbtest.SQLiteBusyTimeout(db.DSN, 10))
			other = lockRowByID(impatient, 2)
		} else {
			waiter := begin(t, db.DB)
			nowait, err := d.LockRows(waiter, dialect.Lock{Strength: dialect.ForUpdate, Wait: dialect.NoWait}, "lock_rows", "id")
			if err != nil {
				t.Fatal(err)
			}
			other = nowait.Where("id = ?", 1).Find(&rows).Error
		}
		if r := dialect.Classify(other); r == dialect.NotRetryable {
			t.Fatalf("the second connection got %v, want a lock error", other)
		}
		holder.Rollback()
		if got := valueOf(t, db.DB, 2); got != 0 {
			t.Fatalf("row 2 value = %d, want 0", got)
		}
	})
}
