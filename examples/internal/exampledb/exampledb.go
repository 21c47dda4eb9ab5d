// Package exampledb opens the database the example programs run on: embedded
// SQLite in a temporary directory by default, or any server named by a DSN.
package exampledb

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DSNFlag registers the -dsn flag every example takes.
func DSNFlag() *string {
	return flag.String("dsn", "", "database to run on: postgres://user@host/db, mysql://user:pass@host:3306/db, "+
		"sqlserver://user:pass@host?database=db, or sqlite:PATH (default: SQLite in a temporary directory)")
}

// Open opens dsn (see DSNFlag) with GORM's logger silenced. With an empty dsn
// it creates a SQLite database in a fresh temporary directory; the returned
// cleanup closes the pool and removes that directory.
func Open(dsn string) (*gorm.DB, string, func(), error) {
	dialector, name, removeFiles, err := Dialector(dsn)
	if err != nil {
		return nil, "", nil, err
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		removeFiles()
		return nil, "", nil, fmt.Errorf("opening %s: %w", name, err)
	}
	cleanup := func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
		removeFiles()
	}
	return db, name, cleanup, nil
}

// Dialector turns a -dsn value into a GORM dialector and a display name.
func Dialector(dsn string) (gorm.Dialector, string, func(), error) {
	noop := func() {}
	switch {
	case dsn == "":
		dir, err := os.MkdirTemp("", "gormup-example-")
		if err != nil {
			return nil, "", nil, err
		}
		path := filepath.Join(dir, "example.db")
		return sqlite.Open(sqliteDSN(path)), "sqlite", func() { os.RemoveAll(dir) }, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(sqliteDSN(strings.TrimPrefix(dsn, "sqlite:"))), "sqlite", noop, nil
	case strings.HasPrefix(dsn, "file:"): // a complete go-sqlite3 DSN, used as is
		return sqlite.Open(dsn), "sqlite", noop, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(dsn), "postgres", noop, nil
	case strings.HasPrefix(dsn, "mysql://"):
		native, err := mysqlURLToDSN(dsn)
		if err != nil {
			return nil, "", nil, err
		}
		return mysql.Open(native), "mysql", noop, nil
	case strings.HasPrefix(dsn, "sqlserver://"):
		return sqlserver.Open(dsn), "sqlserver", noop, nil
	case strings.Contains(dsn, "@tcp("):
		return mysql.Open(dsn), "mysql", noop, nil
	case strings.Contains(dsn, "host="):
		return postgres.Open(dsn), "postgres", noop, nil
	}
	return nil, "", nil, fmt.Errorf("unrecognised -dsn %q (want postgres://…, mysql://…, sqlserver://… or sqlite:PATH)", dsn)
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=1"
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
