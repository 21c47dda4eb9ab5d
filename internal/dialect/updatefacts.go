package dialect

import (
	gormmysql "gorm.io/driver/mysql"
)

// Fractional-second digits of the time columns GORM creates per dialect.
const (
	postgresTimePrecision  = 6 // timestamptz: microseconds
	mysqlTimePrecision     = 3 // gorm.io/driver/mysql's DefaultDatetimePrecision: datetime(3)
	sqlServerTimePrecision = 7 // datetimeoffset: 100 nanoseconds
	sqliteTimePrecision    = 9 // stored as text with nanoseconds
)

// TimePrecision returns how many fractional-second digits a time column that
// GORM migrated without a precision tag keeps: 6 on PostgreSQL, the MySQL
// dialector's DefaultDatetimePrecision (3 unless configured) on MySQL and
// MariaDB, 7 on SQL Server and 9 on SQLite, which stores the text GORM sends.
func (d *Dialect) TimePrecision() int {
	switch d.family {
	case Postgres:
		return postgresTimePrecision
	case MySQL, MariaDB:
		if md, ok := d.dialector.(*gormmysql.Dialector); ok && md.Config != nil && md.DefaultDatetimePrecision != nil {
			return *md.DefaultDatetimePrecision
		}
		return mysqlTimePrecision
	case SQLServer:
		return sqlServerTimePrecision
	}
	return sqliteTimePrecision
}

// SingleWriter reports whether the database lets one transaction write at a
// time (SQLite). There, a transaction that reads a row before writing it
// should take the write lock first (LockRows with ForUpdate): a read snapshot
// that another writer outdates can never be upgraded (SQLITE_BUSY_SNAPSHOT),
// and waiting for the lock costs no concurrency the database would offer.
func (d *Dialect) SingleWriter() bool { return d.family == SQLite }
