package dialect

import (
	"context"
	"fmt"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// BulkStrategy is the statement shape a dialect uses to write different
// values to many rows at once (batch.UpdateRows).
type BulkStrategy uint8

// Bulk update strategies.
const (
	// BulkUnnest: PostgreSQL's UPDATE t SET .. FROM unnest(CAST($1 AS
	// text)::type[], ..) AS v(..) WHERE .., one text array literal per column
	// cast to the column's type: the statement text is the same for every
	// chunk (prepared once by pgx) and the planner joins the arrays to the
	// key's index.
	BulkUnnest BulkStrategy = iota + 1
	// BulkJSONTable: MySQL 8.0.4+ and MariaDB 10.6+'s UPDATE t JOIN
	// JSON_TABLE(?, '$[*]' COLUMNS (..)) AS v ON .. SET .., with one JSON
	// document per chunk. Each JSON_TABLE column is typed by the Go value it
	// carries, as the driver types a bind parameter (BIGINT, DOUBLE, text in
	// the target column's character set and collation, hex for bytes), so the
	// assignment converts exactly as GORM's own UPDATE would. Not a UNION ALL
	// of SELECT ? rows: MariaDB derives such a column's type from the rows,
	// which strips trailing spaces, rejects short invalid UTF-8 bytes and
	// crashed 10.11 on ~20 KB values.
	BulkJSONTable
	// BulkValuesColumnN: SQLite 3.33+'s UPDATE t SET .. FROM (VALUES ..) AS v
	// WHERE .., naming VALUES columns column1, column2, ...
	BulkValuesColumnN
	// BulkJoinValues: SQL Server's UPDATE t SET .. FROM t JOIN (VALUES ..)
	// AS v(..) ON ...
	BulkJoinValues
	// BulkCase: SET c = CASE WHEN key = ? THEN ? .. END WHERE key IN (..),
	// for SQLite before 3.33, which lacks UPDATE .. FROM, and MySQL and
	// MariaDB servers without JSON_TABLE.
	BulkCase
)

// Bulk returns the per-row bulk UPDATE strategy of the dialect.
func (d *Dialect) Bulk() BulkStrategy {
	switch d.family {
	case Postgres:
		return BulkUnnest
	case MySQL:
		if d.version.AtLeast(8, 0) {
			return BulkJSONTable
		}
		return BulkCase
	case MariaDB:
		if d.version.AtLeast(10, 6) {
			return BulkJSONTable
		}
		return BulkCase
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
		return nil, fmt.Errorf("gormup: reading the column types of %s: %w", table, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = castType(r.Type)
	}
	return out, nil
}

// castType drops the length of a character or bit string type: an explicit
// cast to varchar(n) silently truncates a longer value, where the
// assignment to the column (as GORM's own UPDATE makes it) fails with
// "value too long". character(n) becomes bpchar, which keeps its
// blank-padded comparison.
func castType(t string) string {
	i := strings.IndexByte(t, '(')
	if i < 0 {
		return t
	}
	switch base := t[:i]; base {
	case "character varying", "varchar", "bit varying", "varbit":
		return base
	case "character", "char":
		return "bpchar"
	}
	return t
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
	if c := castType(t); c != t {
		return c
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

// Charset is a MySQL column's character set and collation; Binary marks a
// binary string column (BINARY, VARBINARY, BLOB), whose bytes are written
// as they are.
type Charset struct {
	Name, Collation string
	Binary          bool
}

// ColumnCharsets returns, on MySQL and MariaDB, the character set and
// collation of every string column of table, keyed by column name, so that a
// derived table can carry text in the column's own collation (a key compares
// as the server compares it). Other dialects, and DryRun sessions, return
// nil. table may be qualified with its database; ctx bounds the query.
func (d *Dialect) ColumnCharsets(ctx context.Context, db *gorm.DB, table string) (map[string]Charset, error) {
	if !d.family.IsMySQL() || db.DryRun {
		return nil, nil
	}
	schemaName, name := "", table
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		schemaName, name = table[:i], table[i+1:]
	}
	var rows []struct {
		Name      string
		DataType  string
		Charset   *string
		Collation *string
	}
	err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Raw(
		"SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation "+
			"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ?",
		schemaName, name).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("gormup: reading the column character sets of %s: %w", table, err)
	}
	out := make(map[string]Charset, len(rows))
	for _, r := range rows {
		switch strings.ToLower(r.DataType) {
		case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
			out[r.Name] = Charset{Binary: true}
			continue
		}
		if r.Charset != nil && r.Collation != nil {
			out[r.Name] = Charset{Name: *r.Charset, Collation: *r.Collation, Binary: *r.Charset == "binary"}
		}
	}
	return out, nil
}

// TimeLocation returns the location go-sql-driver converts time.Time
// parameters to (the DSN's loc, UTC by default) on MySQL and MariaDB, and
// UTC elsewhere.
func (d *Dialect) TimeLocation() *time.Location {
	if md, ok := d.dialector.(*gormmysql.Dialector); ok && md.Config != nil {
		if md.DSNConfig != nil && md.DSNConfig.Loc != nil {
			return md.DSNConfig.Loc
		}
		if md.DSN != "" {
			if cfg, err := gomysql.ParseDSN(md.DSN); err == nil && cfg.Loc != nil {
				return cfg.Loc
			}
		}
	}
	return time.UTC
}
