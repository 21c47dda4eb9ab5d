package batch_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// A target table literally named like BulkLoad's temporary table: the
// UPDATE must write the user's table, not the temporary one that shadows
// it, and count what it wrote.
func TestUpdateRowsBulkLoadTargetNamedLikeLoadTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		tbl := db.Table("gormup_load")
		if err := tbl.AutoMigrate(&parRow{}); err != nil {
			t.Fatal(err)
		}
		dbtest.Seed(t, tbl, []parRow{{ID: 1, Qty: 1, Tag: "old"}, {ID: 2, Qty: 2, Tag: "old"}, {ID: 3, Qty: 3, Tag: "old"}})
		in := []parRow{{ID: 1, Qty: 11, Tag: "new"}, {ID: 3, Qty: 33, Tag: "new"}, {ID: 9, Qty: 99, Tag: "new"}}
		res, err := batch.UpdateRows(context.Background(), db.Table("gormup_load"), in, []string{"qty", "tag"}, batch.BulkLoad(), batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 || res.Missing != 1 {
			t.Errorf("Result = %+v, want Matched 2, Missing 1", res)
		}
		if got, want := parState(t, db, "gormup_load"), "1:11/new 2:2/old 3:33/new"; got != want {
			t.Errorf("gormup_load = %s, want %s", got, want)
		}
	})
}

// A user table named gormup_load beside the target, with pg_temp searched
// last (search_path = schema, pg_temp, as PostgreSQL advises for SECURITY
// DEFINER code): BulkLoad must neither fill nor read the user's table.
func TestUpdateRowsBulkLoadUserTableNamedLikeLoadTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedPar(t, db, 3)
		user := db.Table("gormup_load")
		if err := user.AutoMigrate(&parRow{}); err != nil {
			t.Fatal(err)
		}
		dbtest.Seed(t, user, []parRow{{ID: 2, Qty: 600, Tag: "user"}, {ID: 5, Qty: 500, Tag: "user"}})
		target := db.DB
		if db.Dialect == dbtest.Postgres {
			if !strings.Contains(db.DSN, " search_path=") {
				t.Fatalf("DSN %q has no search_path to extend", db.DSN)
			}
			target = dbtest.OpenDSN(t, dbtest.Postgres, db.DSN+",pg_temp")
		}
		in := []parRow{{ID: 1, Qty: 11, Tag: "new"}, {ID: 3, Qty: 33, Tag: "new"}}
		res, err := batch.UpdateRows(context.Background(), target, in, []string{"qty", "tag"}, batch.BulkLoad())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 {
			t.Errorf("Result = %+v, want Matched 2", res)
		}
		if got, want := parState(t, db, "par_rows"), "1:11/new 2:2/old 3:33/new"; got != want {
			t.Errorf("par_rows = %s, want %s", got, want)
		}
		if got, want := parState(t, db, "gormup_load"), "2:600/user 5:500/user"; got != want {
			t.Errorf("the user's gormup_load = %s, want %s (untouched)", got, want)
		}
	})
}

// parState renders table's parRow rows in id order.
func parState(t *testing.T, db *dbtest.DB, table string) string {
	t.Helper()
	var rows []parRow
	if err := db.Table(table).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d:%d/%s", r.ID, r.Qty, r.Tag))
	}
	return strings.Join(out, " ")
}

// A BulkLoad that fails at its last row (qty -1 breaks the CHECK only at
// the UPDATE: the load table has no CHECK) writes nothing; on a pool of one
// connection, the next BulkLoad on that connection works (no temporary
// table left behind), and so does one that fails while loading (a value
// too long for the column).
func TestUpdateRowsBulkLoadFailsThenWorks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 3000
		seedPar(t, db, n)
		one := dbtest.Reopen(t, db)
		sqlDB, err := one.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
		ctx := context.Background()
		in := parInput(n)
		in[len(in)-1].Qty = -1
		if _, err := batch.UpdateRows(ctx, one, in, []string{"qty", "tag"}, batch.BulkLoad(), batch.Size(500)); err == nil {
			t.Fatal("a row breaking the CHECK was written")
		}
		checkAccount(t, db.DB, n, in, nil)
		in = parInput(n)
		in[n/2].Tag = strings.Repeat("x", 33) // size:32
		if _, err := batch.UpdateRows(ctx, one, in, []string{"qty", "tag"}, batch.BulkLoad(), batch.Size(500)); err == nil && !dbtest.IsSQLite(db.Dialect) {
			t.Fatal("a value too long for its column was written")
		}
		if !dbtest.IsSQLite(db.Dialect) {
			checkAccount(t, db.DB, n, in, nil)
		}
		dbtest.MustExec(t, db.DB, "UPDATE par_rows SET qty = id, tag = 'old'")
		in = parInput(n)
		res, err := batch.UpdateRows(ctx, one, in, []string{"qty", "tag"}, batch.BulkLoad(), batch.Size(500))
		if err != nil || res.Matched != n {
			t.Fatalf("after the failures: Result = %+v, %v; want Matched %d", res, err, n)
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		checkAccount(t, db.DB, n, in, all)
	})
}

// Eight BulkLoad calls at once on one pool, each writing its own rows:
// every call writes exactly its rows (the temporary tables of concurrent
// calls never mix).
func TestUpdateRowsBulkLoadConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const calls, per = 8, 250
		seedPar(t, db, calls*per)
		var wg sync.WaitGroup
		errs := make([]error, calls)
		matched := make([]int64, calls)
		for c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rows := make([]parRow, per)
				for i := range rows {
					id := int64(c*per + i + 1)
					rows[i] = parRow{ID: id, Qty: 1000 + id, Tag: fmt.Sprint("c", c)}
				}
				res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"qty", "tag"}, batch.BulkLoad(), batch.Size(100))
				errs[c], matched[c] = err, res.Matched
			}()
		}
		wg.Wait()
		for c := range calls {
			if errs[c] != nil || matched[c] != per {
				t.Errorf("call %d: Matched %d, %v; want %d", c, matched[c], errs[c], per)
			}
		}
		got := loadPar(t, db.DB)
		for id, r := range got {
			want := parRow{ID: id, Qty: 1000 + id, Tag: fmt.Sprint("c", (id-1)/per)}
			if r != want {
				t.Fatalf("row %d = %+v, want %+v", id, r, want)
			}
		}
	})
}

// ctx cancelled while the rows load (at random points of a 20,000-row
// COPY or INSERT run): the call is one transaction, so the table holds
// every new value or none, and a Result of no rows goes with an error.
func TestUpdateRowsBulkLoadCancelledWhileLoading(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 20000
		seedPar(t, db, n)
		in := parInput(n)
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		reset := func() {
			// On MySQL a cancelled call's statement runs on in the server
			// until it notices its connection closed, then rolls back: the
			// reset may deadlock with it once.
			var err error
			for range 20 {
				if err = db.Exec("UPDATE par_rows SET qty = id, tag = 'old'").Error; err == nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Fatal(err)
		}
		for iter, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond} {
			reset()
			ctx, cancel := context.WithCancel(context.Background())
			timer := time.AfterFunc(delay, cancel)
			res, err := batch.UpdateRows(ctx, db.DB, in, []string{"qty", "tag"}, batch.BulkLoad(), batch.Size(1000))
			timer.Stop()
			cancel()
			if err != nil {
				if res.Matched != 0 {
					t.Errorf("iteration %d: Result %+v with error %v", iter, res, err)
				}
				checkAccount(t, db.DB, n, in, nil)
			} else {
				if res.Matched != n {
					t.Errorf("iteration %d: Result %+v, want Matched %d", iter, res, n)
				}
				checkAccount(t, db.DB, n, in, all)
			}
		}
		// The pool still works.
		reset()
		if res, err := batch.UpdateRows(context.Background(), db.DB, in, []string{"qty", "tag"}, batch.BulkLoad()); err != nil || res.Matched != n {
			t.Fatalf("after the cancellations: Result = %+v, %v", res, err)
		}
	})
}

// A schema-qualified db.Table (PostgreSQL schema; MySQL database): BulkLoad
// writes that table, not the same-named one on search_path or in the
// connection's database.
func TestUpdateRowsBulkLoadQualifiedTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if dbtest.IsSQLite(db.Dialect) || db.Dialect == dbtest.SQLServer {
			t.Skip("no schema of its own to qualify with in this test")
		}
		seedPar(t, db, 3)
		other := fmt.Sprintf("gormup_attack_%d", time.Now().UnixNano()%1e9)
		if db.Dialect == dbtest.Postgres {
			dbtest.MustExec(t, db.DB, `CREATE SCHEMA "`+other+`"`)
			t.Cleanup(func() { db.Exec(`DROP SCHEMA "` + other + `" CASCADE`) })
		} else {
			dbtest.MustExec(t, db.DB, "CREATE DATABASE `"+other+"`")
			t.Cleanup(func() { db.Exec("DROP DATABASE `" + other + "`") })
		}
		q := other + ".par_rows"
		if db.Dialect == dbtest.Postgres {
			dbtest.MustExec(t, db.DB, `CREATE TABLE "`+other+`".par_rows (LIKE par_rows INCLUDING ALL)`)
		} else {
			dbtest.MustExec(t, db.DB, "CREATE TABLE `"+other+"`.par_rows LIKE par_rows")
		}
		dbtest.Seed(t, db.Table(q), []parRow{{ID: 1, Qty: 1, Tag: "old"}, {ID: 2, Qty: 2, Tag: "old"}, {ID: 3, Qty: 3, Tag: "old"}})
		in := []parRow{{ID: 3, Qty: 33, Tag: "new"}, {ID: 9, Qty: 99, Tag: "new"}, {ID: 1, Qty: 11, Tag: "new"}}
		res, err := batch.UpdateRows(context.Background(), db.Table(q), in, []string{"qty", "tag"}, batch.BulkLoad(), batch.ListMissing())
		if err != nil || res.Matched != 2 || fmt.Sprint(res.MissingKeys) != "[[9]]" {
			t.Fatalf("Result = %+v, %v; want Matched 2, MissingKeys [[9]]", res, err)
		}
		if got, want := parState(t, db, q), "1:11/new 2:2/old 3:33/new"; got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
		if got, want := parState(t, db, "par_rows"), "1:1/old 2:2/old 3:3/old"; got != want {
			t.Errorf("par_rows = %s, want %s (untouched)", got, want)
		}
	})
}

// GORM's PrepareStmt mode (statements prepared and cached per pool):
// BulkLoad twice in a row (the second reuses the cached CREATE, INSERT and
// DROP against a new temporary table) and Workers write exactly their rows.
func TestUpdateRowsBulkLoadPrepareStmt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 50
		seedPar(t, db, n)
		pdb := db.Session(&gorm.Session{PrepareStmt: true})
		in := parInput(n)
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		for round, opts := range [][]batch.RowsOption{
			{batch.BulkLoad(), batch.Size(7)}, {batch.BulkLoad(), batch.Size(7), batch.ListMissing()}, {batch.Workers(3), batch.Size(7)},
		} {
			for i := range in {
				in[i].Qty = int64(round*1000) + in[i].ID
			}
			res, err := batch.UpdateRows(context.Background(), pdb, in, []string{"qty", "tag"}, opts...)
			if err != nil || res.Matched != n {
				t.Fatalf("round %d: Result = %+v, %v; want Matched %d", round, res, err, n)
			}
			checkAccount(t, db.DB, n, in, all)
		}
	})
}

// vRow's table is named like the derived table's alias ("v") and has a
// column named like the ordinal column (gormup_n).
type vRow struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	GormupN int64  `gorm:"column:gormup_n"`
	Tag     string `gorm:"size:16"`
}

// Names that collide with the statement's own aliases: a table named v
// or gormup_t, a written column named gormup_n. Every path writes exactly
// the rows given and reports them.
//
// Each colliding alias is then its default with _2 appended (newAliases).
func TestUpdateRowsAliasCollisions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for _, table := range []string{"v", "gormup_t"} {
			tbl := db.Table(table)
			if err := tbl.AutoMigrate(&vRow{}); err != nil {
				t.Fatal(err)
			}
			for name, opts := range map[string][]batch.RowsOption{
				"default": {batch.ListMissing()}, "BulkLoad": {batch.BulkLoad(), batch.ListMissing()}, "Workers": {batch.Workers(2), batch.Size(1), batch.ListMissing()},
			} {
				dbtest.MustExec(t, db.DB, "DELETE FROM "+table)
				dbtest.Seed(t, db.Table(table), []vRow{{ID: 1, GormupN: 1, Tag: "old"}, {ID: 2, GormupN: 2, Tag: "old"}, {ID: 3, GormupN: 3, Tag: "old"}})
				in := []vRow{{ID: 3, GormupN: 30, Tag: "new"}, {ID: 9, GormupN: 90, Tag: "new"}, {ID: 1, GormupN: 10, Tag: "new"}}
				res, err := batch.UpdateRows(context.Background(), db.Table(table), in, []string{"gormup_n", "tag"}, opts...)
				if err != nil || res.Matched != 2 || fmt.Sprint(res.MissingKeys) != "[[9]]" {
					t.Errorf("%s %s: Result = %+v, %v; want Matched 2, MissingKeys [[9]]", table, name, res, err)
					continue
				}
				var rows []vRow
				if err := db.Table(table).Order("id").Find(&rows).Error; err != nil {
					t.Fatal(err)
				}
				if got, want := fmt.Sprint(rows), "[{1 10 new} {2 2 old} {3 30 new}]"; got != want {
					t.Errorf("%s %s: rows %s, want %s", table, name, got, want)
				}
			}
		}
	})
}
