// Package index keeps the indexes a GORM application declares — with
// migrator tags, or in code for models it cannot tag — present and correct in
// the database, and says whether an index serves a bulk update or a chunked
// run.
//
// The happy path:
//
//	report, err := index.Ensure(ctx, db, []any{&Account{}}) // create what is missing
//	drift, err := index.Diff(ctx, db, []any{&Account{}})    // compare, change nothing
//	ok, err := index.Covers(ctx, db, &Account{}, "status", "created_at")
//
// Ensure reads each table's indexes from the database's own catalog
// (PostgreSQL pg_index, MySQL/MariaDB information_schema.statistics, SQLite
// PRAGMA index_list/index_xinfo and sqlite_master, SQL Server sys.indexes),
// creates the missing ones through GORM's Migrator, reports the others as
// Present or Drifted, and changes an existing index only when asked
// (Repair). A second call issues no DDL.
//
// Unlike AutoMigrate it does not let GORM quietly build something else than
// what was declared: a partial index (where:) on MySQL or MariaDB is an
// *UnsupportedError rather than a full index; CONCURRENTLY on PostgreSQL is
// refused inside a transaction; names over the identifier limit are shortened
// deterministically; settings a database ignores are either refused (when
// they change what the index covers) or left out of the SQL with a warning.
//
// Indexes for types from other packages are declared with On and passed
// next to (or instead of) models; there is no global registry:
//
//	index.Ensure(ctx, db, []any{index.On(&billing.Invoice{}, index.Def{
//		Name:    "idx_invoices_open_due",
//		Columns: []string{"due_at"},
//		Where:   "paid_at IS NULL",
//	})})
//
// Covers and Advise answer whether an existing index leads with the columns
// a filter or an ordering uses, and which declaration would.
//
// # Declarations
//
// models are structs whose GORM tags declare indexes (index, uniqueIndex,
// with priority, sort, length, where, expression, class, type, option,
// comment) and values of [On]. Models are parsed as GORM parses them
// (TableName, naming strategy); a table set with db.Table applies to every
// model. Several models or On values for one table are merged; one name
// declared twice with different definitions is a *[DefError]. On a DryRun
// session nothing is read: every declaration is reported Missing (by
// Ensure: Created, with its CREATE INDEX built and logged but not sent),
// which makes SQL-shape checks possible without a server.
//
// # Comparing with the catalog
//
// [Diff] and [Ensure] report each declared index as Missing (Created),
// Present or Drifted, with its Differences: columns and their order, sort
// direction, uniqueness, partial condition, index type, prefix length,
// PostgreSQL validity. Every existing "idx_…" index of a declared table
// that nothing declares is Undeclared. Collations, comments and options are
// not compared. Conditions and expressions are compared as text, with
// quotes, whitespace, case and PostgreSQL casts ignored. On PostgreSQL,
// when the texts still disagree, the declaration is built on an empty
// temporary copy of the table inside a rolled-back transaction and compared
// as the server renders it, so "where:active" matches the catalog's
// "active" and "status = 'x'" matches "status::text = 'x'::text". SQLite
// keeps the CREATE INDEX text as written, so an index created from other
// text for the same condition is reported as Drifted. SQL Server conditions
// are compared with all parentheses ignored.
//
// # Dialect honesty
//
// Declarations are checked against the database first and nothing is
// created if one fails (*[UnsupportedError], wrapping [ErrUnsupported]);
// settings the database ignores without changing what the index covers (a
// comment outside MySQL, an option on SQLite, CONCURRENTLY outside
// PostgreSQL, btree on SQLite and SQL Server, a length on a non-unique index
// outside MySQL) are left out of the SQL with a warning in the report; names
// longer than the database's identifier limit (63 bytes on PostgreSQL, 64
// on MySQL, 128 on SQL Server) are shortened deterministically to their
// first bytes, "_" and 8 hex digits of their SHA-256.
//
// # Concurrent callers
//
// When another process creates the same index concurrently, a failed CREATE
// is followed by a fresh look at the catalog and the index reported Present
// if it now matches. On PostgreSQL, whose GORM migrator issues CREATE INDEX
// IF NOT EXISTS, a CREATE that loses such a race succeeds without building
// anything, so several concurrent callers may each report Created; the index
// exists exactly once either way.
package index
