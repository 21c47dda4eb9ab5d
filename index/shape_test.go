package index_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
)

type shapeAccount struct {
	ID        int64
	Email     string    `gorm:"size:191;uniqueIndex:idx_shape_email"`
	Status    string    `gorm:"size:32;index:idx_shape_status_created,priority:1"`
	CreatedAt time.Time `gorm:"index:idx_shape_status_created,priority:2,sort:desc"`
	Active    bool
}

// activeStatus is a filtered index (refused on MySQL and MariaDB).
var activeStatus = index.Def{Name: "idx_shape_active_status", Columns: []string{"status"}, Where: "active = 1"}

func TestEnsureSQLShapes(t *testing.T) {
	want := map[string][]string{
		dbtest.Postgres: {
			`CREATE UNIQUE INDEX IF NOT EXISTS "idx_shape_email" ON "shape_accounts" ("email")`,
			`CREATE INDEX IF NOT EXISTS "idx_shape_status_created" ON "shape_accounts" ("status","created_at" DESC)`,
			`CREATE INDEX IF NOT EXISTS "idx_shape_active_status" ON "shape_accounts" ("status") WHERE active = 1`,
		},
		dbtest.MySQL: {
			"CREATE UNIQUE INDEX `idx_shape_email` ON `shape_accounts`(`email`)",
			"CREATE INDEX `idx_shape_status_created` ON `shape_accounts`(`status`,`created_at` DESC)",
		},
		dbtest.SQLite: {
			"CREATE UNIQUE INDEX `idx_shape_email` ON `shape_accounts`(`email`)",
			"CREATE INDEX `idx_shape_status_created` ON `shape_accounts`(`status`,`created_at` DESC)",
			"CREATE INDEX `idx_shape_active_status` ON `shape_accounts`(`status`) WHERE active = 1",
		},
		dbtest.SQLServer: {
			`CREATE UNIQUE INDEX "idx_shape_email" ON "shape_accounts"("email")`,
			`CREATE INDEX "idx_shape_status_created" ON "shape_accounts"("status","created_at" DESC)`,
			`CREATE INDEX "idx_shape_active_status" ON "shape_accounts"("status") WHERE active = 1`,
		},
	}
	want[dbtest.MariaDB] = want[dbtest.MySQL]
	catalogFrom := map[string]string{
		dbtest.Postgres:  `WHERE i.indrelid = to_regclass('"shape_accounts"')`,
		dbtest.MySQL:     "FROM information_schema.statistics\nWHERE table_schema = COALESCE(NULL, DATABASE()) AND table_name = 'shape_accounts'",
		dbtest.MariaDB:   "FROM information_schema.statistics\nWHERE table_schema = COALESCE(NULL, DATABASE()) AND table_name = 'shape_accounts'",
		dbtest.SQLite:    `FROM pragma_index_list("shape_accounts") AS il`,
		dbtest.SQLServer: "FROM sys.indexes AS i\n",
	}
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			db, rec := dbtest.Capture(dbtest.DryRun(t, d))
			models := []any{&shapeAccount{}}
			if d != dbtest.MySQL && d != dbtest.MariaDB {
				models = append(models, index.On(&shapeAccount{}, activeStatus))
			}
			r, err := index.Ensure(context.Background(), db, models)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Count(index.Created); got != len(want[d]) {
				t.Errorf("created = %d, want %d", got, len(want[d]))
			}
			if got := rec.Matching("CREATE"); !slices.Equal(got, want[d]) {
				t.Errorf("DDL:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want[d], "\n"))
			}
			selects := rec.Matching("SELECT")
			if len(selects) != 1 || !strings.Contains(selects[0], catalogFrom[d]) {
				t.Errorf("catalog query = %q, want one containing %q", selects, catalogFrom[d])
			}
		})
	}
}

// TestDialectHonesty checks, on every dialect with no server, which settings
// are refused, which are left out with a warning, and the SQL that remains.
func TestDialectHonesty(t *testing.T) {
	type want struct {
		feature string // an *UnsupportedError for this feature, or
		warning string // a warning containing this, and
		sql     string // the CREATE statement
	}
	cases := []struct {
		name string
		def  index.Def
		want map[string]want
	}{
		{"partial", activeStatus, map[string]want{
			dbtest.MySQL:     {feature: "where"},
			dbtest.MariaDB:   {feature: "where"},
			dbtest.SQLServer: {sql: `CREATE INDEX "idx_shape_active_status" ON "shape_accounts"("status") WHERE active = 1`},
		}},
		{"expression", index.Def{Name: "idx_x", Keys: []index.Key{{Expression: "lower(email)"}}}, map[string]want{
			dbtest.Postgres:  {sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" (lower(email))`},
			dbtest.SQLite:    {sql: "CREATE INDEX `idx_x` ON `shape_accounts`(lower(email))"},
			dbtest.MySQL:     {feature: "expression"},
			dbtest.MariaDB:   {feature: "expression"},
			dbtest.SQLServer: {feature: "expression"},
		}},
		{"hash type", index.Def{Name: "idx_x", Columns: []string{"status"}, Type: "hash"}, map[string]want{
			dbtest.Postgres:  {sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" USING hash("status")`},
			dbtest.MySQL:     {warning: "InnoDB builds a btree index instead", sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`) USING hash"},
			dbtest.SQLite:    {feature: "type"},
			dbtest.SQLServer: {feature: "type"},
		}},
		{"btree type", index.Def{Name: "idx_x", Columns: []string{"status"}, Type: "btree"}, map[string]want{
			dbtest.SQLite:    {warning: "type btree left out", sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`)"},
			dbtest.SQLServer: {warning: "type btree left out", sql: `CREATE INDEX "idx_x" ON "shape_accounts"("status")`},
		}},
		{"comment", index.Def{Name: "idx_x", Columns: []string{"status"}, Comment: "by status"}, map[string]want{
			dbtest.MySQL:    {sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`) COMMENT 'by status'"},
			dbtest.Postgres: {warning: "comment left out", sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" ("status")`},
			dbtest.SQLite:   {warning: "comment left out", sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`)"},
		}},
		{"prefix length", index.Def{Name: "idx_x", Keys: []index.Key{{Column: "email", Length: 10}}}, map[string]want{
			dbtest.MySQL:     {sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`email`(10))"},
			dbtest.Postgres:  {warning: "length of email left out", sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" ("email")`},
			dbtest.SQLServer: {warning: "length of email left out", sql: `CREATE INDEX "idx_x" ON "shape_accounts"("email")`},
		}},
		{"unique prefix length", index.Def{Name: "idx_x", Unique: true, Keys: []index.Key{{Column: "email", Length: 10}}}, map[string]want{
			dbtest.MariaDB:  {sql: "CREATE UNIQUE INDEX `idx_x` ON `shape_accounts`(`email`(10))"},
			dbtest.Postgres: {feature: "length"},
			dbtest.SQLite:   {feature: "length"},
		}},
		{"option", index.Def{Name: "idx_x", Columns: []string{"status"}, Option: "WITH (fillfactor = 70)"}, map[string]want{
			dbtest.Postgres: {sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" ("status") WITH (fillfactor = 70)`},
			dbtest.SQLite:   {warning: "left out: SQLite has no index options", sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`)"},
		}},
		{"concurrently", index.Def{Name: "idx_x", Columns: []string{"status"}, Option: "CONCURRENTLY"}, map[string]want{
			dbtest.Postgres:  {sql: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_x" ON "shape_accounts" ("status")`},
			dbtest.MySQL:     {warning: "CONCURRENTLY left out", sql: "CREATE INDEX `idx_x` ON `shape_accounts`(`status`)"},
			dbtest.SQLServer: {warning: "CONCURRENTLY left out", sql: `CREATE INDEX "idx_x" ON "shape_accounts"("status")`},
		}},
		{"collate", index.Def{Name: "idx_x", Keys: []index.Key{{Column: "status", Collate: "C"}}}, map[string]want{
			dbtest.Postgres:  {sql: `CREATE INDEX IF NOT EXISTS "idx_x" ON "shape_accounts" ("status" COLLATE C)`},
			dbtest.MySQL:     {feature: "collate"},
			dbtest.SQLServer: {feature: "collate"},
		}},
	}
	for _, c := range cases {
		for d, w := range c.want {
			t.Run(c.name+"/"+d, func(t *testing.T) {
				db, rec := dbtest.Capture(dbtest.DryRun(t, d))
				r, err := index.Ensure(context.Background(), db, []any{index.On(&shapeAccount{}, c.def)})
				if w.feature != "" {
					var unsupported *index.UnsupportedError
					if !errors.As(err, &unsupported) || unsupported.Feature != w.feature || !errors.Is(err, index.ErrUnsupported) {
						t.Fatalf("err = %v, want an *UnsupportedError for %s", err, w.feature)
					}
					if got := rec.Statements(); len(got) != 0 {
						t.Fatalf("statements = %q, want none", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				warnings := r.Indexes[0].Warnings
				if w.warning == "" && len(warnings) != 0 || w.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], w.warning)) {
					t.Errorf("warnings = %q, want %q", warnings, w.warning)
				}
				if got := rec.Matching("CREATE"); len(got) != 1 || got[0] != w.sql {
					t.Errorf("DDL = %q, want %q", got, w.sql)
				}
			})
		}
	}
}

type fulltextAccount struct {
	ID   int64
	Bio  string `gorm:"type:text;index:idx_bio,class:FULLTEXT"`
	Name string `gorm:"size:64"`
}

func TestFulltextClassOnlyOnMySQL(t *testing.T) {
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			db, rec := dbtest.Capture(dbtest.DryRun(t, d))
			_, err := index.Ensure(context.Background(), db, []any{&fulltextAccount{}})
			if d == dbtest.MySQL || d == dbtest.MariaDB {
				if err != nil {
					t.Fatal(err)
				}
				want := []string{"CREATE FULLTEXT INDEX `idx_bio` ON `fulltext_accounts`(`bio`)"}
				if got := rec.Matching("CREATE"); !slices.Equal(got, want) {
					t.Errorf("DDL = %q, want %q", got, want)
				}
				return
			}
			var unsupported *index.UnsupportedError
			if !errors.As(err, &unsupported) || unsupported.Feature != "class" || unsupported.Index != "idx_bio" {
				t.Fatalf("err = %v, want an *UnsupportedError for class", err)
			}
			if got := rec.Statements(); len(got) != 0 {
				t.Errorf("statements = %q, want none", got)
			}
		})
	}
}
