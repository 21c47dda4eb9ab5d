// Package dbtest is gormup's test harness: one test body runs on every
// configured database, each test in a database of its own.
//
//	func TestSomething(t *testing.T) {
//		dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
//			dbtest.Migrate(t, db, &Account{})
//			// ... assert exact outcomes on db.DB
//		})
//	}
//
// SQLite always runs, twice: through gorm.io/driver/sqlite (mattn/go-sqlite3,
// cgo; subtest "sqlite") and through the pure-Go github.com/glebarez/sqlite
// (modernc.org/sqlite; subtest "sqlite-purego"), each on a temporary file
// (WAL, busy timeout 5s) so that concurrent connections are real. Both report
// DB.Dialect "sqlite"; DB.Target tells them apart. PostgreSQL, MySQL/MariaDB and SQL Server
// run when GORMUP_TEST_POSTGRES, GORMUP_TEST_MYSQL and GORMUP_TEST_SQLSERVER
// hold a DSN; unset, that dialect's subtest is skipped with a message naming
// the variable; set but unreachable, it fails. Every test gets its own
// PostgreSQL schema, MySQL database or SQL Server database, dropped when the
// test ends, because `go test ./...` runs packages in parallel against the same
// servers.
//
// DryRun opens a database of any dialect — SQL Server included — with no
// server behind it, for SQL-shape tests.
package dbtest
