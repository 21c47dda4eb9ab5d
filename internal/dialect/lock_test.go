package dialect_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
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
		dbtest.Migrate(t, db, &lockRow{})
		d := dialect.MustOf(db.DB)
		if _, err := d.LockRows(db.DB, dialect.Lock{Strength: dialect.ForUpdate}, "lock_rows", "id"); !errors.Is(err, dialect.ErrLockOutsideTransaction) {
			t.Fatalf("got %v, want ErrLockOutsideTransaction", err)
		}
		// Inside a transaction it works, and on SQLite it holds the write lock.
		err := db.Transaction(func(tx *gorm.DB) error {
			locked, err := d.LockRows(tx, dialect.Lock{Strength: dialect.ForUpdate}, "lock_rows", "id")
			if err != nil {
				return err
			}
			var rows []lockRow
			return locked.Find(&rows).Error
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
