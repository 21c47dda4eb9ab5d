package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dbtest"
)

// TestEstimateRowsShape pins the catalog statement per dialect, SQL Server
// included, with no server behind it.
func TestEstimateRowsShape(t *testing.T) {
	want := map[string]string{
		dbtest.Postgres:  `SELECT CASE WHEN reltuples < 0 THEN NULL ELSE reltuples::bigint END AS rows FROM pg_class WHERE oid = to_regclass('"archive"."accounts"')`,
		dbtest.MySQL:     "SELECT TABLE_ROWS FROM `information_schema`.`TABLES` WHERE TABLE_SCHEMA = 'archive' AND TABLE_NAME = 'accounts'",
		dbtest.SQLite:    "SELECT count(*) FROM `archive`.sqlite_master WHERE type = 'table' AND name = \"accounts\"",
		dbtest.MariaDB:   "SELECT TABLE_ROWS FROM `information_schema`.`TABLES` WHERE TABLE_SCHEMA = 'archive' AND TABLE_NAME = 'accounts'",
		dbtest.SQLServer: `SELECT SUM(rows) FROM sys.partitions WHERE object_id = OBJECT_ID('"archive"."accounts"') AND index_id IN (0, 1) HAVING COUNT(*) > 0`,
	}
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			db, rec := dbtest.Capture(dbtest.DryRun(t, d))
			_, _ = catalog.EstimateRows(context.Background(), db, "archive.accounts")
			got := rec.Statements()
			if len(got) != 1 || got[0] != want[d] {
				t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), want[d])
			}
		})
	}
}
