package batch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
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
