package dialect

import (
	"context"

	"gorm.io/gorm"
)

// Unanalyzed reports whether table has never been analyzed, so that the
// planner guesses its row count from its size and declared column widths
// (and may guess a tenth of the rows): PostgreSQL 14 and later mark such a
// table with pg_class.reltuples = -1 until VACUUM, ANALYZE or autovacuum
// first reach it. It is false on other families, on older PostgreSQL and
// for a table that is not found. table may be schema-qualified.
func (d *Dialect) Unanalyzed(ctx context.Context, db *gorm.DB, table string) (bool, error) {
	if d.family != Postgres || !d.version.AtLeast(14, 0) {
		return false, nil
	}
	var never []bool
	err := db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).
		Raw("SELECT reltuples < 0 FROM pg_class WHERE oid = to_regclass(?)", Quote(db, table)).
		Scan(&never).Error
	return len(never) == 1 && never[0], err
}
