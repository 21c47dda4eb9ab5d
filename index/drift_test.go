package index_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
)

// driftCase creates an index called idx_drift that differs from decl.
type driftCase struct {
	name     string
	dialects []string // nil: every dialect
	existing string
	seed     int // accounts to seed first
	decl     index.Def
	want     []index.Difference
}

var statusCreatedDesc = index.Def{Name: "idx_drift", Keys: []index.Key{{Column: "status"}, {Column: "created_at", Desc: true}}}

var driftCases = []driftCase{
	{name: "columns", existing: "CREATE INDEX idx_drift ON accounts (status)", decl: statusCreatedDesc,
		want: []index.Difference{{Kind: index.KindColumns, Want: "status, created_at", Got: "status"}}},
	{name: "column order", existing: "CREATE INDEX idx_drift ON accounts (created_at DESC, status)", decl: statusCreatedDesc,
		want: []index.Difference{{Kind: index.KindColumns, Want: "status, created_at", Got: "created_at, status"}}},
	{name: "sort", existing: "CREATE INDEX idx_drift ON accounts (status, created_at)", decl: statusCreatedDesc,
		want: []index.Difference{{Kind: index.KindSort, Want: "status ASC, created_at DESC", Got: "status ASC, created_at ASC"}}},
	{name: "unique", existing: "CREATE UNIQUE INDEX idx_drift ON accounts (status, created_at DESC)", decl: statusCreatedDesc,
		want: []index.Difference{{Kind: index.KindUnique, Want: "false", Got: "true"}}},
	{name: "partial vs full", dialects: []string{dbtest.SQLite, dbtest.Postgres},
		existing: "CREATE INDEX idx_drift ON accounts (status, created_at DESC) WHERE active", decl: statusCreatedDesc,
		want: []index.Difference{{Kind: index.KindWhere, Want: "(none)", Got: "active"}}},
	{name: "other condition", dialects: []string{dbtest.SQLite, dbtest.Postgres},
		existing: "CREATE INDEX idx_drift ON accounts (status) WHERE active",
		decl:     index.Def{Name: "idx_drift", Columns: []string{"status"}, Where: "balance > 0"},
		want:     []index.Difference{{Kind: index.KindWhere, Want: "balance > 0", Got: "active"}}},
	{name: "type", dialects: []string{dbtest.Postgres},
		existing: "CREATE INDEX idx_drift ON accounts USING hash (status)",
		decl:     index.Def{Name: "idx_drift", Columns: []string{"status"}, Type: "btree"},
		want:     []index.Difference{{Kind: index.KindType, Want: "btree", Got: "hash"}}},
	{name: "length", dialects: []string{dbtest.MySQL},
		existing: "CREATE INDEX idx_drift ON accounts (email)",
		decl:     index.Def{Name: "idx_drift", Keys: []index.Key{{Column: "email", Length: 10}}},
		want:     []index.Difference{{Kind: index.KindLength, Want: "email(10)", Got: "email"}}},
	{name: "invalid", dialects: []string{dbtest.Postgres}, seed: 6,
		// A unique build over duplicates fails and leaves an invalid index.
		existing: "CREATE UNIQUE INDEX CONCURRENTLY idx_drift ON accounts (status)",
		decl:     index.Def{Name: "idx_drift", Columns: []string{"status"}},
		want: []index.Difference{{Kind: index.KindInvalid, Want: "valid", Got: "invalid"},
			{Kind: index.KindUnique, Want: "false", Got: "true"}}},
}

func TestDriftIsReportedAndRepairedOnlyOnRequest(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, shared *dbtest.DB) {
		ctx := context.Background()
		for _, c := range driftCases {
			db := shared
			if c.dialects != nil && !slices.Contains(c.dialects, shared.Dialect) {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				if c.name == "invalid" {
					// CREATE INDEX CONCURRENTLY waits for every older transaction
					// of its database: give it one no other test uses.
					db = ownPostgresDatabase(t)
				}
				db.Migrator().DropTable("accounts")
				bare(t, db)
				seedAccounts(t, db.DB, c.seed)
				err := db.Exec(c.existing).Error
				if (err != nil) != (c.name == "invalid") {
					t.Fatalf("creating the drifted index: %v", err)
				}
				decl := index.On(&accountTable{}, c.decl)

				r, err := index.Diff(ctx, db.DB, []any{decl})
				if err != nil {
					t.Fatal(err)
				}
				if got := statuses(r); got != "idx_drift=drifted" {
					t.Fatalf("Diff: %s, want idx_drift=drifted", got)
				}
				if got := r.Indexes[0].Differences; !slices.Equal(got, c.want) {
					t.Fatalf("differences = %v, want %v", got, c.want)
				}
				if got := r.Drifted(); len(got) != 1 || got[0].Name != "idx_drift" {
					t.Errorf("Drifted() = %v", got)
				}

				cdb, rec := dbtest.Capture(db.DB)
				r, err = index.Ensure(ctx, cdb, []any{decl})
				if err != nil {
					t.Fatal(err)
				}
				if got := statuses(r); got != "idx_drift=drifted" {
					t.Fatalf("Ensure without Repair: %s", got)
				}
				if c.name == "other condition" && db.Dialect == dbtest.Postgres {
					// Two conditions that read differently are compared as the
					// server renders them, on a rolled-back temporary table.
					if got := rec.Matching("CREATE TEMPORARY TABLE gormup_index_scratch"); len(got) != 1 {
						t.Errorf("scratch statements = %q, want one", got)
					}
					if got := rec.Matching("CREATE INDEX"); len(got) != 1 || !strings.Contains(got[0], `ON "gormup_index_scratch"`) {
						t.Errorf("CREATE INDEX statements = %q, want one on the scratch table", got)
					}
				} else {
					noDDL(t, rec)
				}

				seedAccounts(t, db.DB, 0)
				if c.name == "invalid" {
					dbtest.MustExec(t, db.DB, "UPDATE accounts SET status = 'x'")
				}
				r, err = index.Ensure(ctx, db.DB, []any{decl}, index.Repair())
				if err != nil {
					t.Fatal(err)
				}
				if got := statuses(r); got != "idx_drift=repaired" {
					t.Fatalf("Ensure with Repair: %s", got)
				}
				if got := r.Indexes[0].Differences; !slices.Equal(got, c.want) {
					t.Errorf("repaired differences = %v, want %v", got, c.want)
				}
				r, err = index.Diff(ctx, db.DB, []any{decl})
				if err != nil {
					t.Fatal(err)
				}
				if got := statuses(r); got != "idx_drift=present" {
					t.Fatalf("Diff after repair: %s (%v)", got, r.Indexes[0].Differences)
				}
			})
		}
	})
}

func TestRepairRebuildsTheDeclaredDefinition(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		bare(t, db)
		dbtest.MustExec(t, db.DB, "CREATE INDEX idx_drift ON accounts (status, created_at)")
		if _, err := index.Ensure(context.Background(), db.DB, []any{index.On(&accountTable{}, statusCreatedDesc)}, index.Repair()); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			dbtest.SQLite:   "CREATE INDEX `idx_drift` ON `accounts`(`status`,`created_at` DESC)",
			dbtest.Postgres: "CREATE INDEX idx_drift ON accounts USING btree (status, created_at DESC)",
			dbtest.MySQL:    "status, created_at DESC",
		}[db.Dialect]
		if got := definition(t, db, "idx_drift"); got != want {
			t.Errorf("definition = %s, want %s", got, want)
		}
	})
}

func TestUndeclaredIndexesAreReportedNeverDropped(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &account{})
		dbtest.MustExec(t, db.DB, "CREATE INDEX idx_accounts_legacy ON accounts (balance)")
		dbtest.MustExec(t, db.DB, "CREATE INDEX accounts_by_active ON accounts (active)")
		r, err := index.Ensure(context.Background(), db.DB, []any{&account{}}, index.Repair())
		if err != nil {
			t.Fatal(err)
		}
		want := "idx_accounts_email=present idx_accounts_status_created=present idx_accounts_legacy=undeclared"
		if got := statuses(r); got != want {
			t.Fatalf("Ensure: %s, want %s", got, want)
		}
		if ix, ok := r.Find("accounts", "idx_accounts_legacy"); !ok || ix.Source != "" || ix.Declared != "" {
			t.Errorf("Find(idx_accounts_legacy) = %+v, %v", ix, ok)
		}
		wantIndex(t, db.DB, "accounts", "idx_accounts_legacy", false, "balance")
		wantIndex(t, db.DB, "accounts", "accounts_by_active", false, "active")
	})
}
