package batch_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// bulkServer reports whether db has a bulk-load path.
func bulkServer(db *dbtest.DB) bool {
	return db.Dialect == dbtest.Postgres || db.Dialect == dbtest.MySQL
}

// accountState renders the rows of upd_accounts that a test compares.
func accountState(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var out []string
	for id, r := range loadAccounts(t, db) {
		out = append(out, fmt.Sprintf("%d:%d/v%d/%v/%v", id, r.Balance, r.Version, r.UpdatedAt.Equal(updEpoch), r.DeletedAt.Valid))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Under BulkLoad, PostgreSQL and MySQL/MariaDB load the rows into a
// temporary table and write them with one UPDATE joined to it, with the
// default path's semantics: CheckVersion conflicts, missing and
// soft-deleted rows, the version increment, UpdatedAt. SQLite takes the
// default path.
func TestUpdateRowsBulkLoad(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		if err := db.Delete(&updAccount{}, 3).Error; err != nil {
			t.Fatal(err)
		}
		cdb, rec := dbtest.Capture(db.DB)
		ctx := context.Background()
		rows := []updAccount{
			{ID: 1, Balance: 11, Version: 1}, // written, version 2
			{ID: 2, Balance: 22, Version: 9}, // conflict: stored 1
			{ID: 3, Balance: 33, Version: 1}, // soft-deleted: missing
			{ID: 4, Balance: 44, Version: 1}, // written
			{ID: 9, Balance: 99, Version: 1}, // missing
		}
		// Size(2): the rows are read (COPY) and inserted (MySQL) two at a
		// time, and their ordinals still map the read-back to the input.
		res, err := batch.UpdateRows(ctx, cdb, rows, []string{"balance"}, batch.BulkLoad(), batch.CheckVersion("Version"), batch.ListMissing(), batch.Size(2))
		if err != nil {
			t.Fatal(err)
		}
		statements := 3 // the default path: one UPDATE per chunk
		if bulkServer(db) {
			statements = 1
		}
		if res.Matched != 2 || res.Missing != 2 || fmt.Sprint(res.MissingKeys) != "[[3] [9]]" || fmt.Sprint(res.Conflicts) != "[[2]]" || res.Statements != statements {
			t.Fatalf("Result = %+v, want Matched 2, MissingKeys [[3] [9]], Conflicts [[2]], %d statements", res, statements)
		}
		want := "1:11/v2/false/false 2:102/v1/true/false 3:103/v1/true/true 4:44/v2/false/false 5:105/v1/true/false"
		if got := accountState(t, db.DB); got != want {
			t.Fatalf("rows = %s\nwant   %s", got, want)
		}
		creates := rec.Matching("CREATE TEMPORARY TABLE")
		updates := rec.Matching("UPDATE")
		if bulkServer(db) {
			if inserts := rec.Matching("INSERT"); db.Dialect == dbtest.MySQL && len(inserts) != 3 {
				t.Fatalf("%d INSERTs, want 3 of at most 2 rows", len(inserts))
			}
			if len(creates) != 1 || len(updates) != 1 || !strings.Contains(updates[0], "gormup_load") {
				t.Fatalf("statements = %q, want one CREATE TEMPORARY TABLE and one UPDATE joined to gormup_load", rec.Statements())
			}
		} else if len(creates) != 0 {
			t.Fatalf("statements = %q, want the default path", rec.Statements())
		}

		// Without CheckVersion and ListMissing: counted from RowsAffected
		// where the driver reports matched rows, read back otherwise.
		rec.Reset()
		res, err = batch.UpdateRows(ctx, cdb, []updAccount{{ID: 5, Balance: 55}, {ID: 8}, {ID: 2, Balance: 102}}, []string{"balance"}, batch.BulkLoad())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 || res.Missing != 1 || res.MissingKeys != nil {
			t.Fatalf("Result = %+v, want Matched 2, Missing 1", res)
		}
		want = "1:11/v2/false/false 2:102/v1/false/false 3:103/v1/true/true 4:44/v2/false/false 5:55/v1/false/false"
		if got := accountState(t, db.DB); got != want {
			t.Fatalf("rows = %s\nwant   %s", got, want)
		}
		if bulkServer(db) && len(rec.Matching("CREATE TEMPORARY TABLE")) != 1 {
			t.Fatalf("statements = %q, want the bulk-load path", rec.Statements())
		}
	})
}

// Keys the server calls equal are refused under BulkLoad too, before
// anything is written.
func TestUpdateRowsBulkLoadDuplicates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &eqRow{})
		dbtest.Seed(t, db.DB, []eqRow{{Code: "a", Val: 1}, {Code: "ab", Val: 2}})
		before := eqFingerprint(t, db.DB)
		key := map[string]string{dbtest.MySQL: "A", dbtest.Postgres: "ab  "}[db.Dialect]
		if key == "" {
			t.Skip("SQLite compares keys byte for byte: no duplicate Go misses")
		}
		first := map[string]string{dbtest.MySQL: "a", dbtest.Postgres: "ab"}[db.Dialect]
		_, err := batch.UpdateRows(context.Background(), db.DB, []eqRow{{Code: first, Val: 8}, {Code: key, Val: 9}}, []string{"val"}, batch.BulkLoad())
		var ke *batch.KeyError
		if !errors.Is(err, batch.ErrDuplicateKey) || !errors.As(err, &ke) || ke.Index != 1 || ke.First != 0 {
			t.Fatalf("err = %v, want *KeyError{Index 1, First 0} wrapping ErrDuplicateKey", err)
		}
		if after := eqFingerprint(t, db.DB); after != before {
			t.Fatalf("refused UpdateRows wrote rows: before %s after %s", before, after)
		}
	})
}

// Inside a caller's transaction COPY cannot reach the connection:
// PostgreSQL refuses with ErrBulkLoad and writes nothing. MySQL's temporary
// table joins the caller's transaction (its rollback undoes the write);
// SQLite takes the default path.
func TestUpdateRowsBulkLoadInTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 2)
		before := accountState(t, db.DB)
		ctx := context.Background()
		rollback := errors.New("roll back")
		var res batch.Result
		err := db.Transaction(func(tx *gorm.DB) error {
			var err error
			if res, err = batch.UpdateRows(ctx, tx, []updAccount{{ID: 1, Balance: 7}, {ID: 2, Balance: 8}}, []string{"balance"}, batch.BulkLoad()); err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&updAccount{}).Where("balance IN (7, 8)").Count(&n).Error; err != nil || n != 2 {
				t.Errorf("inside the transaction: %d rows written (%v), want 2", n, err)
			}
			return rollback
		})
		switch {
		case db.Dialect == dbtest.Postgres:
			if !errors.Is(err, batch.ErrBulkLoad) || res.Matched+res.Missing != 0 {
				t.Fatalf("err = %v, Result = %+v: want ErrBulkLoad", err, res)
			}
		case !errors.Is(err, rollback) || res.Matched != 2:
			t.Fatalf("err = %v, Result = %+v: want Matched 2 inside the transaction", err, res)
		}
		if after := accountState(t, db.DB); after != before {
			t.Fatalf("rows = %s, want %s: nothing committed", after, before)
		}
	})
}

// BulkLoad writes every row in one transaction: with CommitEach or Workers
// it is refused before any SQL.
func TestUpdateRowsBulkLoadCommitEach(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 1)
		before := accountState(t, db.DB)
		for name, opt := range map[string]batch.RowsOption{"CommitEach": batch.CommitEach(), "Workers": batch.Workers(2)} {
			cdb, rec := dbtest.Capture(db.DB)
			res, err := batch.UpdateRows(context.Background(), cdb, []updAccount{{ID: 1, Balance: 5}}, []string{"balance"}, batch.BulkLoad(), opt)
			if !errors.Is(err, batch.ErrBadOption) || res.Matched+res.Missing != 0 {
				t.Fatalf("%s: err = %v, Result = %+v, want ErrBadOption", name, err, res)
			}
			if got := loadAccounts(t, db.DB)[1].Balance; got != 101 {
				t.Fatalf("%s: balance = %d, want 101 (unchanged)", name, got)
			}
			if after := accountState(t, db.DB); after != before {
				t.Fatalf("%s: rows = %s, want %s: nothing written", name, after, before)
			}
			if st := rec.Statements(); len(st) != 0 {
				t.Fatalf("%s: statements = %q, want none (refused before any SQL)", name, st)
			}
		}
	})
}

// With an audit plugin every written column of every row reaches it under
// BulkLoad too, inside the write's transaction.
func TestUpdateRowsBulkLoadAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		var mu sync.Mutex
		var got []string
		audit := &hooks.Audit{Sink: func(_ context.Context, recs []hooks.Record) error {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range recs {
				got = append(got, fmt.Sprintf("%s %v %s=%v", r.Table, r.Key, r.Column, r.New))
			}
			return nil
		}}
		adb := dbtest.Reopen(t, db)
		if err := adb.Use(audit); err != nil {
			t.Fatal(err)
		}
		res, err := batch.UpdateRows(context.Background(), adb, []updAccount{{ID: 1, Balance: 5}, {ID: 3, Balance: 6}}, []string{"balance"}, batch.BulkLoad())
		if err != nil || res.Matched != 2 {
			t.Fatalf("Result = %+v, %v", res, err)
		}
		if got := accountState(t, db.DB); got != "1:5/v1/false/false 2:102/v1/true/false 3:6/v1/false/false" {
			t.Fatalf("rows = %s, want ids 1 and 3 written", got)
		}
		sort.Strings(got)
		if want := "upd_accounts [1] balance=5\nupd_accounts [3] balance=6"; strings.Join(got, "\n") != want {
			t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
		}
	})
}

// swapDSN returns dsn with each key=value (PostgreSQL) or user@ (MySQL)
// replaced as given.
func swapDSN(dsn string, pairs ...string) string {
	for i := 0; i < len(pairs); i += 2 {
		dsn = regexp.MustCompile(pairs[i]).ReplaceAllString(dsn, pairs[i+1])
	}
	return dsn
}

// A server that refuses temporary tables (PostgreSQL: a database whose
// TEMPORARY privilege is revoked; MySQL: a user without CREATE TEMPORARY
// TABLES) makes BulkLoad fail with ErrBulkLoad, nothing written; the
// default path then writes the same rows.
func TestUpdateRowsBulkLoadRefused(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs PostgreSQL or MySQL, not the nested sqlite-purego run")
	}
	for _, d := range []string{dbtest.Postgres, dbtest.MySQL} {
		t.Run(d, func(t *testing.T) {
			db := dbtest.Open(t, d)
			user := fmt.Sprintf("gormup_notemp_%d", os.Getpid())
			var limited *gorm.DB
			switch d {
			case dbtest.Postgres:
				// A database of its own: revoking TEMPORARY from PUBLIC on
				// the shared one would affect every other client.
				admin := dbtest.OpenDSN(t, d, os.Getenv(dbtest.EnvPostgres))
				dbtest.MustExec(t, admin, "DROP DATABASE IF EXISTS "+user)
				dbtest.MustExec(t, admin, "DROP ROLE IF EXISTS "+user)
				dbtest.MustExec(t, admin, "CREATE DATABASE "+user)
				dbtest.MustExec(t, admin, "CREATE ROLE "+user+" LOGIN")
				t.Cleanup(func() {
					admin.Exec("DROP DATABASE IF EXISTS " + user + " WITH (FORCE)")
					admin.Exec("DROP ROLE IF EXISTS " + user)
				})
				own := dbtest.OpenDSN(t, d, swapDSN(os.Getenv(dbtest.EnvPostgres), `dbname=\S+`, "dbname="+user))
				dbtest.MustExec(t, own, "REVOKE TEMPORARY ON DATABASE "+user+" FROM PUBLIC")
				db = &dbtest.DB{DB: own, Dialect: d}
				seedAccounts(t, db, 2)
				dbtest.MustExec(t, own, "GRANT SELECT, UPDATE ON upd_accounts TO "+user)
				limited = dbtest.OpenDSN(t, d, swapDSN(os.Getenv(dbtest.EnvPostgres), `dbname=\S+`, "dbname="+user, `user=\S+`, "user="+user))
			case dbtest.MySQL:
				seedAccounts(t, db, 2)
				var schema string
				if err := db.Raw("SELECT DATABASE()").Scan(&schema).Error; err != nil {
					t.Fatal(err)
				}
				dbtest.MustExec(t, db.DB, "DROP USER IF EXISTS '"+user+"'@'%'")
				dbtest.MustExec(t, db.DB, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'pw'")
				t.Cleanup(func() { db.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
				dbtest.MustExec(t, db.DB, "GRANT SELECT, UPDATE ON `"+schema+"`.* TO '"+user+"'@'%'")
				limited = dbtest.OpenDSN(t, d, swapDSN(db.DSN, `^[^@]*@`, user+":pw@"))
			}
			before := accountState(t, db.DB)
			rows := []updAccount{{ID: 1, Balance: 5}, {ID: 2, Balance: 6}}
			res, err := batch.UpdateRows(context.Background(), limited, rows, []string{"balance"}, batch.BulkLoad())
			if !errors.Is(err, batch.ErrBulkLoad) || res.Matched+res.Missing != 0 {
				t.Fatalf("err = %v, Result = %+v: want ErrBulkLoad", err, res)
			}
			if after := accountState(t, db.DB); after != before {
				t.Fatalf("rows = %s, want %s: nothing written", after, before)
			}
			res, err = batch.UpdateRows(context.Background(), limited, rows, []string{"balance"})
			if err != nil || res.Matched != 2 {
				t.Fatalf("default path: Result = %+v, %v; want Matched 2", res, err)
			}
			if got := loadAccounts(t, db.DB); got[1].Balance != 5 || got[2].Balance != 6 {
				t.Fatalf("rows = %+v, want the default path's write", got)
			}
		})
	}
}

// With hooks.Guard installed, BulkLoad's statements pass: the UPDATE is
// bounded by its join to the load table.
func TestUpdateRowsBulkLoadGuard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		gdb := dbtest.Reopen(t, db)
		if err := gdb.Use(&hooks.Guard{}); err != nil {
			t.Fatal(err)
		}
		for _, opts := range [][]batch.RowsOption{{batch.BulkLoad()}, {batch.BulkLoad(), batch.CheckVersion("version"), batch.ListMissing()}} {
			res, err := batch.UpdateRows(context.Background(), gdb, []updAccount{{ID: 2, Balance: 22, Version: 1}, {ID: 9, Version: 1}}, []string{"balance"}, opts...)
			if err != nil || res.Matched != 1 || res.Missing != 1 {
				t.Fatalf("UpdateRows under Guard = %+v, %v", res, err)
			}
		}
		if got := loadAccounts(t, db.DB); got[2].Balance != 22 || got[1].Balance != 101 || got[3].Balance != 103 {
			t.Fatalf("rows = %+v", got)
		}
	})
}

// The statements of the bulk-load path, pinned per dialect (the time GORM
// renders for UpdatedAt replaced by NOW): catalog reads, then in the
// transaction the load table, its load (COPY is not a statement GORM sees;
// MySQL's INSERT is), the UPDATE joined to it, and on MySQL the drops.
func TestUpdateRowsBulkLoadSQL(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs PostgreSQL or MySQL, not the nested sqlite-purego run")
	}
	want := map[string][]string{
		dbtest.Postgres: {
			`CREATE TEMPORARY TABLE "pg_temp"."gormup_load" ON COMMIT DROP AS SELECT "gormup_t"."id" AS "id", "gormup_t"."balance" AS "balance" FROM "upd_accounts" AS "gormup_t" WITH NO DATA`,
			`UPDATE "upd_accounts" SET "balance" = "v"."balance", "updated_at" = NOW::timestamp with time zone FROM "pg_temp"."gormup_load" AS "v" WHERE "upd_accounts"."id" = "v"."id" AND "upd_accounts"."deleted_at" IS NULL`,
		},
		dbtest.MySQL: {
			"DROP TEMPORARY TABLE IF EXISTS `gormup_load`",
			"CREATE TEMPORARY TABLE `gormup_load` (PRIMARY KEY (`id`)) SELECT `gormup_t`.`id` AS `id`, `gormup_t`.`balance` AS `balance`, CAST(0 AS SIGNED) AS `gormup_n` FROM `upd_accounts` AS `gormup_t` LIMIT 0",
			"INSERT INTO `gormup_load` (`id`, `balance`, `gormup_n`) VALUES ( 1, 5, 1), ( 3, 7, 2)",
			"UPDATE `upd_accounts` JOIN `gormup_load` AS `v` ON `upd_accounts`.`id` = `v`.`id` AND `upd_accounts`.`deleted_at` IS NULL SET `upd_accounts`.`balance` = `v`.`balance`, `upd_accounts`.`updated_at` = NOW",
			"DROP TEMPORARY TABLE IF EXISTS `gormup_load`",
		},
	}
	stamp := regexp.MustCompile(`'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.0-9]*'`)
	for _, d := range []string{dbtest.Postgres, dbtest.MySQL} {
		t.Run(d, func(t *testing.T) {
			db := dbtest.Open(t, d)
			seedAccounts(t, db, 3)
			cdb, rec := dbtest.Capture(db.DB)
			res, err := batch.UpdateRows(context.Background(), cdb, []updAccount{{ID: 1, Balance: 5}, {ID: 3, Balance: 7}}, []string{"balance"}, batch.BulkLoad())
			if err != nil || res.Matched != 2 {
				t.Fatalf("Result = %+v, %v", res, err)
			}
			var got []string
			for _, s := range rec.Statements() {
				if !strings.HasPrefix(s, "SELECT") && !strings.HasPrefix(s, "SHOW") {
					got = append(got, stamp.ReplaceAllString(s, "NOW"))
				}
			}
			if strings.Join(got, "\n") != strings.Join(want[d], "\n") {
				t.Fatalf("statements\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want[d], "\n"))
			}
			if got := accountState(t, db.DB); got != "1:5/v1/false/false 2:102/v1/true/false 3:7/v1/false/false" {
				t.Fatalf("rows = %s, want ids 1 and 3 written", got)
			}
		})
	}
}

// hiddenConn is a database/sql driver connection that hides pgx's: what
// Conn.Raw hands out is not pgx's, as with any other PostgreSQL driver.
type hiddenConn struct{ driver.Conn }

type hidingConnector struct{ driver.Connector }

func (c hidingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	return hiddenConn{conn}, err
}

// Through a PostgreSQL driver that is not pgx's, COPY is out of reach:
// BulkLoad returns ErrBulkLoad and writes nothing; the default path works.
func TestUpdateRowsBulkLoadNotPgx(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs PostgreSQL, not the nested sqlite-purego run")
	}
	db := dbtest.Open(t, dbtest.Postgres)
	seedAccounts(t, db, 2)
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := sql.OpenDB(hidingConnector{stdlib.GetConnector(*cfg)})
	t.Cleanup(func() { sqlDB.Close() })
	other, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	before := accountState(t, db.DB)
	rows := []updAccount{{ID: 1, Balance: 5}, {ID: 2, Balance: 6}}
	if _, err := batch.UpdateRows(context.Background(), other, rows, []string{"balance"}, batch.BulkLoad()); !errors.Is(err, batch.ErrBulkLoad) {
		t.Fatalf("err = %v, want ErrBulkLoad", err)
	}
	if after := accountState(t, db.DB); after != before {
		t.Fatalf("rows = %s, want %s: nothing written", after, before)
	}
	if res, err := batch.UpdateRows(context.Background(), other, rows, []string{"balance"}); err != nil || res.Matched != 2 {
		t.Fatalf("default path: %+v, %v", res, err)
	}
	if got := loadAccounts(t, db.DB); got[1].Balance != 5 || got[2].Balance != 6 {
		t.Fatalf("rows = %+v, want the default path's write", got)
	}
}
