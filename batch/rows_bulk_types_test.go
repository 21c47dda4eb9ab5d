package batch_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// exoRow has server types the round-trip model lacks: a composite key with
// a character(n) part, json, uuid, a wide numeric, an enum, a timestamp
// without time zone and a date. exo_gorm and exo_rows are two tables of
// this shape, made by hand per dialect.
type exoRow struct {
	K1 string `gorm:"primaryKey"`
	K2 int64  `gorm:"primaryKey"`
	J  string
	NJ *string
	U  string
	N  string
	E  string
	TS time.Time
	DT time.Time
}

var exoColumns = []string{"j", "nj", "u", "n", "e", "ts", "dt"}

func exoDDL(dialect, table string) []string {
	switch dialect {
	case dbtest.Postgres:
		return []string{
			`DO $$ BEGIN CREATE TYPE exo_mood AS ENUM ('sad', 'ok', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
			`CREATE TABLE ` + table + ` (k1 character(6), k2 bigint, j jsonb NOT NULL, nj json, u uuid NOT NULL, n numeric(38,18) NOT NULL,
				e exo_mood NOT NULL, ts timestamp(6) without time zone NOT NULL, dt date NOT NULL, PRIMARY KEY (k1, k2))`,
		}
	case dbtest.MySQL:
		return []string{
			"CREATE TABLE " + table + " (k1 char(6), k2 bigint, j json NOT NULL, nj json, u char(36) NOT NULL, n decimal(38,18) NOT NULL," +
				" e enum('sad','ok','happy') NOT NULL, ts datetime(6) NOT NULL, dt date NOT NULL, PRIMARY KEY (k1, k2))",
		}
	}
	return []string{
		"CREATE TABLE " + table + " (k1 text, k2 integer, j text NOT NULL, nj text, u text NOT NULL, n text NOT NULL," +
			" e text NOT NULL, ts datetime NOT NULL, dt date NOT NULL, PRIMARY KEY (k1, k2))",
	}
}

// exoRows returns the seed (new false) or the new values.
func exoRows(new bool) []exoRow {
	zone := time.FixedZone("ist", 5*3600+1800)
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	seed := []exoRow{
		{K1: "ab", K2: 1, J: `{}`, U: "00000000-0000-0000-0000-000000000001", N: "0", E: "ok", TS: epoch, DT: epoch},
		{K1: "cd", K2: 1, J: `[]`, U: "00000000-0000-0000-0000-000000000002", N: "1", E: "ok", TS: epoch, DT: epoch},
		{K1: "cd", K2: 2, J: `1`, U: "00000000-0000-0000-0000-000000000003", N: "2", E: "ok", TS: epoch, DT: epoch},
		{K1: "zz", K2: 9, J: `"n"`, U: "00000000-0000-0000-0000-000000000004", N: "3", E: "ok", TS: epoch, DT: epoch},
	}
	if !new {
		return seed
	}
	nj := `{"z": null, "a": [1, 2.50, "\u00e9\ud83c\udf89"]}`
	return []exoRow{
		{K1: "cd", K2: 2, J: `{"b": 1, "a": {"c": [true, false, null]}}`, NJ: &nj, U: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
			N: "12345678901234567890.123456789012345678", E: "happy", TS: time.Date(2024, 2, 29, 23, 59, 59, 999999000, zone), DT: time.Date(2024, 3, 1, 1, 0, 0, 0, zone)},
		{K1: "ab", K2: 1, J: `"quote \" and \\ back"`, U: "ffffffff-ffff-ffff-ffff-ffffffffffff",
			N: "-0.000000000000000001", E: "sad", TS: time.Date(1999, 12, 31, 23, 59, 59, 123456000, time.UTC), DT: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{K1: "cd", K2: 1, J: `1e2`, U: "00000000-0000-0000-0000-000000000000", N: "99999999999999999999.999999999999999999", E: "ok",
			TS: time.Date(1970, 1, 1, 0, 0, 0, 1000, time.FixedZone("m", -9*3600)), DT: time.Date(2000, 1, 1, 23, 30, 0, 0, time.FixedZone("m", -9*3600))},
		{K1: "nope", K2: 7, J: `{}`, U: "00000000-0000-0000-0000-000000000009", N: "5", E: "ok", TS: epoch, DT: epoch}, // missing
	}
}

// exoState renders table's rows as the database prints them (every column
// cast to text: no value passes through a Go float or time).
func exoState(t *testing.T, db *dbtest.DB, table string) string {
	t.Helper()
	cast := func(c string) string { return "CAST(" + c + " AS CHAR)" }
	switch db.Dialect {
	case dbtest.Postgres:
		cast = func(c string) string { return c + "::text" }
	case dbtest.SQLite, dbtest.SQLitePureGo:
		cast = func(c string) string { return "CAST(" + c + " AS TEXT)" }
	}
	var sel []string
	for _, c := range append([]string{"k1", "k2"}, exoColumns...) {
		sel = append(sel, "COALESCE("+cast(c)+", 'NULL')")
	}
	row := strings.Join(sel, " || '|' || ")
	if db.Dialect == dbtest.MySQL {
		row = "CONCAT_WS('|', " + strings.Join(sel, ", ") + ")"
	}
	var rows []string
	if err := db.Raw("SELECT " + row + " FROM " + table + " ORDER BY k1, k2").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

// Differential: UpdateRows (default path and BulkLoad) stores, for each
// of these server types, exactly what GORM's own per-row Updates stores.
func TestUpdateRowsServerTypesLikeGORM(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.SQLServer {
			t.Skip("shape-tested only")
		}
		for _, tbl := range []string{"exo_gorm", "exo_rows"} {
			for _, q := range exoDDL(db.Dialect, tbl) {
				dbtest.MustExec(t, db.DB, q)
			}
		}
		ctx := context.Background()
		for name, opts := range map[string][]batch.RowsOption{"default": nil, "BulkLoad": {batch.BulkLoad()}} {
			for _, tbl := range []string{"exo_gorm", "exo_rows"} {
				dbtest.MustExec(t, db.DB, "DELETE FROM "+tbl)
				if err := db.Table(tbl).Create(exoRows(false)).Error; err != nil {
					t.Fatal(err)
				}
			}
			err := db.Transaction(func(tx *gorm.DB) error {
				for _, r := range exoRows(true) {
					err := tx.Table("exo_gorm").Where("k1 = ? AND k2 = ?", r.K1, r.K2).Updates(map[string]any{
						"j": r.J, "nj": r.NJ, "u": r.U, "n": r.N, "e": r.E, "ts": r.TS, "dt": r.DT}).Error
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("GORM's Updates: %v", err)
			}
			res, err := batch.UpdateRows(ctx, db.Table("exo_rows"), exoRows(true), exoColumns, append(opts, batch.ListMissing())...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if res.Matched != 3 || fmt.Sprint(res.MissingKeys) != "[[nope 7]]" {
				t.Errorf("%s: Result = %+v, want Matched 3, MissingKeys [[nope 7]]", name, res)
			}
			if got, want := exoState(t, db, "exo_rows"), exoState(t, db, "exo_gorm"); got != want {
				t.Errorf("%s: UpdateRows stored\n%s\nGORM's Updates stored\n%s", name, got, want)
			}
		}
	})
}

// MySQL with the driver's time zone set (loc=Asia/Kolkata, and a session
// time_zone of its own): the round-trip seeds store, on the default path and
// under BulkLoad, what GORM's own Updates stores.
func TestUpdateRowsRoundTripMySQLLoc(t *testing.T) {
	if os.Getenv(dbtest.EnvNestedPureGo) != "" {
		t.Skip("needs MySQL, not the nested sqlite-purego run")
	}
	base := dbtest.Open(t, dbtest.MySQL)
	cfg, err := gomysql.ParseDSN(base.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Loc, err = time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'-03:00'"
	db := &dbtest.DB{DB: dbtest.OpenDSN(t, dbtest.MySQL, cfg.FormatDSN()), Dialect: dbtest.MySQL, DSN: cfg.FormatDSN()}
	for _, tbl := range []string{"rt_gorm", "rt_rows"} {
		if err := db.Table(tbl).AutoMigrate(&rtRow{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, in := range rtSeeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) { roundTrip(t, db, in) })
		t.Run(fmt.Sprint("BulkLoad/", i), func(t *testing.T) { roundTrip(t, db, in, batch.BulkLoad()) })
	}
}
