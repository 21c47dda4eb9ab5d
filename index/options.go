package index

// EnsureOption changes how Ensure works. The zero configuration (no
// options) creates missing indexes only, without CONCURRENTLY.
type EnsureOption interface{ applyEnsure(*config) }

type ensureOption func(*config)

func (o ensureOption) applyEnsure(c *config) { o(c) }

type config struct {
	repair       bool
	concurrently bool
}

// Repair makes Ensure drop and re-create every Drifted index (Status
// Repaired). Without it, the default, drifted indexes are only reported. On
// PostgreSQL and SQLite the drop and the create run in one transaction
// (unless CONCURRENTLY); on MySQL, MariaDB and SQL Server a failed create
// leaves the index dropped, reported by a *DDLError.
func Repair() EnsureOption { return ensureOption(func(c *config) { c.repair = true }) }

// Concurrently builds (and, with Repair, drops) every index with PostgreSQL's
// CONCURRENTLY, which does not block writes to the table; the default builds
// plainly, as the tag option:CONCURRENTLY does for a single index. It needs a
// *gorm.DB outside any transaction (ErrConcurrentlyInTransaction) and is
// ignored on the other databases.
func Concurrently() EnsureOption { return ensureOption(func(c *config) { c.concurrently = true }) }
