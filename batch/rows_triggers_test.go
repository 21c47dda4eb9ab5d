package batch_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// A PostgreSQL BEFORE UPDATE trigger that skips one row (RETURN NULL) and
// rewrites another's value: the default path and BulkLoad store the same
// rows and give the same account, the one Result.Matched documents: the
// skipped row counts as Missing, or, when the keys are read back
// (ListMissing), as Matched.
func TestUpdateRowsBulkLoadTriggers(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs PostgreSQL, not the nested sqlite-purego run")
	}
	db := dbtest.Open(t, dbtest.Postgres)
	seedPar(t, db, 4)
	dbtest.MustExec(t, db.DB, `CREATE FUNCTION par_rows_trg() RETURNS trigger AS $$
	BEGIN
		IF NEW.id = 2 THEN RETURN NULL; END IF;
		IF NEW.id = 3 THEN NEW.tag := 'trg'; END IF;
		RETURN NEW;
	END $$ LANGUAGE plpgsql`)
	dbtest.MustExec(t, db.DB, `CREATE TRIGGER par_rows_trg BEFORE UPDATE ON par_rows FOR EACH ROW EXECUTE FUNCTION par_rows_trg()`)
	in := []parRow{{ID: 1, Qty: 11, Tag: "new"}, {ID: 2, Qty: 22, Tag: "new"}, {ID: 3, Qty: 33, Tag: "new"}, {ID: 9, Qty: 99, Tag: "new"}}
	for _, tc := range []struct {
		opts []batch.RowsOption
		want string
	}{
		{nil, "2 2 []"},
		{[]batch.RowsOption{batch.BulkLoad()}, "2 2 []"},
		{[]batch.RowsOption{batch.ListMissing()}, "3 1 [[9]]"},
		{[]batch.RowsOption{batch.BulkLoad(), batch.ListMissing()}, "3 1 [[9]]"},
	} {
		dbtest.MustExec(t, db.DB, "UPDATE par_rows SET qty = id, tag = 'old' WHERE id <> 2")
		res, err := batch.UpdateRows(context.Background(), db.DB, in, []string{"qty", "tag"}, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Matched, " ", res.Missing, " ", res.MissingKeys); got != tc.want {
			t.Errorf("%d options: Matched, Missing, MissingKeys = %s, want %s", len(tc.opts), got, tc.want)
		}
		if got, want := parState(t, db, "par_rows"), "1:11/new 2:2/old 3:33/trg 4:4/old"; got != want {
			t.Errorf("%d options: rows %s, want %s", len(tc.opts), got, want)
		}
	}
}

// A chunk that fails once with a serialization failure (a trigger raises
// SQLSTATE 40001 the first time it sees id 23) is retried: with Workers
// (UpdateKeys, qty + 1000) and under BulkLoad (UpdateRows) every row is
// written exactly once and counted once.
func TestRetriedChunkWritesOnce(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs PostgreSQL, not the nested sqlite-purego run")
	}
	db := dbtest.Open(t, dbtest.Postgres)
	const n = 40
	seedPar(t, db, n)
	dbtest.MustExec(t, db.DB, `CREATE SEQUENCE fail_once`)
	dbtest.MustExec(t, db.DB, `CREATE FUNCTION par_rows_fail_once() RETURNS trigger AS $$
	BEGIN
		IF NEW.id = 23 AND nextval('fail_once') = 1 THEN
			RAISE EXCEPTION 'try again' USING ERRCODE = '40001';
		END IF;
		RETURN NEW;
	END $$ LANGUAGE plpgsql`)
	dbtest.MustExec(t, db.DB, `CREATE TRIGGER par_rows_fail_once BEFORE UPDATE ON par_rows FOR EACH ROW EXECUTE FUNCTION par_rows_fail_once()`)
	ctx := context.Background()
	keys := make([]int64, n)
	for i := range keys {
		keys[i] = int64(n - i)
	}
	got, err := batch.UpdateKeys(ctx, db.Model(&parRow{}), keys, map[string]any{"qty": gorm.Expr("qty + 1000"), "tag": "new"},
		batch.Workers(3), batch.Size(4))
	if err != nil || got != n {
		t.Fatalf("UpdateKeys = %d, %v; want %d", got, err, n)
	}
	in := parInput(n)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	checkAccount(t, db.DB, n, in, all)
	var calls int64
	if err := db.Raw("SELECT last_value FROM fail_once").Scan(&calls).Error; err != nil || calls < 2 {
		t.Fatalf("UpdateKeys: the trigger fired %d times, %v: the failure was not retried", calls, err)
	}

	dbtest.MustExec(t, db.DB, "UPDATE par_rows SET qty = id, tag = 'old'")
	dbtest.MustExec(t, db.DB, "ALTER SEQUENCE fail_once RESTART")
	res, err := batch.UpdateRows(ctx, db.DB, in, []string{"qty", "tag"}, batch.BulkLoad(), batch.ListMissing())
	if err != nil || res.Matched != n || res.Missing != 0 {
		t.Fatalf("UpdateRows BulkLoad = %+v, %v; want Matched %d", res, err, n)
	}
	checkAccount(t, db.DB, n, in, all)
	if err := db.Raw("SELECT last_value FROM fail_once").Scan(&calls).Error; err != nil || calls < 2 {
		t.Fatalf("UpdateRows: the trigger fired %d times, %v: the failure was not retried", calls, err)
	}
}
