package index_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
)

func TestInvalidDeclarationsWriteNothing(t *testing.T) {
	cases := []struct {
		name   string
		models []any
		reason string
	}{
		{"unknown column", []any{index.On(&accountTable{}, index.Def{Columns: []string{"nope"}})}, `unknown column "nope"`},
		{"column and expression", []any{index.On(&accountTable{}, index.Def{Name: "idx_x", Keys: []index.Key{{Column: "email", Expression: "lower(email)"}}})}, "both a column and an expression"},
		{"no keys", []any{index.On(&accountTable{}, index.Def{Name: "idx_x"})}, "no key columns"},
		{"unnamed expressions", []any{index.On(&accountTable{}, index.Def{Keys: []index.Key{{Expression: "lower(email)"}}})}, "needs a Name"},
		{"semicolon", []any{index.On(&accountTable{}, index.Def{Name: "idx_x", Columns: []string{"status"}, Option: "WITH (fillfactor = 70); DROP TABLE accounts"})}, "';' or '\\'"},
		{"quoted comment", []any{index.On(&accountTable{}, index.Def{Name: "idx_x", Columns: []string{"status"}, Comment: "it's"})}, "comment cannot hold a quote"},
		{"conflicting declarations", []any{&account{}, index.On(&accountTable{}, index.Def{Name: "idx_accounts_email", Columns: []string{"status"}})}, "declared twice"},
		{"nil model", []any{nil}, "nil model"},
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		bare(t, db)
		before := strings.Join(slices.Sorted(maps.Keys(catalog(t, db.DB, "accounts"))), " ")
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				cdb, rec := dbtest.Capture(db.DB)
				_, err := index.Ensure(context.Background(), cdb, c.models)
				var def *index.DefError
				if !errors.As(err, &def) || !errors.Is(err, index.ErrInvalidDef) || !strings.Contains(def.Reason, c.reason) {
					t.Fatalf("err = %v, want a *DefError: %s", err, c.reason)
				}
				for _, p := range []string{"CREATE", "DROP", "ALTER"} {
					if got := rec.Matching(p); len(got) != 0 {
						t.Fatalf("%s statements = %q, want none", p, got)
					}
				}
				if got := strings.Join(slices.Sorted(maps.Keys(catalog(t, db.DB, "accounts"))), " "); got != before {
					t.Fatalf("indexes on accounts = %s, want unchanged %s", got, before)
				}
			})
		}
		// Same name declared twice identically is one index.
		r, err := index.Ensure(context.Background(), db.DB, []any{&account{}, &account{}})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_email=created idx_accounts_status_created=created" {
			t.Errorf("Ensure(&account{}, &account{}) = %s", got)
		}
	})
}

func TestConditionWithCommasAndQuotes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		bare(t, db)
		decl := index.On(&accountTable{}, index.Def{Name: "idx_accounts_open", Columns: []string{"created_at"}, Where: "status IN ('trial', 'active')"})
		r, err := index.Ensure(context.Background(), db.DB, []any{decl})
		if db.Dialect == dbtest.MySQL {
			if !errors.Is(err, index.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
			noIndex(t, db.DB, "accounts", "idx_accounts_open")
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_open=created" {
			t.Fatalf("Ensure: %s", got)
		}
		want := map[string]string{
			dbtest.SQLite:   "CREATE INDEX `idx_accounts_open` ON `accounts`(`created_at`) WHERE status IN ('trial', 'active')",
			dbtest.Postgres: "CREATE INDEX idx_accounts_open ON accounts USING btree (created_at) WHERE ((status)::text = ANY ((ARRAY['trial'::character varying, 'active'::character varying])::text[]))",
		}[db.Dialect]
		if got := definition(t, db, "idx_accounts_open"); got != want {
			t.Errorf("definition = %s, want %s", got, want)
		}
		r, err = index.Diff(context.Background(), db.DB, []any{decl})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_open=present" {
			t.Fatalf("Diff: %s %v", got, r.Indexes[0].Differences)
		}
	})
}

func TestErrorMessages(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.MariaDB)
	_, err := index.Ensure(context.Background(), db, []any{index.On(&accountTable{}, index.Def{Name: "idx_a", Columns: []string{"status"}, Where: "active"})})
	want := "index: idx_a on accounts: where is not supported on mariadb: MySQL and MariaDB have no partial indexes; GORM would create a full index"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	_, err = index.Ensure(context.Background(), db, []any{index.On(&accountTable{}, index.Def{Columns: []string{"nope"}})})
	if want := `index: accounts: unknown column "nope"`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	cause := errors.New("boom")
	def := &index.DefError{Table: "t", Index: "i", Reason: "rejected", Err: cause}
	if got, want := def.Error(), "index: i on t: rejected: boom"; got != want {
		t.Errorf("DefError = %q, want %q", got, want)
	}
	if !errors.Is(def, cause) || !errors.Is(def, index.ErrInvalidDef) {
		t.Error("DefError does not unwrap to its cause and ErrInvalidDef")
	}
}
