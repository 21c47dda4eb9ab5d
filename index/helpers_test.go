package index_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
	"gorm.io/gorm/migrator"
)

// catalog returns the indexes GORM's own Migrator.GetIndexes sees on table,
// by name: an independent reading of what Ensure did. On PostgreSQL it reads
// pg_index for the table the search path resolves, because GORM's PostgreSQL
// driver before v1.6.1 lists same-named tables of every schema.
func catalog(t *testing.T, db *gorm.DB, table string) map[string]gorm.Index {
	t.Helper()
	if db.Dialector.Name() == "postgres" {
		return postgresCatalog(t, db, table)
	}
	list, err := db.Migrator().GetIndexes(table)
	if err != nil {
		t.Fatalf("GetIndexes(%s): %v", table, err)
	}
	out := map[string]gorm.Index{}
	for _, ix := range list {
		out[ix.Name()] = ix
	}
	return out
}

func postgresCatalog(t *testing.T, db *gorm.DB, table string) map[string]gorm.Index {
	t.Helper()
	var rows []struct {
		Name    string
		Unique  bool
		Primary bool
		Column  string
	}
	err := db.Raw(`SELECT c.relname AS name, i.indisunique AS "unique", i.indisprimary AS "primary", a.attname AS "column"
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = to_regclass(?)
		ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`, table).Scan(&rows).Error
	if err != nil {
		t.Fatalf("reading the indexes of %s: %v", table, err)
	}
	out := map[string]gorm.Index{}
	for _, r := range rows {
		ix, ok := out[r.Name].(*migrator.Index)
		if !ok {
			ix = &migrator.Index{TableName: table, NameValue: r.Name,
				PrimaryKeyValue: sql.NullBool{Bool: r.Primary, Valid: true},
				UniqueValue:     sql.NullBool{Bool: r.Unique, Valid: true}}
			out[r.Name] = ix
		}
		ix.ColumnList = append(ix.ColumnList, r.Column)
	}
	return out
}

// wantIndex fails t unless table has index name on columns, unique or not.
func wantIndex(t *testing.T, db *gorm.DB, table, name string, unique bool, columns ...string) {
	t.Helper()
	ix, ok := catalog(t, db, table)[name]
	if !ok {
		t.Fatalf("index %s missing on %s; have %v", name, table, names(catalog(t, db, table)))
	}
	// GORM's PostgreSQL GetIndexes lists columns in table order: compare sets.
	got := slices.Sorted(slices.Values(ix.Columns()))
	if want := slices.Sorted(slices.Values(columns)); !slices.Equal(got, want) {
		t.Errorf("index %s columns = %v, want %v", name, got, want)
	}
	if got, _ := ix.Unique(); got != unique {
		t.Errorf("index %s unique = %v, want %v", name, got, unique)
	}
}

// noIndex fails t if table has an index called name.
func noIndex(t *testing.T, db *gorm.DB, table, name string) {
	t.Helper()
	if _, ok := catalog(t, db, table)[name]; ok {
		t.Fatalf("index %s exists on %s, want none", name, table)
	}
}

func names(m map[string]gorm.Index) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	return out
}

// statuses renders a report as "name=status" pairs in order.
func statuses(r index.Report) string {
	parts := make([]string, len(r.Indexes))
	for i, ix := range r.Indexes {
		parts[i] = ix.Name + "=" + string(ix.Status)
	}
	return strings.Join(parts, " ")
}

// noDDL fails t if rec recorded any CREATE, DROP or ALTER statement.
func noDDL(t *testing.T, rec *dbtest.Recorder) {
	t.Helper()
	if len(rec.Statements()) == 0 {
		t.Fatal("no statement recorded: the capture is not wired")
	}
	for _, p := range []string{"CREATE", "DROP", "ALTER"} {
		if got := rec.Matching(p); len(got) > 0 {
			t.Errorf("unexpected DDL: %q", got)
		}
	}
}

// seedAccounts inserts n accounts with distinct emails.
func seedAccounts(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	rows := make([]accountTable, n)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = accountTable{ID: int64(i + 1), Email: "user" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@example.com",
			Status: []string{"trial", "active", "closed"}[i%3], CreatedAt: base.Add(time.Duration(i) * time.Hour), Balance: int64(i), Active: i%3 == 1}
	}
	dbtest.Seed(t, db, rows)
}

// definition returns how the database itself describes index name, for
// order-, direction- and condition-sensitive assertions: PostgreSQL's
// pg_indexes.indexdef without the schema, SQLite's stored CREATE INDEX, and
// for MySQL "col(len) DESC, ..." built from information_schema.statistics.
func definition(t *testing.T, db *dbtest.DB, name string) string {
	t.Helper()
	var def string
	var err error
	switch db.Dialect {
	case dbtest.Postgres:
		var schema string
		err = db.Raw("SELECT schemaname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?", name).Row().Scan(&schema, &def)
		def = strings.ReplaceAll(def, schema+".", "")
	case dbtest.SQLite:
		err = db.Raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", name).Row().Scan(&def)
	case dbtest.MySQL:
		var rows []struct {
			Column string
			Part   *int
			Desc   bool
			Unique bool
		}
		err = db.Raw(`SELECT COLUMN_NAME AS `+"`column`"+`, SUB_PART AS part, COLLATION = 'D' AS `+"`desc`"+`, NON_UNIQUE = 0 AS `+"`unique`"+`
FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ? ORDER BY SEQ_IN_INDEX`, name).Scan(&rows).Error
		parts := make([]string, len(rows))
		for i, r := range rows {
			parts[i] = r.Column
			if r.Part != nil {
				parts[i] += fmt.Sprintf("(%d)", *r.Part)
			}
			if r.Desc {
				parts[i] += " DESC"
			}
		}
		def = strings.Join(parts, ", ")
		if len(rows) > 0 && rows[0].Unique {
			def = "UNIQUE " + def
		}
	default:
		t.Fatalf("definition: no query for %s", db.Dialect)
	}
	if err != nil {
		t.Fatalf("reading the definition of %s: %v", name, err)
	}
	return def
}

// ownPostgresDatabase returns a PostgreSQL database of t's own, dropped at
// cleanup, for CREATE INDEX CONCURRENTLY: it waits for every older
// transaction of its database, which in the shared test database may belong
// to other packages' tests running in parallel.
func ownPostgresDatabase(t *testing.T) *dbtest.DB {
	t.Helper()
	dsn := os.Getenv(dbtest.EnvPostgres)
	if dsn == "" {
		t.Skipf("%s not set: skipping postgres", dbtest.EnvPostgres)
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "gormup_index_" + hex.EncodeToString(b[:])
	admin := dbtest.OpenDSN(t, dbtest.Postgres, dsn)
	dbtest.MustExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	own := regexp.MustCompile(`dbname=\S+`).ReplaceAllString(dsn, "dbname="+name)
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		own = u.String()
	}
	return &dbtest.DB{DB: dbtest.OpenDSN(t, dbtest.Postgres, own), Dialect: dbtest.Postgres, DSN: own}
}
