package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dbtest"
)

// estimated is a table of its own for EstimateRows.
type estimated struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func TestEstimateRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		dbtest.Migrate(t, db, &estimated{})
		rows := make([]estimated, 1000)
		for i := range rows {
			rows[i] = estimated{ID: int64(i + 1)}
		}
		if _, err := catalog.EstimateRows(ctx, db.DB, "estimateds_missing"); !errors.Is(err, catalog.ErrNoTable) {
			t.Errorf("EstimateRows(missing table) = %v, want ErrNoTable", err)
		}
		if db.Dialect == dbtest.Postgres {
			// Never analyzed: counted.
			if got, err := catalog.EstimateRows(ctx, db.DB, "estimateds"); err != nil || got != (catalog.Estimate{Rows: 0, Exact: true}) {
				t.Errorf("EstimateRows(never analyzed) = %+v, %v; want 0 rows counted", got, err)
			}
		}
		dbtest.Seed(t, db.DB, rows)
		var qualified string
		switch db.Dialect {
		case dbtest.Postgres:
			dbtest.MustExec(t, db.DB, "ANALYZE estimateds")
			if err := db.Raw("SELECT current_schema()").Scan(&qualified).Error; err != nil {
				t.Fatal(err)
			}
		case dbtest.MySQL:
			dbtest.MustExec(t, db.DB, "ANALYZE TABLE estimateds")
			if err := db.Raw("SELECT DATABASE()").Scan(&qualified).Error; err != nil {
				t.Fatal(err)
			}
		case dbtest.SQLite:
			qualified = "main"
		}
		for _, table := range []string{"estimateds", qualified + ".estimateds"} {
			got, err := catalog.EstimateRows(ctx, db.DB, table)
			if err != nil {
				t.Fatalf("EstimateRows(%s): %v", table, err)
			}
			switch db.Dialect {
			case dbtest.SQLite:
				if got != (catalog.Estimate{Rows: 1000, Exact: true}) {
					t.Errorf("EstimateRows(%s) = %+v, want 1000 counted", table, got)
				}
			case dbtest.Postgres: // ANALYZE samples every row of a small table
				if got != (catalog.Estimate{Rows: 1000}) {
					t.Errorf("EstimateRows(%s) = %+v, want 1000 from pg_class", table, got)
				}
			default: // InnoDB estimates from sampled pages
				if got.Exact || got.Rows < 750 || got.Rows > 1250 {
					t.Errorf("EstimateRows(%s) = %+v, want about 1000 from the catalog", table, got)
				}
			}
		}
	})
}
