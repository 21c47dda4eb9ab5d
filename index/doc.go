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
package index
