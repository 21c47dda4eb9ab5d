package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// PrimaryKey is the name Leading gives the table's primary key, which every
// database indexes (on SQLite an INTEGER PRIMARY KEY is the rowid and has no
// index of its own in the catalog).
const PrimaryKey = "PRIMARY KEY"

// ExpressionInDefinition is IndexPart.Expr of an expression key on SQLite,
// whose catalog keeps the expression's text only in the CREATE INDEX
// statement (IndexPart.Definition).
const ExpressionInDefinition = "*"

// IndexPart is one key part of one index, as every catalog query returns it.
type IndexPart struct {
	// Name is the index's name; Unique, Primary and Valid (false for a
	// PostgreSQL index whose concurrent build failed) describe it.
	Name    string `gorm:"column:index_name"`
	Unique  bool   `gorm:"column:is_unique"`
	Primary bool   `gorm:"column:is_primary"`
	Valid   bool   `gorm:"column:is_valid"`
	// Partial reports a WHERE clause (a filtered index on SQL Server).
	Partial bool `gorm:"column:is_partial"`
	// Method is the index method where the catalog says (btree, hash…).
	Method string `gorm:"column:method"`
	// Predicate is the WHERE clause as the catalog renders it (PostgreSQL,
	// SQL Server); SQLite keeps it only in Definition.
	Predicate string `gorm:"column:predicate"`
	// Definition is the stored CREATE INDEX statement (SQLite only).
	Definition string `gorm:"column:definition"`
	// Column is the key's column, "" for an expression key, whose text is
	// Expr (ExpressionInDefinition on SQLite).
	Column string `gorm:"column:column_name"`
	Expr   string `gorm:"column:expression"`
	// Desc reports a descending key; Length a MySQL prefix length (0: the
	// whole column).
	Desc   bool `gorm:"column:is_desc"`
	Length int  `gorm:"column:sub_part"`
}

// indexQueries reads every key part of every index of one table, ordered by
// index name and key position. The arguments are tableArgs'.
var indexQueries = map[dialect.Catalog]string{
	dialect.PgCatalog: `SELECT c.relname AS index_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
 i.indisvalid AS is_valid, i.indpred IS NOT NULL AS is_partial, am.amname AS method,
 COALESCE(pg_get_expr(i.indpred, i.indrelid, true), '') AS predicate,
 '' AS definition, COALESCE(a.attname, '') AS column_name,
 CASE WHEN i.indkey[k.n - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k.n, true) ELSE '' END AS expression,
 (i.indoption[k.n - 1] & 1) = 1 AS is_desc, 0 AS sub_part
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) AS k(n)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1] AND i.indkey[k.n - 1] <> 0
WHERE i.indrelid = to_regclass(?)
ORDER BY c.relname, k.n`,
	dialect.InformationSchema: `SELECT INDEX_NAME AS index_name, NON_UNIQUE = 0 AS is_unique, INDEX_NAME = 'PRIMARY' AS is_primary,
 1 AS is_valid, 0 AS is_partial, LOWER(INDEX_TYPE) AS method, '' AS predicate, '' AS definition,
 COALESCE(COLUMN_NAME, '') AS column_name, '' AS expression, COALESCE(COLLATION, 'A') = 'D' AS is_desc,
 COALESCE(SUB_PART, 0) AS sub_part
FROM information_schema.statistics
WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?
ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
	dialect.SQLiteSchema: `SELECT il.name AS index_name, il."unique" AS is_unique, il.origin = 'pk' AS is_primary, 1 AS is_valid,
 il.partial AS is_partial, '' AS method, '' AS predicate, COALESCE(m.sql, '') AS definition,
 COALESCE(ix.name, '') AS column_name, CASE WHEN ix.cid = -2 THEN '*' ELSE '' END AS expression,
 ix."desc" AS is_desc, 0 AS sub_part
FROM pragma_index_list(?) AS il
JOIN pragma_index_xinfo(il.name) AS ix ON ix.key = 1
LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name
ORDER BY il.name, ix.seqno`,
	dialect.SysCatalog: `SELECT i.name AS index_name, i.is_unique AS is_unique, i.is_primary_key AS is_primary, 1 AS is_valid,
 i.has_filter AS is_partial, '' AS method, COALESCE(i.filter_definition, '') AS predicate, '' AS definition,
 c.name AS column_name, '' AS expression, ic.is_descending_key AS is_desc, 0 AS sub_part
FROM sys.indexes AS i
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal > 0
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE i.object_id = OBJECT_ID(?) AND i.name IS NOT NULL
ORDER BY i.name, ic.key_ordinal`,
}

// Indexes returns every key part of every index of table, in catalog order
// (by index name, then key position). table may be qualified with a schema
// (PostgreSQL, SQL Server) or a database (MySQL). A missing table has no
// indexes; a DryRun session reads nothing and finds none. ctx bounds the
// query.
func Indexes(ctx context.Context, db *gorm.DB, d *dialect.Dialect, table string) ([]IndexPart, error) {
	q, ok := indexQueries[d.Catalog()]
	if !ok {
		return nil, fmt.Errorf("no index catalog query for %s", d.Name())
	}
	var parts []IndexPart
	err := session(ctx, db).Raw(q, tableArgs(db, d, table)...).Scan(&parts).Error
	if err != nil && !(db.DryRun && errors.Is(err, gorm.ErrDryRunModeUnsupported)) {
		return nil, fmt.Errorf("reading the indexes of %s: %w", table, err)
	}
	return parts, nil
}

// Leading names the index of table that leads with the plain columns cols,
// in order, as an equality filter or a keyset ordering on them needs:
// PrimaryKey when primary (the table's primary key columns) does, else the
// first valid, non-partial index whose keys begin with cols, else "".
// Expression keys never match; column names compare case-insensitively.
func Leading(ctx context.Context, db *gorm.DB, d *dialect.Dialect, table string, primary, cols []string) (string, error) {
	if len(primary) >= len(cols) && equalFold(primary[:len(cols)], cols) {
		return PrimaryKey, nil
	}
	parts, err := Indexes(ctx, db, d, table)
	if err != nil {
		return "", err
	}
	for i := 0; i < len(parts); {
		name := parts[i].Name
		j := i
		for j < len(parts) && parts[j].Name == name {
			j++
		}
		idx := parts[i:j]
		i = j
		if !idx[0].Valid || idx[0].Partial || len(idx) < len(cols) {
			continue
		}
		keys := make([]string, len(cols))
		for k := range cols {
			if idx[k].Expr != "" {
				keys = nil
				break
			}
			keys[k] = idx[k].Column
		}
		if keys != nil && equalFold(keys, cols) {
			if idx[0].Primary {
				return PrimaryKey, nil
			}
			return name, nil
		}
	}
	return "", nil
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// session is a fresh statement on db bound to ctx, on the primary under
// dbresolver: a replica's catalog may lag.
func session(ctx context.Context, db *gorm.DB) *gorm.DB {
	return dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
}

// tableArgs returns the arguments of the catalog's index query for table.
// MySQL's information_schema takes the database and the table apart;
// PostgreSQL's to_regclass takes a quoted name; SQL Server's OBJECT_ID and
// SQLite's pragmas take it as written.
func tableArgs(db *gorm.DB, d *dialect.Dialect, table string) []any {
	switch d.Catalog() {
	case dialect.InformationSchema:
		if schemaName, name, ok := strings.Cut(table, "."); ok {
			return []any{schemaName, name}
		}
		return []any{nil, table}
	case dialect.PgCatalog:
		return []any{dialect.Quote(db, table)}
	}
	return []any{table}
}
