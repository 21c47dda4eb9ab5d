package batch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// shapeAcct has a primary key, two written columns and a version; no
// timestamps, so the SQL is stable.
type shapeAcct struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Status  string
	Balance int64
	Version int64
}

// shapeStamped has an autoUpdateTime column.
type shapeStamped struct {
	ID        int64  `gorm:"primaryKey"`
	Note      string `gorm:"size:40"`
	UpdatedAt int64  `gorm:"autoUpdateTime:milli"`
}

// shapeDB opens a dry-run database whose executed SQL is recorded.
func shapeDB(t *testing.T, dialect string) (*gorm.DB, *dbtest.Recorder) {
	t.Helper()
	db := dbtest.DryRun(t, dialect)
	db.Config.NowFunc = func() time.Time { return shapeNow }
	return dbtest.Capture(db)
}

// shapeNow is the clock of the shape tests, so autoUpdateTime values are
// stable: 2026-01-02 03:04:05.006 UTC, 1767323045006 in Unix milliseconds.
var shapeNow = time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)

// TestShapes pins the SQL of every strategy on every dialect: UpdateRows
// plain, with CheckVersion, with an autoUpdateTime column and with a
// composite key; Update with an expression; UpdateKeys.
func TestShapes(t *testing.T) {
	want := map[string][]string{
		dbtest.Postgres: {
			`UPDATE "shape_accts" SET "status" = "v"."status", "balance" = "v"."balance" FROM unnest(CAST('{"1","2"}' AS text)::bigint[], CAST('{"a","b"}' AS text)::text[], CAST('{"10","20"}' AS text)::bigint[]) AS "v" ("id", "status", "balance") WHERE "shape_accts"."id" = "v"."id" AND "shape_accts"."id" = ANY(CAST('{"1","2"}' AS text)::bigint[])`,
			`UPDATE "shape_accts" SET "status" = "v"."status", "version" = COALESCE("shape_accts"."version", 0) + 1 FROM unnest(CAST('{"1","2"}' AS text)::bigint[], CAST('{"a","b"}' AS text)::text[], CAST('{"3","4"}' AS text)::bigint[]) AS "v" ("id", "status", "gormup_expected_version") WHERE "shape_accts"."id" = "v"."id" AND "shape_accts"."version" IS NOT DISTINCT FROM "v"."gormup_expected_version" AND "shape_accts"."id" = ANY(CAST('{"1","2"}' AS text)::bigint[])`,
			`UPDATE "shape_stampeds" SET "note" = "v"."note", "updated_at" = 1767323045006::bigint FROM unnest(CAST('{"1"}' AS text)::bigint[], CAST('{"x"}' AS text)::varchar[]) AS "v" ("id", "note") WHERE "shape_stampeds"."id" = "v"."id" AND "shape_stampeds"."id" = ANY(CAST('{"1"}' AS text)::bigint[])`,
			`UPDATE "upd_memberships" SET "role" = "v"."role" FROM unnest(CAST('{"1","2"}' AS text)::bigint[], CAST('{"a","b"}' AS text)::varchar[], CAST('{"r","s"}' AS text)::varchar[]) AS "v" ("tenant_id", "code", "role") WHERE "upd_memberships"."tenant_id" = "v"."tenant_id" AND "upd_memberships"."code" = "v"."code" AND "upd_memberships"."tenant_id" = ANY(CAST('{"1","2"}' AS text)::bigint[])`,
			`UPDATE "shape_accts" SET "balance"=balance - 5 WHERE (status = 'trial')`,
			`UPDATE "shape_accts" SET "status"='x' WHERE "shape_accts"."id" IN (1,2,3)`,
		},
		dbtest.MySQL: {
			"UPDATE `shape_accts` JOIN JSON_TABLE('[[1,\"a\",10],[2,\"b\",20]]', '$[*]' COLUMNS (`id` BIGINT PATH '$[0]', `status` LONGTEXT CHARACTER SET utf8mb4 PATH '$[1]', `balance` BIGINT PATH '$[2]')) AS `v` ON `shape_accts`.`id` = `v`.`id` SET `shape_accts`.`status` = `v`.`status`, `shape_accts`.`balance` = `v`.`balance`",
			"UPDATE `shape_accts` JOIN JSON_TABLE('[[1,\"a\",3],[2,\"b\",4]]', '$[*]' COLUMNS (`id` BIGINT PATH '$[0]', `status` LONGTEXT CHARACTER SET utf8mb4 PATH '$[1]', `gormup_expected_version` BIGINT PATH '$[2]')) AS `v` ON `shape_accts`.`id` = `v`.`id` AND `shape_accts`.`version` <=> `v`.`gormup_expected_version` SET `shape_accts`.`status` = `v`.`status`, `shape_accts`.`version` = COALESCE(`shape_accts`.`version`, 0) + 1",
			"UPDATE `shape_stampeds` JOIN JSON_TABLE('[[1,\"x\"]]', '$[*]' COLUMNS (`id` BIGINT PATH '$[0]', `note` LONGTEXT CHARACTER SET utf8mb4 PATH '$[1]')) AS `v` ON `shape_stampeds`.`id` = `v`.`id` SET `shape_stampeds`.`note` = `v`.`note`, `shape_stampeds`.`updated_at` = 1767323045006",
			"UPDATE `upd_memberships` JOIN JSON_TABLE('[[1,\"a\",\"r\"],[2,\"b\",\"s\"]]', '$[*]' COLUMNS (`tenant_id` BIGINT PATH '$[0]', `code` LONGTEXT CHARACTER SET utf8mb4 PATH '$[1]', `role` LONGTEXT CHARACTER SET utf8mb4 PATH '$[2]')) AS `v` ON `upd_memberships`.`tenant_id` = `v`.`tenant_id` AND `upd_memberships`.`code` = `v`.`code` SET `upd_memberships`.`role` = `v`.`role`",
			// RowsAffected counts changed rows: the UPDATE counts its matches
			// in a session variable (read back with SELECT @gormup_matched,
			// which a DryRun session does not run).
			"SET @gormup_matched = 0",
			"UPDATE `shape_accts` SET `balance`=IF((@gormup_matched := @gormup_matched + 1) IS NULL, NULL, balance - 5) WHERE (status = 'trial')",
			"SET @gormup_matched = 0",
			"UPDATE `shape_accts` SET `status`=IF((@gormup_matched := @gormup_matched + 1) IS NULL, NULL, 'x') WHERE `shape_accts`.`id` IN (1,2,3)",
		},
		dbtest.SQLite: {
			"UPDATE `shape_accts` SET `status` = `v`.column2, `balance` = `v`.column3 FROM (VALUES ( 1, \"a\", 10), ( 2, \"b\", 20)) AS `v` WHERE `shape_accts`.`id` = `v`.column1",
			"UPDATE `shape_accts` SET `status` = `v`.column2, `version` = COALESCE(`shape_accts`.`version`, 0) + 1 FROM (VALUES ( 1, \"a\", 3), ( 2, \"b\", 4)) AS `v` WHERE `shape_accts`.`id` = `v`.column1 AND `shape_accts`.`version` IS `v`.column3",
			"UPDATE `shape_stampeds` SET `note` = `v`.column2, `updated_at` = 1767323045006 FROM (VALUES ( 1, \"x\")) AS `v` WHERE `shape_stampeds`.`id` = `v`.column1",
			"UPDATE `upd_memberships` SET `role` = `v`.column3 FROM (VALUES ( 1, \"a\", \"r\"), ( 2, \"b\", \"s\")) AS `v` WHERE `upd_memberships`.`tenant_id` = `v`.column1 AND `upd_memberships`.`code` = `v`.column2",
			"UPDATE `shape_accts` SET `balance`=balance - 5 WHERE (status = \"trial\")",
			"UPDATE `shape_accts` SET `status`=\"x\" WHERE `shape_accts`.`id` IN (1,2,3)",
		},
		dbtest.SQLServer: {
			`UPDATE "shape_accts" SET "status" = "v"."status", "balance" = "v"."balance" FROM "shape_accts" JOIN (VALUES ( 1, 'a', 10), ( 2, 'b', 20)) AS "v" ("id", "status", "balance") ON "shape_accts"."id" = "v"."id"`,
			`UPDATE "shape_accts" SET "status" = "v"."status", "version" = COALESCE("shape_accts"."version", 0) + 1 FROM "shape_accts" JOIN (VALUES ( 1, 'a', 3), ( 2, 'b', 4)) AS "v" ("id", "status", "gormup_expected_version") ON "shape_accts"."id" = "v"."id" AND ("shape_accts"."version" = "v"."gormup_expected_version" OR ("shape_accts"."version" IS NULL AND "v"."gormup_expected_version" IS NULL))`,
			`UPDATE "shape_stampeds" SET "note" = "v"."note", "updated_at" = 1767323045006 FROM "shape_stampeds" JOIN (VALUES ( 1, 'x')) AS "v" ("id", "note") ON "shape_stampeds"."id" = "v"."id"`,
			`UPDATE "upd_memberships" SET "role" = "v"."role" FROM "upd_memberships" JOIN (VALUES ( 1, 'a', 'r'), ( 2, 'b', 's')) AS "v" ("tenant_id", "code", "role") ON "upd_memberships"."tenant_id" = "v"."tenant_id" AND "upd_memberships"."code" = "v"."code"`,
			`UPDATE "shape_accts" SET "balance"=balance - 5 WHERE (status = 'trial')`,
			`UPDATE "shape_accts" SET "status"='x' WHERE "shape_accts"."id" IN (1,2,3)`,
		},
	}
	// MariaDB speaks MySQL's dialect here: the same statements.
	want[dbtest.MariaDB] = want[dbtest.MySQL]
	ctx := context.Background()
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			db, rec := shapeDB(t, d)
			rows := []shapeAcct{{ID: 1, Status: "a", Balance: 10, Version: 3}, {ID: 2, Status: "b", Balance: 20, Version: 4}}
			if _, err := batch.UpdateRows(ctx, db, rows, []string{"status", "balance"}); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.UpdateRows(ctx, db, rows, []string{"status"}, batch.CheckVersion("Version")); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.UpdateRows(ctx, db, []shapeStamped{{ID: 1, Note: "x"}}, []string{"note"}); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.UpdateRows(ctx, db, []updMembership{{TenantID: 1, Code: "a", Role: "r"}, {TenantID: 2, Code: "b", Role: "s"}}, []string{"role"}); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.Update(ctx, db.Model(&shapeAcct{}).Where("status = ?", "trial"), map[string]any{"balance": gorm.Expr("balance - ?", 5)}); err != nil {
				t.Fatal(err)
			}
			if _, err := batch.UpdateKeys(ctx, db.Model(&shapeAcct{}), []int64{1, 2, 3}, map[string]any{"status": "x"}); err != nil {
				t.Fatal(err)
			}
			got := rec.Statements()
			if len(got) != len(want[d]) {
				t.Fatalf("%d statements, want %d:\n%s", len(got), len(want[d]), strings.Join(got, "\n"))
			}
			for i := range got {
				if got[i] != want[d][i] {
					t.Errorf("statement %d:\n got %s\nwant %s", i, got[i], want[d][i])
				}
			}
		})
	}
}

// SQL Server allows 2,100 bind parameters per statement: every statement of
// large inputs stays at or under it, with as few statements as fit.
func TestShapeSQLServerParameterLimit(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.SQLServer)
	var params []int
	record := func(tx *gorm.DB) { params = append(params, len(tx.Statement.Vars)) }
	if err := db.Callback().Raw().After("gorm:raw").Register("test:params", record); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Update().After("gorm:update").Register("test:params", record); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 5000
	rows := make([]updAccount, n)
	keys := make([]int64, n)
	for i := range rows {
		rows[i] = updAccount{ID: int64(i + 1), Balance: int64(i), Status: "s", Version: 1}
		keys[i] = int64(i + 1)
	}
	cases := []struct {
		name  string
		run   func() error
		stmts int
	}{
		// 4 parameters per row plus updated_at: 524 rows per statement.
		{"rows x3", func() error {
			_, err := batch.UpdateRows(ctx, db, rows, []string{"balance", "status", "note"})
			return err
		}, 10},
		// 5 per row with the version: 419 rows per statement.
		{"rows x3 versioned", func() error {
			_, err := batch.UpdateRows(ctx, db, rows, []string{"balance", "status", "note"}, batch.CheckVersion("version"))
			return err
		}, 12},
		// One parameter per key, minus room for the SET and conditions.
		{"keys", func() error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), keys, map[string]any{"status": "x"})
			return err
		}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params = nil
			if err := c.run(); err != nil {
				t.Fatal(err)
			}
			if len(params) != c.stmts {
				t.Fatalf("%d statements, want %d", len(params), c.stmts)
			}
			total := 0
			for i, p := range params {
				if p > 2100 {
					t.Errorf("statement %d has %d parameters, over 2100", i, p)
				}
				total += p
			}
			if total < n {
				t.Errorf("%d parameters in all, want at least one per row (%d)", total, n)
			}
		})
	}
}
