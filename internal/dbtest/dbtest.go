package dbtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	cgosqlite "gorm.io/driver/sqlite"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names, as used for subtests.
const (
	SQLite    = "sqlite"
	Postgres  = "postgres"
	MySQL     = "mysql"
	SQLServer = "sqlserver"
)

// SQLitePureGo names the second SQLite target: the same dialect through the
// pure-Go driver github.com/glebarez/sqlite (modernc.org/sqlite, no cgo)
// instead of gorm.io/driver/sqlite (mattn/go-sqlite3, cgo). Its DB.Dialect is
// SQLite — GORM and gormup see one dialect — and its DB.Target is
// SQLitePureGo.
const SQLitePureGo = "sqlite-purego"

// Environment variables naming the server DSNs.
const (
	EnvPostgres  = "GORMUP_TEST_POSTGRES"
	EnvMySQL     = "GORMUP_TEST_MYSQL"
	EnvSQLServer = "GORMUP_TEST_SQLSERVER"
)

// Dialects lists every target Run tries, in order: SQLite on both drivers,
// then the servers.
var Dialects = []string{SQLite, SQLitePureGo, Postgres, MySQL, SQLServer}

// IsSQLite reports whether target is SQLite on either driver.
func IsSQLite(target string) bool { return target == SQLite || target == SQLitePureGo }

// EnvVar returns the environment variable holding dialect's DSN ("" for SQLite).
func EnvVar(dialect string) string {
	switch dialect {
	case Postgres:
		return EnvPostgres
	case MySQL:
		return EnvMySQL
	case SQLServer:
		return EnvSQLServer
	}
	return ""
}

// DB is one test's own database.
type DB struct {
	*gorm.DB
	// Dialect is the dialect's name: sqlite, postgres, mysql or sqlserver.
	// Both SQLite drivers report sqlite.
	Dialect string
	// Target is what the database was opened as: Dialect, or SQLitePureGo
	// for SQLite through the pure-Go driver. Empty means Dialect.
	Target string
	// DSN reaches this test's own database (schema, database or file), for
	// opening more handles or handing it to a subprocess.
	DSN string
}

// Run runs body once per target of Dialects as a subtest named after it, each
// with a fresh database of its own. Servers whose DSN is unset are skipped by
// name.
func Run(t *testing.T, body func(t *testing.T, db *DB)) {
	t.Helper()
	for _, name := range Dialects {
		t.Run(name, func(t *testing.T) {
			SkipPureGoUnderRace(t, name)
			db := Open(t, name)
			body(t, db)
		})
	}
}

// EnvPureGoUnderRace, set to 1, makes Run keep its sqlite-purego subtests in
// a -race build.
const EnvPureGoUnderRace = "GORMUP_TEST_PUREGO_UNDER_RACE"

// EnvNestedPureGo is set, to 1, in the environment of the nested go test
// that TestPureGoSQLiteWithoutRace starts. Its -run pattern selects the
// sqlite-purego subtests, but a top-level test without subtests matches it
// whole: a test that needs something other than SQLite (a cluster, a server
// pair of its own) must skip when this is set, or it runs twice at once.
const EnvNestedPureGo = "GORMUP_TEST_NESTED_PUREGO"

// SkipPureGoUnderRace skips t when target is SQLitePureGo in a -race build,
// as Run does for its sqlite-purego subtest; tests that open that target
// themselves call it too. The
// race detector instruments every memory access of modernc's translated
// SQLite (cgo's C is not instrumented), which makes those subtests 20–50x
// slower and puts packages past go test's 10-minute limit, while finding
// nothing the sqlite subtest's instrumented gormup code does not. In the
// same `go test -race ./...`, TestPureGoSQLiteWithoutRace runs every
// sqlite-purego subtest in a build without -race instead.
func SkipPureGoUnderRace(t *testing.T, target string) {
	t.Helper()
	if RaceEnabled && target == SQLitePureGo && os.Getenv(EnvPureGoUnderRace) != "1" {
		t.Skip("-race build: sqlite-purego subtests run without -race in internal/dbtest's TestPureGoSQLiteWithoutRace")
	}
}

// Open returns a fresh, isolated database of dialect for tb, dropped in
// tb.Cleanup. It skips tb when the dialect's DSN variable is unset and fails
// it when the server cannot be reached.
func Open(tb testing.TB, dialect string) *DB {
	tb.Helper()
	var dsn string
	if !IsSQLite(dialect) {
		env := EnvVar(dialect)
		dsn = os.Getenv(env)
		if dsn == "" {
			tb.Skipf("%s not set: skipping %s", env, dialect)
		}
	}
	switch dialect {
	case SQLite, SQLitePureGo:
		dsn = SQLiteFileDSN(filepath.Join(tb.TempDir(), "test.db"))
		return &DB{DB: OpenDSN(tb, dialect, dsn), Dialect: SQLite, Target: dialect, DSN: dsn}
	case Postgres:
		return openPostgres(tb, dsn)
	case MySQL:
		return openMySQL(tb, dsn)
	case SQLServer:
		return openSQLServer(tb, dsn)
	}
	tb.Fatalf("dbtest: unknown dialect %q", dialect)
	return nil
}

// SQLiteFileDSN returns the DSN of a SQLite database on path — WAL, busy
// timeout 5s, foreign keys on — spelt for both drivers at once
// (mattn/go-sqlite3's _busy_timeout=, modernc's _pragma=), so either driver
// can open it with the same settings.
func SQLiteFileDSN(path string) string {
	return "file:" + path + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=1" +
		"&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
}

// SQLiteBusyTimeout returns dsn, made by SQLiteFileDSN, with a busy timeout of
// ms milliseconds, for a connection that gives up on SQLite's lock quickly.
//
// Open it with the driver its database was opened with (DB.Target): two SQLite
// libraries in one process (mattn's C build and modernc's translation) do not
// see each other's POSIX locks, so a second driver on the same file neither
// waits for the first one's lock nor is safe from corrupting the file.
func SQLiteBusyTimeout(dsn string, ms int) string {
	n := strconv.Itoa(ms)
	dsn = strings.Replace(dsn, "_busy_timeout=5000", "_busy_timeout="+n, 1)
	return strings.Replace(dsn, "_pragma=busy_timeout(5000)", "_pragma=busy_timeout("+n+")", 1)
}

// Dialector returns the GORM dialector for target (a dialect name or
// SQLitePureGo) and dsn.
func Dialector(target, dsn string) gorm.Dialector {
	switch target {
	case SQLite:
		return cgosqlite.Open(dsn)
	case SQLitePureGo:
		return sqlite.Open(dsn)
	case Postgres:
		return postgres.Open(dsn)
	case MySQL:
		return mysql.Open(dsn)
	case SQLServer:
		return sqlserver.Open(dsn)
	}
	panic("dbtest: unknown dialect " + target)
}

// OpenDSN opens a new handle, with a connection pool and gorm.Config of its
// own, and closes it in tb.Cleanup. GORM's logger is silenced; use Capture to
// see statements.
func OpenDSN(tb testing.TB, dialect, dsn string) *gorm.DB {
	tb.Helper()
	db, err := gorm.Open(Dialector(dialect, dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("dbtest: %s is configured (%s) but cannot be opened: %v", dialect, EnvVar(dialect), err)
	}
	tb.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// Reopen opens another handle on db's own database, with its own pool and
// the same driver.
func Reopen(tb testing.TB, db *DB) *gorm.DB {
	tb.Helper()
	return OpenDSN(tb, db.target(), db.DSN)
}

func (db *DB) target() string {
	if db.Target != "" {
		return db.Target
	}
	return db.Dialect
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// isolatedName returns a short, unique, lower-case identifier for tb.
func isolatedName(tb testing.TB) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	slug := unsafeChars.ReplaceAllString(strings.ToLower(tb.Name()), "_")
	if len(slug) > 40 {
		slug = slug[len(slug)-40:]
	}
	return "gt_" + hex.EncodeToString(b[:]) + "_" + strings.Trim(slug, "_")
}

func openAdmin(tb testing.TB, dialect, dsn string) *gorm.DB {
	tb.Helper()
	admin := OpenDSN(tb, dialect, dsn)
	sqlDB, err := admin.DB()
	if err == nil {
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetConnMaxLifetime(time.Minute)
	}
	return admin
}

func openPostgres(tb testing.TB, dsn string) *DB {
	tb.Helper()
	admin := openAdmin(tb, Postgres, dsn)
	schema := isolatedName(tb)
	if err := admin.Exec(`CREATE SCHEMA "` + schema + `"`).Error; err != nil {
		tb.Fatalf("dbtest: %s: creating schema: %v", EnvPostgres, err)
	}
	tb.Cleanup(func() {
		if err := admin.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`).Error; err != nil {
			tb.Errorf("dbtest: dropping schema %s: %v", schema, err)
		}
	})
	own := withPostgresSearchPath(dsn, schema)
	return &DB{DB: OpenDSN(tb, Postgres, own), Dialect: Postgres, DSN: own}
}

func withPostgresSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

func openMySQL(tb testing.TB, dsn string) *DB {
	tb.Helper()
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("dbtest: %s is not a valid DSN: %v", EnvMySQL, err)
	}
	admin := openAdmin(tb, MySQL, dsn)
	name := isolatedName(tb)
	if err := admin.Exec("CREATE DATABASE `" + name + "`").Error; err != nil {
		tb.Fatalf("dbtest: %s: creating database: %v", EnvMySQL, err)
	}
	tb.Cleanup(func() {
		if err := admin.Exec("DROP DATABASE IF EXISTS `" + name + "`").Error; err != nil {
			tb.Errorf("dbtest: dropping database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	cfg.ParseTime = true
	own := cfg.FormatDSN()
	return &DB{DB: OpenDSN(tb, MySQL, own), Dialect: MySQL, DSN: own}
}

func openSQLServer(tb testing.TB, dsn string) *DB {
	tb.Helper()
	admin := openAdmin(tb, SQLServer, dsn)
	name := isolatedName(tb)
	if err := admin.Exec("CREATE DATABASE [" + name + "]").Error; err != nil {
		tb.Fatalf("dbtest: %s: creating database: %v", EnvSQLServer, err)
	}
	tb.Cleanup(func() {
		err := admin.Exec("ALTER DATABASE [" + name + "] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [" + name + "]").Error
		if err != nil {
			tb.Errorf("dbtest: dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("dbtest: %s must be a sqlserver:// URL: %v", EnvSQLServer, err)
	}
	q := u.Query()
	q.Set("database", name)
	u.RawQuery = q.Encode()
	own := u.String()
	return &DB{DB: OpenDSN(tb, SQLServer, own), Dialect: SQLServer, DSN: own}
}

// Migrate creates the tables of models, failing tb on error.
func Migrate(tb testing.TB, db *DB, models ...any) {
	tb.Helper()
	if err := db.AutoMigrate(models...); err != nil {
		tb.Fatalf("dbtest: migrating on %s: %v", db.Dialect, err)
	}
}

// Seed inserts rows in batches sized under every dialect's parameter limit.
func Seed[T any](tb testing.TB, db *gorm.DB, rows []T) {
	tb.Helper()
	if len(rows) == 0 {
		return
	}
	// 2100 parameters (SQL Server) / 20 columns leaves room for wide models.
	if err := db.CreateInBatches(rows, 100).Error; err != nil {
		tb.Fatalf("dbtest: seeding %d rows: %v", len(rows), err)
	}
}

// MustExec runs a raw statement, failing tb on error.
func MustExec(tb testing.TB, db *gorm.DB, sql string, args ...any) {
	tb.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		tb.Fatalf("dbtest: %s: %v", sql, err)
	}
}
