package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
)

// leadRow has a primary key, a two-column index and, where the database
// has partial indexes, a partial one (created by the test).
type leadRow struct {
	ID        int64     `gorm:"primaryKey;autoIncrement:false"`
	Status    string    `gorm:"size:16;index:idx_lead_status_created,priority:1"`
	CreatedAt time.Time `gorm:"index:idx_lead_status_created,priority:2"`
	Score     int64
}

// TestLeading: the primary key, an index's leading columns in order (any
// case), and nothing else — not a later column alone, not a partial index.
func TestLeading(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		dbtest.Migrate(t, db, &leadRow{})
		d, err := dialect.Of(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		if d.Has(dialect.PartialIndex) {
			dbtest.MustExec(t, db.DB, "CREATE INDEX idx_lead_score ON lead_rows (score) WHERE score > 0")
		}
		// The primary key's own catalog entry: SQLite's INTEGER PRIMARY KEY
		// is the rowid and has none.
		pkByCatalog := catalog.PrimaryKey
		if db.Dialect == dbtest.SQLite {
			pkByCatalog = ""
		}
		for _, tt := range []struct {
			primary, cols []string
			want          string
		}{
			{[]string{"id"}, []string{"id"}, catalog.PrimaryKey},
			{nil, []string{"id"}, pkByCatalog},
			{[]string{"id"}, []string{"status"}, "idx_lead_status_created"},
			{[]string{"id"}, []string{"STATUS", "Created_At"}, "idx_lead_status_created"},
			{[]string{"id"}, []string{"created_at"}, ""},
			{[]string{"id"}, []string{"status", "created_at", "id"}, ""},
			{[]string{"id"}, []string{"score"}, ""},
		} {
			got, err := catalog.Leading(ctx, db.DB, d, "lead_rows", tt.primary, tt.cols)
			if err != nil || got != tt.want {
				t.Errorf("Leading(primary %v, %v) = %q, %v; want %q", tt.primary, tt.cols, got, err, tt.want)
			}
		}
		parts, err := catalog.Indexes(ctx, db.DB, d, "lead_rows")
		if err != nil {
			t.Fatal(err)
		}
		var partial []string
		for _, p := range parts {
			if p.Partial {
				partial = append(partial, p.Name+"."+p.Column)
			}
		}
		if want := d.Has(dialect.PartialIndex); want != (len(partial) == 1 && partial[0] == "idx_lead_score.score") {
			t.Errorf("partial key parts %q; want idx_lead_score.score only where partial indexes exist", partial)
		}
	})
}

// TestIndexesDryRun: a DryRun session reads nothing and finds no index.
func TestIndexesDryRun(t *testing.T) {
	for _, name := range dbtest.DryRunDialects {
		t.Run(name, func(t *testing.T) {
			db := dbtest.DryRun(t, name)
			d, err := dialect.Of(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := catalog.Indexes(context.Background(), db, d, "lead_rows")
			if err != nil || len(parts) != 0 {
				t.Fatalf("Indexes = %v, %v; want none", parts, err)
			}
		})
	}
}
