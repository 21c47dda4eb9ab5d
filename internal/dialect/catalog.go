package dialect

// Catalog names the system catalog a database describes its tables and
// indexes in; internal/catalog writes one query per catalog.
type Catalog uint8

// Catalogs.
const (
	// PgCatalog: pg_class, pg_index… (PostgreSQL).
	PgCatalog Catalog = iota + 1
	// InformationSchema: information_schema.TABLES and STATISTICS (MySQL,
	// MariaDB).
	InformationSchema
	// SQLiteSchema: sqlite_master and the index pragmas (SQLite).
	SQLiteSchema
	// SysCatalog: sys.indexes, sys.partitions… (SQL Server).
	SysCatalog
)

// Catalog returns the database's system catalog; 0 for a family gormup does
// not know.
func (d *Dialect) Catalog() Catalog {
	switch d.family {
	case Postgres:
		return PgCatalog
	case MySQL, MariaDB:
		return InformationSchema
	case SQLite:
		return SQLiteSchema
	case SQLServer:
		return SysCatalog
	}
	return 0
}

// OneOf reports whether the database is of one of the families fs, for
// code written against one server's own views (replication status, say).
func (d *Dialect) OneOf(fs ...Family) bool {
	for _, f := range fs {
		if d.family == f {
			return true
		}
	}
	return false
}
