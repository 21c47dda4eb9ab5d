package chunk

import (
	"context"
	"strings"

	"github.com/gormup/gormup/internal/catalog"
	"gorm.io/gorm"
)

// indexed reports whether the primary key of model or an index of r's
// table leads with cols, so that a keyset query on them is an index range
// scan (catalog.Leading; index.Covers asks the same question).
func (r *runner) indexed(ctx context.Context, db *gorm.DB, model any, cols []string) (bool, error) {
	sch, err := runSchema(db, model)
	if err != nil {
		return false, err
	}
	by, err := catalog.Leading(ctx, db, r.dialect, r.table, sch.PrimaryFieldDBNames, cols)
	return by != "", err
}

// warnUnindexedOrder logs, through db's GORM logger, one warning when no index
// leads with a custom OrderBy: every chunk's keyset query would then sort the
// whole remaining table. A failed catalog read stays silent: the run itself
// reports what is wrong.
func (r *runner) warnUnindexedOrder(ctx context.Context, model any) {
	// The caller's ordering columns, without the primary key appended to
	// make it unique: an index on them is what the keyset query needs.
	cols := make([]string, len(r.cfg.orderBy))
	for i := range cols {
		cols[i] = r.keys[i].name
	}
	covered, err := r.indexed(ctx, r.db, model, cols)
	if err != nil || covered {
		return
	}
	r.db.Logger.Warn(ctx, "gormup: chunk.Run orders %s by (%s), which no index leads with: each chunk sorts the rest of the table; "+
		"declare one with a GORM index tag or index.On (index.Advise says which)", r.table, strings.Join(cols, ", "))
}
