package dialect

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// BulkStrategy is the statement shape a dialect uses to write different
// values to many rows at once (batch.UpdateRows).
type BulkStrategy uint8

// Bulk update strategies.
const (
	// BulkValuesCast: PostgreSQL's UPDATE t SET .. FROM (VALUES ..) AS v(..)
	// WHERE .., with an explicit cast on every value (untyped parameters in
	// VALUES would otherwise become text).
	BulkValuesCast BulkStrategy = iota + 1
	// BulkJoinUnion: MySQL and MariaDB's UPDATE t JOIN (SELECT ? AS a, ..
	// UNION ALL SELECT ?, ..) v ON .. SET .. (MySQL 8's VALUES ROW() is not
	// MariaDB syntax).
	BulkJoinUnion
	// BulkValuesColumnN: SQLite 3.33+'s UPDATE t SET .. FROM (VALUES ..) AS v
	// WHERE .., naming VALUES columns column1, column2, ...
	BulkValuesColumnN
	// BulkJoinValues: SQL Server's UPDATE t SET .. FROM t JOIN (VALUES ..)
	// AS v(..) ON ...
	BulkJoinValues
	// BulkCase: SET c = CASE WHEN key = ? THEN ? .. END WHERE key IN (..),
	// for SQLite before 3.33, which lacks UPDATE .. FROM.
	BulkCase
)

// Bulk returns the per-row bulk UPDATE strategy of the dialect.
func (d *Dialect) Bulk() BulkStrategy {
	switch d.family {
	case Postgres:
		return BulkValuesCast
	case MySQL, MariaDB:
		return BulkJoinUnion
	case SQLServer:
		return BulkJoinValues
	}
	if d.SupportsUpdateFrom() {
		return BulkValuesColumnN
	}
	return BulkCase
}

// ColumnCasts returns, on PostgreSQL, the type of every column of table as
// the server formats it (format_type: "character varying(32)", "numeric(10,2)",
// "timestamp with time zone", "uuid", "jsonb", a user enum...), keyed by
// column name, so that VALUES can cast each parameter to exactly the column's
// type. Other dialects, and DryRun sessions, return nil. table may be
// schema-qualified; ctx bounds the query.
func (d *Dialect) ColumnCasts(ctx context.Context, db *gorm.DB, table string) (map[string]string, error) {
	if d.family != Postgres || db.DryRun {
		return nil, nil
	}
	var rows []struct {
		Name string
		Type string
	}
	err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Raw(
		"SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute "+
			"WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", Quote(db, table)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("dialect: reading the column types of %s: %w", table, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Type
	}
	return out, nil
}

// FieldCast returns the PostgreSQL type to cast a value of f to when the
// column type could not be read from the server (ColumnCasts): the type GORM
// would create the column with, serial types mapped to their integer types
// and column constraints dropped. It returns "" on other dialects.
func (d *Dialect) FieldCast(db *gorm.DB, f *schema.Field) string {
	if d.family != Postgres {
		return ""
	}
	t := strings.ToLower(strings.TrimSpace(db.Dialector.DataTypeOf(f)))
	for _, stop := range []string{" not null", " null", " default", " unique", " primary key", " references", " check", " generated", " collate"} {
		if i := strings.Index(t, stop); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
	}
	switch t {
	case "smallserial", "serial2":
		return "smallint"
	case "serial", "serial4":
		return "integer"
	case "bigserial", "serial8":
		return "bigint"
	}
	return t
}
