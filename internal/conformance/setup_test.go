package conformance

import (
	"database/sql"
	"sync"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// attachDriver is a SQLite driver whose every connection attaches
// "<main file>.arc" as schema arc, so that "arc.accounts" names a table in
// another schema on every connection of the pool.
const attachDriver = "sqlite3_gormup_conformance_arc"

var registerAttach sync.Once

// qualified creates a second schema (PostgreSQL), database (MariaDB) or
// attached file (SQLite) for the test and returns the handle to use and the
// target's schema-qualified name. The unqualified "accounts" of the test's own
// schema is the neighbour: a write that loses the qualifier lands there.
func qualified(t *testing.T, db *dbtest.DB) (*gorm.DB, string) {
	t.Helper()
	switch db.Dialect {
	case dbtest.Postgres:
		var cur string
		if err := db.Raw("SELECT current_schema()").Scan(&cur).Error; err != nil {
			t.Fatal(err)
		}
		arc := cur + "_arc"
		dbtest.MustExec(t, db.DB, `CREATE SCHEMA "`+arc+`"`)
		t.Cleanup(func() { db.Exec(`DROP SCHEMA IF EXISTS "` + arc + `" CASCADE`) })
		return db.DB, arc + ".accounts"
	case dbtest.MySQL:
		var cur string
		if err := db.Raw("SELECT DATABASE()").Scan(&cur).Error; err != nil {
			t.Fatal(err)
		}
		arc := cur + "_arc"
		dbtest.MustExec(t, db.DB, "CREATE DATABASE `"+arc+"`")
		t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS `" + arc + "`") })
		return db.DB, arc + ".accounts"
	case dbtest.SQLite:
		registerAttach.Do(func() {
			sql.Register(attachDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
				_, err := c.Exec("ATTACH DATABASE '"+c.GetFilename("main")+".arc' AS arc", nil)
				return err
			}})
		})
		h, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: attachDriver, DSN: db.DSN}), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s, err := h.DB(); err == nil {
				s.Close()
			}
		})
		return h, "arc.accounts"
	}
	t.Skipf("no second schema on %s", db.Dialect)
	return nil, ""
}
