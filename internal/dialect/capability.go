package dialect

// Capability is one thing a database can or cannot do that gormup decides
// on. Packages outside internal/dialect ask d.Has(c) instead of switching on
// the family, so each fact is written once, here.
type Capability uint8

// Capabilities.
const (
	// PartialIndex: CREATE INDEX … WHERE (PostgreSQL, SQLite; SQL Server's
	// filtered indexes). MySQL and MariaDB have none.
	PartialIndex Capability = iota + 1
	// ExpressionIndex: index keys that are expressions (PostgreSQL, SQLite).
	ExpressionIndex
	// FulltextIndex: FULLTEXT and SPATIAL index classes (MySQL, MariaDB).
	FulltextIndex
	// IndexMethod: a choice of index method, USING hash… (PostgreSQL, MySQL,
	// MariaDB); SQLite and SQL Server build btree only.
	IndexMethod
	// HashIndexIsBtree: USING HASH is accepted and a btree built instead
	// (InnoDB), so the method is not compared.
	HashIndexIsBtree
	// IndexComment: index comments are stored (MySQL, MariaDB).
	IndexComment
	// IndexOption: index options (WITH (…), ALGORITHM…) exist; not on SQLite.
	IndexOption
	// IndexPrefixLength: a key may index a prefix of a column (MySQL,
	// MariaDB).
	IndexPrefixLength
	// IndexKeyCollation: a key may name a collation (PostgreSQL, SQLite).
	IndexKeyCollation
	// DescendingIndex: DESC keys are honoured (not by MariaDB before 10.8,
	// which parses and ignores them).
	DescendingIndex
	// ConcurrentIndex: CREATE/DROP INDEX CONCURRENTLY (PostgreSQL).
	ConcurrentIndex
	// TransactionalDDL: DDL may run inside a transaction without committing
	// it (every family but MySQL and MariaDB, whose DDL commits implicitly).
	TransactionalDDL
	// AtomicIndexRebuild: an index is dropped and re-created in one
	// transaction, so a failed re-create leaves the old index (PostgreSQL,
	// SQLite; SQL Server could, but is not exercised against a server).
	AtomicIndexRebuild
	// IndexDefinitionRendering: the server renders an index definition as
	// its catalog stores it (pg_get_indexdef), so a declaration can be
	// compared with the catalog in the server's own words (PostgreSQL).
	IndexDefinitionRendering
	// ParenthesisedFilters: the catalog stores filter definitions fully
	// parenthesised (SQL Server), so parentheses are ignored when comparing.
	ParenthesisedFilters
	// DriverCachesStatements: the driver prepares and caches statements
	// itself (pgx; go-mssqldb), so preparing a reused statement gains
	// nothing.
	DriverCachesStatements
	// NativePlaceholders: "?" is the driver's own placeholder (SQLite,
	// MySQL, MariaDB), so a built statement can be sent as is, without GORM
	// rewriting its bind variables.
	NativePlaceholders
	// ValuesTable: a derived table of rows is written VALUES (…), (…)
	// (every family but MySQL and MariaDB, where gormup writes a UNION ALL
	// of SELECTs).
	ValuesTable
	// ValuesColumnN: VALUES columns are named column1, column2… and are
	// renamed in a SELECT (SQLite).
	ValuesColumnN
	// ColumnAliasList: a derived table's columns are named in its alias,
	// AS v(a, b) (PostgreSQL, SQL Server).
	ColumnAliasList
)

// Has reports whether the database has capability c, for its family and,
// where it matters, its version (an unknown version counts as current).
func (d *Dialect) Has(c Capability) bool {
	f := d.family
	switch c {
	case PartialIndex:
		return !f.IsMySQL()
	case ExpressionIndex, IndexKeyCollation:
		return f == Postgres || f == SQLite
	case FulltextIndex, HashIndexIsBtree, IndexComment, IndexPrefixLength:
		return f.IsMySQL()
	case IndexMethod:
		return f == Postgres || f.IsMySQL()
	case IndexOption:
		return f != SQLite
	case DescendingIndex:
		return f != MariaDB || d.version.AtLeast(10, 8)
	case ConcurrentIndex, IndexDefinitionRendering:
		return f == Postgres
	case TransactionalDDL:
		return !f.IsMySQL()
	case AtomicIndexRebuild:
		return f == Postgres || f == SQLite
	case ParenthesisedFilters:
		return f == SQLServer
	case DriverCachesStatements:
		return f == Postgres || f == SQLServer
	case NativePlaceholders:
		return f == SQLite || f.IsMySQL()
	case ValuesTable:
		return !f.IsMySQL()
	case ValuesColumnN:
		return f == SQLite
	case ColumnAliasList:
		return f == Postgres || f == SQLServer
	}
	return false
}

// NullSafeEqual returns SQL comparing a and b with NULL equal to NULL: IS
// NOT DISTINCT FROM (PostgreSQL), <=> (MySQL, MariaDB), IS (SQLite), and an
// explicit OR of both NULL elsewhere (SQL Server).
func (d *Dialect) NullSafeEqual(a, b string) string {
	switch d.family {
	case Postgres:
		return a + " IS NOT DISTINCT FROM " + b
	case MySQL, MariaDB:
		return a + " <=> " + b
	case SQLite:
		return a + " IS " + b
	}
	return "(" + a + " = " + b + " OR (" + a + " IS NULL AND " + b + " IS NULL))"
}

// LockTableHint returns the table hint that locks the rows a query reads
// until the transaction ends, to follow the table's name and alias:
// " WITH (UPDLOCK, ROWLOCK)" on SQL Server, "" elsewhere (see LockSuffix).
func (d *Dialect) LockTableHint() string {
	if d.family == SQLServer {
		return " WITH (UPDLOCK, ROWLOCK)"
	}
	return ""
}

// LockSuffix returns the clause that ends a query locking the rows it reads
// of the table aliased alias: " FOR UPDATE OF alias" on PostgreSQL,
// " FOR UPDATE" on MySQL and MariaDB, "" elsewhere (SQL Server locks with
// LockTableHint; SQLite has no row locks: take the write lock with
// LockRows).
func (d *Dialect) LockSuffix(alias string) string {
	switch d.family {
	case Postgres:
		return " FOR UPDATE OF " + alias
	case MySQL, MariaDB:
		return " FOR UPDATE"
	}
	return ""
}
