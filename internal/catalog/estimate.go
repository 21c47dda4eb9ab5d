package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// ErrNoTable is returned by EstimateRows when the table does not exist.
var ErrNoTable = errors.New("table not found")

// Estimate is how many rows a table holds, for a dry run's plan.
type Estimate struct {
	// Rows is the number of rows.
	Rows int64
	// Exact reports that Rows was counted (COUNT(*)) rather than read from
	// the catalog's statistics, which lag writes until the next ANALYZE.
	Exact bool
}

// EstimateRows returns the number of rows of table (as model.Target.Table
// names it, optionally qualified: "archive.accounts") without reading the
// table where the catalog knows: PostgreSQL's pg_class.reltuples (counted
// with COUNT(*) when the table was never analyzed), MySQL's and MariaDB's
// information_schema.TABLES.TABLE_ROWS (InnoDB's sampled estimate), SQL
// Server's sys.partitions. SQLite keeps no row count: it counts. ctx bounds
// the statements. A missing table fails with ErrNoTable.
func EstimateRows(ctx context.Context, db *gorm.DB, table string) (Estimate, error) {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return Estimate{}, err
	}
	tx := session(ctx, db)
	var found []*int64
	var from string
	switch d.Catalog() {
	case dialect.PgCatalog:
		from = "pg_class"
		var classes []struct{ Rows *int64 }
		err = tx.Raw("SELECT CASE WHEN reltuples < 0 THEN NULL ELSE reltuples::bigint END AS rows FROM pg_class WHERE oid = to_regclass(?)",
			dialect.Quote(db, table)).Scan(&classes).Error
		for _, c := range classes {
			found = append(found, c.Rows)
		}
	case dialect.InformationSchema:
		from = "information_schema.TABLES"
		schemaName, name, qualified := strings.Cut(table, ".")
		q := tx.Table("information_schema.TABLES").Select("TABLE_ROWS")
		if qualified {
			q = q.Where("TABLE_SCHEMA = ? AND TABLE_NAME = ?", schemaName, name)
		} else {
			q = q.Where("TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table)
		}
		err = q.Scan(&found).Error
	case dialect.SysCatalog:
		from = "sys.partitions"
		err = tx.Raw("SELECT SUM(rows) FROM sys.partitions WHERE object_id = OBJECT_ID(?) AND index_id IN (0, 1) HAVING COUNT(*) > 0",
			dialect.Quote(db, table)).Scan(&found).Error
	case dialect.SQLiteSchema:
		// No statistics: found stays a NULL row count, and the table is counted.
		from = "sqlite_master"
		schemaName, name, qualified := strings.Cut(table, ".")
		if !qualified {
			schemaName, name = "main", table
		}
		var n int64
		err = tx.Raw("SELECT count(*) FROM "+dialect.Quote(db, schemaName)+".sqlite_master WHERE type = 'table' AND name = ?", name).
			Scan(&n).Error
		if n > 0 {
			found = []*int64{nil}
		}
	default:
		return Estimate{}, fmt.Errorf("no row estimate for %s", d.Name())
	}
	if err != nil {
		return Estimate{}, fmt.Errorf("reading %s for %s: %w", from, table, err)
	}
	if len(found) == 0 {
		return Estimate{}, fmt.Errorf("%w: %s", ErrNoTable, table)
	}
	if found[0] != nil {
		return Estimate{Rows: *found[0]}, nil
	}
	var n int64
	if err := tx.Table(table).Count(&n).Error; err != nil {
		return Estimate{}, fmt.Errorf("counting the rows of %s: %w", table, err)
	}
	return Estimate{Rows: n, Exact: true}, nil
}
