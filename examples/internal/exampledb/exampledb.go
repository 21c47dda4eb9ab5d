// Package exampledb opens the database the example programs run on: embedded
// SQLite through the pure-Go driver in a temporary directory by default, or
// the server a -dsn names — always in a schema or database of the example's
// own, created for the run and dropped after it, so that an example never
// touches a table of yours.
package exampledb

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/glebarez/sqlite"
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	cgosqlite "gorm.io/driver/sqlite"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DSNUsage documents the -dsn flag; every example's -h prints it.
const DSNUsage = `database to run on (default: SQLite, pure Go, in a temporary directory removed at exit):
  postgres://user@host/db?sslmode=disable  or  host=... user=... dbname=...
  mysql://user:pass@host:3306/db           or  user:pass@tcp(host:3306)/db
  sqlserver://user:pass@host?database=db
  sqlite:PATH    pure-Go SQLite (github.com/glebarez/sqlite) on PATH, kept afterwards: PATH must
                 be new or a file an example created (an existing file of yours is refused)
  sqlite3:PATH   the same through gorm.io/driver/sqlite (mattn/go-sqlite3, needs cgo)
On a server the example creates a schema (PostgreSQL) or database (MySQL/MariaDB,
SQL Server) named gormup_example_<random>, works only in it, and drops it at exit:
the DSN's user needs the right to create one, and every run starts afresh`

// DSNFlag registers the -dsn flag every example takes.
func DSNFlag() *string {
	return flag.String("dsn", "", DSNUsage)
}

// Open opens dsn (see DSNUsage) with GORM's logger silenced and returns the
// database, a display name ("sqlite", "sqlite3", "postgres", "mysql" or
// "sqlserver") and a cleanup that drops what the example created (the
// temporary directory, or the schema/database of its own on a server) and
// closes the pool. Call cleanup even when the example fails.
func Open(dsn string) (*gorm.DB, string, func(), error) {
	t, err := parse(dsn)
	if err != nil {
		return nil, "", nil, err
	}
	if t.server {
		return openIsolated(t)
	}
	db, err := gorm.Open(t.dialector(t.dsn), &gorm.Config{Logger: logger.Discard})
	if err == nil && t.marker {
		err = db.Exec("CREATE TABLE IF NOT EXISTS " + MarkerTable + " (note TEXT)").Error
	}
	if err != nil {
		t.removeFiles()
		return nil, "", nil, fmt.Errorf("opening %s: %w", t.name, err)
	}
	return db, t.name, func() { closeDB(db); t.removeFiles() }, nil
}

// target is a parsed -dsn.
type target struct {
	name        string
	dsn         string
	server      bool
	dialector   func(dsn string) gorm.Dialector
	removeFiles func()
	// marker: create MarkerTable, so that a later run may reopen the file.
	marker bool
}

// MarkerTable is the table an example creates in a SQLite file it was given
// by -dsn sqlite:PATH; only a file holding it is ever reopened.
const MarkerTable = "gormup_example"

// exampleFile accepts path when it does not exist yet, or when an example
// created it (it holds MarkerTable). It looks through a read-only connection
// with no settings, so a file of yours is refused unchanged.
func exampleFile(path string, open func(string) gorm.Dialector) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	db, err := gorm.Open(open("file:"+path+"?mode=ro"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("%s exists and cannot be read as SQLite: %w; the examples write only to a new file or one they created", path, err)
	}
	defer closeDB(db)
	var n int64
	err = db.Raw("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", MarkerTable).Scan(&n).Error
	if err != nil || n != 1 {
		return fmt.Errorf("%s exists and was not created by a gormup example (no %s table, %v); the examples write only to a new file or one they created", path, MarkerTable, err)
	}
	return nil
}

func parse(dsn string) (target, error) {
	noop := func() {}
	switch {
	case dsn == "":
		dir, err := os.MkdirTemp("", "gormup-example-")
		if err != nil {
			return target{}, err
		}
		return target{name: "sqlite", dsn: SQLiteDSN(filepath.Join(dir, "example.db")), dialector: sqlite.Open,
			removeFiles: func() { os.RemoveAll(dir) }}, nil
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasPrefix(dsn, "sqlite3:"):
		name, rest, _ := strings.Cut(dsn, ":")
		open := sqlite.Open
		if name == "sqlite3" {
			open = cgosqlite.Open
		}
		if strings.HasPrefix(rest, "file:") { // a complete SQLite DSN: the test harness's own database
			return target{name: name, dsn: rest, dialector: open, removeFiles: noop}, nil
		}
		if err := exampleFile(rest, open); err != nil {
			return target{}, fmt.Errorf("-dsn %s: %w", dsn, err)
		}
		return target{name: name, dsn: SQLiteDSN(rest), dialector: open, removeFiles: noop, marker: true}, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"), strings.Contains(dsn, "host="):
		return target{name: "postgres", dsn: dsn, server: true, dialector: postgres.Open}, nil
	case strings.HasPrefix(dsn, "mysql://"):
		native, err := mysqlURLToDSN(dsn)
		if err != nil {
			return target{}, err
		}
		return target{name: "mysql", dsn: native, server: true, dialector: mysql.Open}, nil
	case strings.Contains(dsn, "@tcp("):
		return target{name: "mysql", dsn: dsn, server: true, dialector: mysql.Open}, nil
	case strings.HasPrefix(dsn, "sqlserver://"):
		return target{name: "sqlserver", dsn: dsn, server: true, dialector: sqlserver.Open}, nil
	}
	return target{}, fmt.Errorf("unrecognised -dsn %q (want postgres://…, mysql://…, sqlserver://…, sqlite:PATH or sqlite3:PATH)", dsn)
}

// SQLiteDSN is the DSN of a SQLite database on path — WAL, busy timeout 5s,
// foreign keys on — spelt for both drivers (mattn's _busy_timeout=, the pure-Go
// driver's _pragma=).
func SQLiteDSN(path string) string {
	return "file:" + path + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=1" +
		"&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
}

// openIsolated creates gormup_example_<random> on the server, opens a pool
// that works only in it, and returns a cleanup that drops it.
func openIsolated(t target) (*gorm.DB, string, func(), error) {
	admin, err := gorm.Open(t.dialector(t.dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, "", nil, fmt.Errorf("opening %s: %w", t.name, err)
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		closeDB(admin)
		return nil, "", nil, err
	}
	name := "gormup_example_" + hex.EncodeToString(b[:])
	create, drop, own, err := isolate(t, name)
	if err == nil {
		err = admin.Exec(create).Error
	}
	if err != nil {
		closeDB(admin)
		return nil, "", nil, fmt.Errorf("creating the example's own %s %s (the examples never write outside one): %w", t.name, name, err)
	}
	dropIt := func() {
		if err := admin.Exec(drop).Error; err != nil {
			fmt.Fprintf(os.Stderr, "could not drop %s: %v\n", name, err)
		}
		closeDB(admin)
	}
	db, err := gorm.Open(t.dialector(own), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		dropIt()
		return nil, "", nil, fmt.Errorf("opening %s in %s: %w", t.name, name, err)
	}
	return db, t.name, func() { closeDB(db); dropIt() }, nil
}

// isolate returns the statements that create and drop name on t's server and
// the DSN of a connection that works only in it.
func isolate(t target, name string) (create, drop, dsn string, err error) {
	switch t.name {
	case "postgres":
		return `CREATE SCHEMA "` + name + `"`, `DROP SCHEMA IF EXISTS "` + name + `" CASCADE`, postgresSearchPath(t.dsn, name), nil
	case "mysql":
		cfg, err := gomysql.ParseDSN(t.dsn)
		if err != nil {
			return "", "", "", err
		}
		cfg.DBName = name
		cfg.ParseTime = true
		return "CREATE DATABASE `" + name + "`", "DROP DATABASE IF EXISTS `" + name + "`", cfg.FormatDSN(), nil
	case "sqlserver":
		u, err := url.Parse(t.dsn)
		if err != nil {
			return "", "", "", err
		}
		q := u.Query()
		q.Set("database", name)
		u.RawQuery = q.Encode()
		return "CREATE DATABASE [" + name + "]",
			"ALTER DATABASE [" + name + "] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [" + name + "]", u.String(), nil
	}
	return "", "", "", fmt.Errorf("no isolation for %s", t.name)
}

func postgresSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// mysqlURLToDSN converts mysql://user:pass@host:port/db?params into the
// go-sql-driver DSN format, with parseTime on.
func mysqlURLToDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parsing MySQL URL: %w", err)
	}
	cfg := gomysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	params := map[string]string{}
	for k, v := range u.Query() {
		params[k] = v[0]
	}
	if len(params) > 0 {
		cfg.Params = params
	}
	return cfg.FormatDSN(), nil
}
