package dbtest

import (
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dry-run targets: MariaDB is told apart from MySQL by its server version.
const MariaDB = "mariadb"

// DryRunDialects lists the dialects DryRun can open.
var DryRunDialects = []string{Postgres, MySQL, MariaDB, SQLite, SQLServer}

// DryRun opens a *gorm.DB of dialect in DryRun mode with no server behind it
// (SQLite uses an in-memory database): statements are built, never sent, and
// can be read from Statement.SQL or db.ToSQL. MySQL reports server version
// 8.0.36 and MariaDB 10.11.6.
func DryRun(tb testing.TB, dialect string) *gorm.DB {
	tb.Helper()
	var d gorm.Dialector
	switch dialect {
	case Postgres:
		d = postgres.New(postgres.Config{DSN: "host=127.0.0.1 user=dryrun dbname=dryrun sslmode=disable"})
	case MySQL:
		d = mysql.New(mysql.Config{DSN: "dryrun:@tcp(127.0.0.1:1)/dryrun?parseTime=true", SkipInitializeWithVersion: true, ServerVersion: "8.0.36"})
	case MariaDB:
		d = mysql.New(mysql.Config{DSN: "dryrun:@tcp(127.0.0.1:1)/dryrun?parseTime=true", SkipInitializeWithVersion: true, ServerVersion: "10.11.6-MariaDB"})
	case SQLite:
		d = sqlite.Open("file::memory:")
	case SQLitePureGo:
		d = Dialector(SQLitePureGo, "file::memory:")
	case SQLServer:
		d = sqlserver.Open("sqlserver://dryrun:dryrun@127.0.0.1:1?database=dryrun")
	default:
		tb.Fatalf("dbtest: unknown dialect %q", dialect)
	}
	db, err := gorm.Open(d, &gorm.Config{DryRun: true, DisableAutomaticPing: true, Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("dbtest: dry-run %s: %v", dialect, err)
	}
	return db
}

// Memory opens an in-memory SQLite database on one connection (so every
// statement sees the same database) and migrates models, for runnable
// Examples, which have no *testing.T: it panics on error.
func Memory(models ...any) *gorm.DB {
	db, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		panic(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		panic(err)
	}
	sqlDB.SetMaxOpenConns(1)
	if err := db.AutoMigrate(models...); err != nil {
		panic(err)
	}
	return db
}

// TempFile opens a SQLite database on a file in a new temporary directory
// (WAL, busy timeout 5s), for Examples that need several connections, and
// migrates models; done closes it and removes the directory. It panics on
// error.
func TempFile(models ...any) (db *gorm.DB, done func()) {
	dir, err := os.MkdirTemp("", "gormup-example-")
	if err != nil {
		panic(err)
	}
	dsn := "file:" + filepath.Join(dir, "example.db") + "?_busy_timeout=5000&_journal_mode=WAL"
	db, err = gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(models...); err != nil {
		panic(err)
	}
	return db, func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
		os.RemoveAll(dir)
	}
}
