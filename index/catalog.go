package index

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// existing is an index as the database's catalog describes it.
type existing struct {
	name    string
	unique  bool
	primary bool
	valid   bool
	method  string // lower case, "" when the catalog does not say
	where   string // as the catalog renders it; "" when not partial
	keys    []key  // column (lower case) or expr, desc, length
}

// catalogRow is one key part of one index, as every catalog query returns it.
type catalogRow struct {
	Name       string `gorm:"column:index_name"`
	Unique     bool   `gorm:"column:is_unique"`
	Primary    bool   `gorm:"column:is_primary"`
	Valid      bool   `gorm:"column:is_valid"`
	Method     string `gorm:"column:method"`
	Predicate  string `gorm:"column:predicate"`
	Definition string `gorm:"column:definition"`
	Column     string `gorm:"column:column_name"`
	Expr       string `gorm:"column:expression"`
	Desc       bool   `gorm:"column:is_desc"`
	Length     int    `gorm:"column:sub_part"`
}

// catalogQueries reads every key part of every index of one table, ordered by
// index name and key position. The single argument is the table, resolved as
// each database resolves an unqualified or qualified name; see tableArg.
var catalogQueries = map[dialect.Family]string{
	dialect.Postgres: `SELECT c.relname AS index_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
 i.indisvalid AS is_valid, am.amname AS method, COALESCE(pg_get_expr(i.indpred, i.indrelid, true), '') AS predicate,
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
	dialect.MySQL:   mysqlCatalog,
	dialect.MariaDB: mysqlCatalog,
	dialect.SQLite: `SELECT il.name AS index_name, il."unique" AS is_unique, il.origin = 'pk' AS is_primary, 1 AS is_valid,
 '' AS method, '' AS predicate, COALESCE(m.sql, '') AS definition, COALESCE(ix.name, '') AS column_name,
 CASE WHEN ix.cid = -2 THEN '*' ELSE '' END AS expression, ix."desc" AS is_desc, 0 AS sub_part
FROM pragma_index_list(?) AS il
JOIN pragma_index_xinfo(il.name) AS ix ON ix.key = 1
LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name
ORDER BY il.name, ix.seqno`,
	dialect.SQLServer: `SELECT i.name AS index_name, i.is_unique AS is_unique, i.is_primary_key AS is_primary, 1 AS is_valid,
 '' AS method, COALESCE(i.filter_definition, '') AS predicate, '' AS definition, c.name AS column_name,
 '' AS expression, ic.is_descending_key AS is_desc, 0 AS sub_part
FROM sys.indexes AS i
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal > 0
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE i.object_id = OBJECT_ID(?) AND i.name IS NOT NULL
ORDER BY i.name, ic.key_ordinal`,
}

const mysqlCatalog = `SELECT INDEX_NAME AS index_name, NON_UNIQUE = 0 AS is_unique, INDEX_NAME = 'PRIMARY' AS is_primary,
 1 AS is_valid, LOWER(INDEX_TYPE) AS method, '' AS predicate, '' AS definition, COALESCE(COLUMN_NAME, '') AS column_name,
 '' AS expression, COALESCE(COLLATION, 'A') = 'D' AS is_desc, COALESCE(SUB_PART, 0) AS sub_part
FROM information_schema.statistics
WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?
ORDER BY INDEX_NAME, SEQ_IN_INDEX`

// readCatalog returns the indexes of table in catalog order.
func readCatalog(ctx context.Context, db *gorm.DB, d *dialect.Dialect, table string) ([]*existing, error) {
	q, ok := catalogQueries[d.Family()]
	if !ok {
		return nil, fmt.Errorf("index: no catalog query for %s", d.Name())
	}
	var rows []catalogRow
	// A DryRun session builds the query and reads nothing: no index exists.
	// The primary's catalog, when dbresolver routes reads to lagging replicas.
	err := dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx})).Raw(q, tableArgs(db, d, table)...).Scan(&rows).Error
	if err != nil && !(db.DryRun && errors.Is(err, gorm.ErrDryRunModeUnsupported)) {
		return nil, fmt.Errorf("index: reading the indexes of %s: %w", table, err)
	}
	var out []*existing
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].name != r.Name {
			out = append(out, &existing{name: r.Name, unique: r.Unique, primary: r.Primary, valid: r.Valid,
				method: strings.ToLower(r.Method), where: r.Predicate})
			if r.Definition != "" {
				out[len(out)-1].where = sqliteWhere(r.Definition)
			}
		}
		e := out[len(out)-1]
		k := key{column: strings.ToLower(r.Column), expr: r.Expr, desc: r.Desc, length: r.Length}
		if k.expr != "" {
			k.column = ""
		}
		if r.Expr == sqliteExpression { // SQLite: the text is only in the CREATE INDEX statement.
			k.expr = sqliteKey(r.Definition, len(e.keys))
		}
		e.keys = append(e.keys, k)
	}
	return out, nil
}

// tableArgs returns the arguments of the family's catalog query for table,
// which may be qualified with a schema (PostgreSQL, SQL Server) or a
// database (MySQL). PostgreSQL's to_regclass takes a quoted name; SQL
// Server's OBJECT_ID and SQLite's pragmas take it as written.
func tableArgs(db *gorm.DB, d *dialect.Dialect, table string) []any {
	switch d.Family() {
	case dialect.MySQL, dialect.MariaDB:
		if schemaName, name, ok := strings.Cut(table, "."); ok {
			return []any{schemaName, name}
		}
		return []any{nil, table}
	case dialect.Postgres:
		return []any{dialect.Quote(db, table)}
	}
	return []any{table}
}

// sqliteExpression marks an expression key in SQLite's catalog rows: its text
// is read from the stored CREATE INDEX statement.
const sqliteExpression = "*"
