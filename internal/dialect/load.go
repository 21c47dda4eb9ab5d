package dialect

import "strings"

// LoadMethod is how batch.UpdateRows' bulk-load path (BulkLoad) fills the
// temporary table it then joins in one UPDATE.
type LoadMethod uint8

// Bulk-load methods.
const (
	// LoadNone: the dialect has no bulk-load path; the default statements
	// are used (SQLite, SQL Server).
	LoadNone LoadMethod = iota
	// LoadCopy: PostgreSQL's COPY through pgx's CopyFrom (binary protocol)
	// into a temporary table dropped at commit, on a connection reached with
	// database/sql's Conn.Raw.
	LoadCopy
	// LoadInsert: MySQL's and MariaDB's multi-row INSERTs into a temporary
	// table, dropped when the UPDATE is done (temporary tables live as long
	// as the connection, not the transaction).
	LoadInsert
)

// Load returns the dialect's bulk-load method.
func (d *Dialect) Load() LoadMethod {
	switch {
	case d.family == Postgres:
		return LoadCopy
	case d.family.IsMySQL():
		return LoadInsert
	}
	return LoadNone
}

// CreateLoadTable returns the statement creating the temporary table name
// (quoted) with no rows and the columns of the SELECT list cols over from
// (a quoted table and alias), each keeping its source column's type (and
// on MySQL its character set and collation, but not its keys, defaults or
// AUTO_INCREMENT), plus, when ordinal is not "", a BIGINT column named
// ordinal (quoted) numbering the rows. On MySQL the table's primary key is
// key (quoted columns), so the UPDATE joined to it reads it, and the
// target, in key order; PostgreSQL joins by hashing, and an index would
// only slow the COPY.
//
//	CREATE TEMPORARY TABLE "pg_temp"."gormup_load" ON COMMIT DROP AS SELECT t."id", … FROM "accounts" AS t WITH NO DATA
//	CREATE TEMPORARY TABLE `gormup_load` (PRIMARY KEY (`id`)) SELECT t.`id`, … FROM `accounts` AS t LIMIT 0
//
// PostgreSQL drops the table at the end of the transaction (commit or
// rollback); MySQL keeps it until DropLoadTable or the connection closes.
func (d *Dialect) CreateLoadTable(name, cols, from, ordinal, key string) string {
	if d.family == Postgres {
		if ordinal != "" {
			cols += ", CAST(0 AS bigint) AS " + ordinal
		}
		return "CREATE TEMPORARY TABLE " + name + " ON COMMIT DROP AS SELECT " + cols + " FROM " + from + " WITH NO DATA"
	}
	if ordinal != "" {
		cols += ", CAST(0 AS SIGNED) AS " + ordinal
	}
	return "CREATE TEMPORARY TABLE " + name + " (PRIMARY KEY (" + key + ")) SELECT " + cols + " FROM " + from + " LIMIT 0"
}

// DropLoadTable returns the statement dropping the temporary table name
// (quoted) if it exists, or "" where the transaction's end drops it
// (PostgreSQL's ON COMMIT DROP). DROP TEMPORARY TABLE does not commit a
// MySQL transaction.
func (d *Dialect) DropLoadTable(name string) string {
	if d.family.IsMySQL() {
		return "DROP TEMPORARY TABLE IF EXISTS " + name
	}
	return ""
}

// loadTableName names a bulk load's temporary table.
const loadTableName = "gormup_load"

// LoadTable returns the schema ("" for none) and name, unquoted, of the
// temporary table a bulk load into target (GORM's table name, maybe
// qualified with a schema or database, maybe quoted) fills. The name is
// never target's own: a temporary table shadows a table of its name, and
// the UPDATE would write the temporary table instead of target. On
// PostgreSQL the schema is pg_temp, so that a user table named like it
// elsewhere on search_path is neither filled nor read, whatever
// search_path's order:
//
//	pg_temp.gormup_load     (target "accounts", PostgreSQL)
//	gormup_load             (target "accounts", MySQL/MariaDB)
//	gormup_load_1           (target "archive.gormup_load")
func (d *Dialect) LoadTable(target string) (schema, name string) {
	name = loadTableName
	base := target
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[i+1:]
	}
	if strings.EqualFold(strings.Trim(base, "`\"[]"), name) {
		name += "_1"
	}
	if d.family == Postgres {
		schema = "pg_temp"
	}
	return schema, name
}
