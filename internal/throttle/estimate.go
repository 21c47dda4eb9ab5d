package throttle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dialect"
)

// ErrNoTable is returned by EstimateRows when the table does not exist.
var ErrNoTable = errors.New("throttle: table not found")

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
// Server's sys.partitions. SQLite keeps no row count: it counts. It reads on
// the primary under dbresolver; ctx bounds the statements. A missing table
// fails with ErrNoTable.
func EstimateRows(ctx context.Context, db *gorm.DB, table string) (Estimate, error) {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return Estimate{}, err
	}
	tx := dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
	var rows *int64
	switch f := d.Family(); {
	case f == dialect.Postgres:
		var found []struct{ Rows *int64 }
		if err := tx.Raw("SELECT CASE WHEN reltuples < 0 THEN NULL ELSE reltuples::bigint END AS rows FROM pg_class WHERE oid = to_regclass(?)",
			dialect.Quote(db, table)).Scan(&found).Error; err != nil {
			return Estimate{}, fmt.Errorf("throttle: reading pg_class for %s: %w", table, err)
		}
		if len(found) == 0 {
			return Estimate{}, fmt.Errorf("%w: %s", ErrNoTable, table)
		}
		rows = found[0].Rows
	case f.IsMySQL():
		schemaName, name, qualified := strings.Cut(table, ".")
		if !qualified {
			name = schemaName
		}
		q := tx.Table("information_schema.TABLES").Select("TABLE_ROWS").Where("TABLE_NAME = ?", name)
		if qualified {
			q = q.Where("TABLE_SCHEMA = ?", schemaName)
		} else {
			q = q.Where("TABLE_SCHEMA = DATABASE()")
		}
		var found []*int64
		if err := q.Scan(&found).Error; err != nil {
			return Estimate{}, fmt.Errorf("throttle: reading information_schema.TABLES for %s: %w", table, err)
		}
		if len(found) == 0 {
			return Estimate{}, fmt.Errorf("%w: %s", ErrNoTable, table)
		}
		rows = found[0]
	case f == dialect.SQLServer:
		var found []*int64
		if err := tx.Raw("SELECT SUM(rows) FROM sys.partitions WHERE object_id = OBJECT_ID(?) AND index_id IN (0, 1) HAVING COUNT(*) > 0",
			dialect.Quote(db, table)).Scan(&found).Error; err != nil {
			return Estimate{}, fmt.Errorf("throttle: reading sys.partitions for %s: %w", table, err)
		}
		if len(found) == 0 {
			return Estimate{}, fmt.Errorf("%w: %s", ErrNoTable, table)
		}
		rows = found[0]
	default:
		schemaName, name, qualified := strings.Cut(table, ".")
		if !qualified {
			schemaName, name = "main", table
		}
		var n int64
		if err := tx.Raw("SELECT count(*) FROM "+dialect.Quote(db, schemaName)+".sqlite_master WHERE type = 'table' AND name = ?", name).
			Scan(&n).Error; err != nil {
			return Estimate{}, fmt.Errorf("throttle: reading sqlite_master for %s: %w", table, err)
		}
		if n == 0 {
			return Estimate{}, fmt.Errorf("%w: %s", ErrNoTable, table)
		}
	}
	if rows != nil {
		return Estimate{Rows: *rows}, nil
	}
	var n int64
	if err := tx.Table(table).Count(&n).Error; err != nil {
		return Estimate{}, fmt.Errorf("throttle: counting the rows of %s: %w", table, err)
	}
	return Estimate{Rows: n, Exact: true}, nil
}
