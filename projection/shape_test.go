package projection_test

import (
	"reflect"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

// shapeSQL applies T's projection to build(db.Model(&Account{})) on a
// dry-run database of dialect and returns the SQL GORM would send.
func shapeSQL[T any](t *testing.T, dialect string, build func(db *gorm.DB) *gorm.DB) string {
	t.Helper()
	q, err := projection.Apply[T](build(dbtest.DryRun(t, dialect).Model(&Account{})))
	if err != nil {
		t.Fatal(err)
	}
	var sink []T
	return q.Find(&sink).Statement.SQL.String()
}

func TestShapeJoinedColumnsAreQualified(t *testing.T) {
	want := map[string]string{
		dbtest.Postgres:  `SELECT "accounts"."id","accounts"."name","Owner"."name" FROM "accounts" LEFT JOIN "owners" "Owner" ON "accounts"."owner_id" = "Owner"."id" WHERE accounts.status = $1 ORDER BY accounts.id LIMIT $2`,
		dbtest.MySQL:     "SELECT `accounts`.`id`,`accounts`.`name`,`Owner`.`name` FROM `accounts` LEFT JOIN `owners` `Owner` ON `accounts`.`owner_id` = `Owner`.`id` WHERE accounts.status = ? ORDER BY accounts.id LIMIT ?",
		dbtest.MariaDB:   "SELECT `accounts`.`id`,`accounts`.`name`,`Owner`.`name` FROM `accounts` LEFT JOIN `owners` `Owner` ON `accounts`.`owner_id` = `Owner`.`id` WHERE accounts.status = ? ORDER BY accounts.id LIMIT ?",
		dbtest.SQLite:    "SELECT `accounts`.`id`,`accounts`.`name`,`Owner`.`name` FROM `accounts` LEFT JOIN `owners` `Owner` ON `accounts`.`owner_id` = `Owner`.`id` WHERE accounts.status = ? ORDER BY accounts.id LIMIT 10",
		dbtest.SQLServer: `SELECT "accounts"."id","accounts"."name","Owner"."name" FROM "accounts" LEFT JOIN "owners" "Owner" ON "accounts"."owner_id" = "Owner"."id" WHERE accounts.status = @p1 ORDER BY accounts.id OFFSET 0 ROW FETCH NEXT 10 ROWS ONLY`,
	}
	for _, d := range dbtest.DryRunDialects {
		got := shapeSQL[joinedDTO](t, d, func(db *gorm.DB) *gorm.DB {
			return db.Joins("Owner").Where("accounts.status = ?", "active").Order("accounts.id").Limit(10)
		})
		if got != want[d] {
			t.Errorf("%s:\n got %s\nwant %s", d, got, want[d])
		}
	}
}

func TestShapeExpressionsDistinctAndGroup(t *testing.T) {
	want := map[string][2]string{
		dbtest.Postgres: {
			`SELECT DISTINCT "accounts"."id",UPPER(name) AS "upper",balance * 2 AS "twice" FROM "accounts" WHERE balance > $1`,
			`SELECT "accounts"."status",COUNT(*) AS "accounts",COALESCE(SUM(balance), 0) AS "total" FROM "accounts" GROUP BY "status" HAVING COUNT(*) > $1`,
		},
		dbtest.MySQL: {
			"SELECT DISTINCT `accounts`.`id`,UPPER(name) AS `upper`,balance * 2 AS `twice` FROM `accounts` WHERE balance > ?",
			"SELECT `accounts`.`status`,COUNT(*) AS `accounts`,COALESCE(SUM(balance), 0) AS `total` FROM `accounts` GROUP BY `status` HAVING COUNT(*) > ?",
		},
		dbtest.MariaDB: {
			"SELECT DISTINCT `accounts`.`id`,UPPER(name) AS `upper`,balance * 2 AS `twice` FROM `accounts` WHERE balance > ?",
			"SELECT `accounts`.`status`,COUNT(*) AS `accounts`,COALESCE(SUM(balance), 0) AS `total` FROM `accounts` GROUP BY `status` HAVING COUNT(*) > ?",
		},
		dbtest.SQLite: {
			"SELECT DISTINCT `accounts`.`id`,UPPER(name) AS `upper`,balance * 2 AS `twice` FROM `accounts` WHERE balance > ?",
			"SELECT `accounts`.`status`,COUNT(*) AS `accounts`,COALESCE(SUM(balance), 0) AS `total` FROM `accounts` GROUP BY `status` HAVING COUNT(*) > ?",
		},
		dbtest.SQLServer: {
			`SELECT DISTINCT "accounts"."id",UPPER(name) AS "upper",balance * 2 AS "twice" FROM "accounts" WHERE balance > @p1`,
			`SELECT "accounts"."status",COUNT(*) AS "accounts",COALESCE(SUM(balance), 0) AS "total" FROM "accounts" GROUP BY "status" HAVING COUNT(*) > @p1`,
		},
	}
	for _, d := range dbtest.DryRunDialects {
		got := shapeSQL[computedDTO](t, d, func(db *gorm.DB) *gorm.DB { return db.Distinct().Where("balance > ?", 5) })
		if got != want[d][0] {
			t.Errorf("%s expressions:\n got %s\nwant %s", d, got, want[d][0])
		}
		got = shapeSQL[statusTotal](t, d, func(db *gorm.DB) *gorm.DB { return db.Group("status").Having("COUNT(*) > ?", 1) })
		if got != want[d][1] {
			t.Errorf("%s group:\n got %s\nwant %s", d, got, want[d][1])
		}
	}
}

func TestShapeTableAliasQualifiesEmbeddedColumns(t *testing.T) {
	want := map[string]string{
		dbtest.Postgres:  `SELECT "a"."id","a"."contact_phone","a"."contact_city" FROM accounts_2024 AS a ORDER BY a.id LIMIT $1 OFFSET $2`,
		dbtest.MySQL:     "SELECT `a`.`id`,`a`.`contact_phone`,`a`.`contact_city` FROM accounts_2024 AS a ORDER BY a.id LIMIT ? OFFSET ?",
		dbtest.MariaDB:   "SELECT `a`.`id`,`a`.`contact_phone`,`a`.`contact_city` FROM accounts_2024 AS a ORDER BY a.id LIMIT ? OFFSET ?",
		dbtest.SQLite:    "SELECT `a`.`id`,`a`.`contact_phone`,`a`.`contact_city` FROM accounts_2024 AS a ORDER BY a.id LIMIT 10 OFFSET 20",
		dbtest.SQLServer: `SELECT "a"."id","a"."contact_phone","a"."contact_city" FROM accounts_2024 AS a ORDER BY a.id OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY`,
	}
	for _, d := range dbtest.DryRunDialects {
		got := shapeSQL[embeddedDTO](t, d, func(db *gorm.DB) *gorm.DB { return db.Table("accounts_2024 AS a").Offset(20).Limit(10).Order("a.id") })
		if got != want[d] {
			t.Errorf("%s:\n got %s\nwant %s", d, got, want[d])
		}
	}
}

func TestShapeColumnsAreQuotedPerDialect(t *testing.T) {
	want := map[string][]string{
		dbtest.Postgres:  {`"accounts"."id"`, `UPPER(name) AS "upper"`, `balance * 2 AS "twice"`},
		dbtest.MySQL:     {"`accounts`.`id`", "UPPER(name) AS `upper`", "balance * 2 AS `twice`"},
		dbtest.MariaDB:   {"`accounts`.`id`", "UPPER(name) AS `upper`", "balance * 2 AS `twice`"},
		dbtest.SQLite:    {"`accounts`.`id`", "UPPER(name) AS `upper`", "balance * 2 AS `twice`"},
		dbtest.SQLServer: {`"accounts"."id"`, `UPPER(name) AS "upper"`, `balance * 2 AS "twice"`},
	}
	for _, d := range dbtest.DryRunDialects {
		got, err := projection.Columns[computedDTO](dbtest.DryRun(t, d).Model(&Account{}))
		if err != nil || !reflect.DeepEqual(got, want[d]) {
			t.Errorf("%s: got %q, %v; want %q", d, got, err, want[d])
		}
	}
}
