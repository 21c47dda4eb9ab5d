package chunk

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/internal/catalog"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// MaxPlanRanges is the number of chunk key ranges Plan reads at most.
const MaxPlanRanges = 100

// Preview is what Plan says a chunked run over db would do, read without
// writing anything.
type Preview struct {
	// Table is the table the run walks.
	Table string
	// EstimatedRows is the table's row count from the catalog statistics
	// (Exact: counted), not only the rows db's conditions match.
	EstimatedRows int64
	Exact         bool
	// Matching is the number of rows db's conditions match, counted.
	Matching int64
	// Size is the chunk size the run would start with.
	Size int
	// Chunks is the number of chunks at Size: Matching / Size, rounded up.
	Chunks int64
	// Ranges are the key ranges of the first chunks (at most MaxPlanRanges),
	// read as the run would read them; Truncated reports that more follow.
	Ranges    []Range
	Truncated bool
	// FirstSQL is the SQL of the first chunk's statement: the bounds query
	// for Run and Ranges, and the DELETE for a Purge plan (DryRun). Values
	// are inlined for reading, not for running.
	FirstSQL string
	// Indexed reports that the primary key or an index leads with the
	// ordering columns (as index.Covers reports), so each chunk's bound is an
	// index range scan.
	Indexed bool
}

// DryRun makes Purge return its Preview in Report.Plan and delete nothing.
// Purge only; Plan is the dry run of Run and Ranges.
func DryRun() PurgeOption {
	return purgeOption(func(c *runConfig) { c.dryRun = true })
}

// Plan reads, without writing, how a chunked run over db with opts would
// proceed: the estimated and matching rows, the chunk count and the key
// ranges of the first chunks at the current Size, the first chunk's SQL and
// whether an index serves the bound. It sends only SELECTs (and catalog
// reads); a checkpoint is not read, so the plan starts at the first row.
// db must carry a model (ErrNoModel); conditions, Table, OrderBy and Size
// are honoured as by Ranges.
func Plan(ctx context.Context, db *gorm.DB, opts ...PlanOption) (Preview, error) {
	cfg, err := newRunConfig(opts, PlanOption.applyPlan, DefaultSize)
	if err != nil {
		return Preview{}, err
	}
	return plan(ctx, db, cfg, false)
}

func plan(ctx context.Context, db *gorm.DB, cfg runConfig, purge bool) (Preview, error) {
	if db == nil {
		return Preview{}, ErrNilDB
	}
	if db.Statement.Model == nil {
		return Preview{}, ErrNoModel
	}
	cfg.checkpoint, cfg.workers, cfg.maxRows, cfg.throttled = "", 1, 0, false
	r, err := newRunner(ctx, db, db.Statement.Model, cfg)
	if err != nil {
		return Preview{}, err
	}
	base := r.db.WithContext(ctx)
	p := Preview{Table: r.table, Size: r.cfg.size}
	est, err := catalog.EstimateRows(ctx, base, r.table)
	if err != nil {
		return p, fmt.Errorf("chunk: estimating rows: %w", err)
	}
	p.EstimatedRows, p.Exact = est.Rows, est.Exact
	if err := r.scope(base, nil).Count(&p.Matching).Error; err != nil {
		return p, fmt.Errorf("chunk: counting rows: %w", err)
	}
	p.Chunks = (p.Matching + int64(p.Size) - 1) / int64(p.Size)
	cols := make([]string, len(r.keys))
	for i, k := range r.keys {
		cols[i] = k.name
	}
	if p.Indexed, err = r.indexed(ctx, base, r.db.Statement.Model, cols); err != nil {
		return p, fmt.Errorf("chunk: checking the index: %w", err)
	}
	for i := int64(0); ; i++ {
		if len(p.Ranges) == MaxPlanRanges {
			p.Truncated = true
			break
		}
		n, last, err := r.bounds(base)
		if err != nil {
			return p, fmt.Errorf("chunk: reading chunk bounds: %w", err)
		}
		if n == 0 {
			break
		}
		p.Ranges = append(p.Ranges, Range{Index: i, After: r.after, Last: last, Rows: n})
		r.after = last
		if n < r.cfg.size {
			break
		}
	}
	// Rendered only, and not logged: the log would show a statement that
	// was never sent.
	dry := base.Session(&gorm.Session{DryRun: true, Logger: logger.Discard})
	r.after = nil
	var stmt *gorm.Statement
	if purge && len(p.Ranges) > 0 {
		typ := reflect.TypeOf(db.Statement.Model)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		stmt = r.scope(dry, nil, p.Ranges[0].Last).Delete(reflect.New(typ).Interface()).Statement
	} else if r.aggregatable() {
		stmt = r.endQuery(dry).Find(&[]map[string]any{}).Statement
	} else {
		stmt = r.boundsQuery(dry).Find(&[]map[string]any{}).Statement
	}
	p.FirstSQL = db.Dialector.Explain(stmt.SQL.String(), stmt.Vars...)
	return p, nil
}
