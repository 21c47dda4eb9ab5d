package index_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
)

func TestCoversAndAdvise(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		bare(t, db)
		covers := func(columns ...string) bool {
			t.Helper()
			ok, err := index.Covers(ctx, db.DB, &account{}, columns...)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !covers("id") || !covers("ID") {
			t.Error("the primary key does not cover id")
		}
		if covers("status") {
			t.Error("status covered before Ensure")
		}

		a, err := index.Advise(ctx, db.DB, &account{}, "Status", "created_at")
		if err != nil {
			t.Fatal(err)
		}
		if a.Covered || a.By != "" || a.Declared != "idx_accounts_status_created" || a.Suggestion != nil || a.Table != "accounts" {
			t.Fatalf("Advise before Ensure = %+v", a)
		}
		if got, want := a.String(), "accounts (status, created_at): not covered; declared index idx_accounts_status_created would cover it: run index.Ensure"; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}

		a, err = index.Advise(ctx, db.DB, &account{}, "balance", "id")
		if err != nil {
			t.Fatal(err)
		}
		if a.Covered || a.Declared != "" || a.Suggestion == nil || a.Suggestion.Name != "idx_accounts_balance_id" {
			t.Fatalf("Advise(balance, id) = %+v", a)
		}
		// The suggestion, declared with On, is what Ensure creates.
		decl := index.On(&account{}, *a.Suggestion)
		if _, err := index.Ensure(ctx, db.DB, []any{&account{}, decl}); err != nil {
			t.Fatal(err)
		}
		wantIndex(t, db.DB, "accounts", "idx_accounts_balance_id", false, "balance", "id")

		a, err = index.Advise(ctx, db.DB, decl, "balance")
		if err != nil {
			t.Fatal(err)
		}
		if !a.Covered || a.By != "idx_accounts_balance_id" || a.Declared != "idx_accounts_balance_id" {
			t.Fatalf("Advise(balance) after Ensure = %+v", a)
		}
		if got, want := a.String(), "accounts (balance): covered by idx_accounts_balance_id"; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
		if !covers("status") || !covers("status", "created_at") || !covers("email") {
			t.Error("leading columns of created indexes not covered")
		}
		if covers("created_at") || covers("created_at", "status") || covers("status", "email") {
			t.Error("non-leading columns reported covered")
		}
	})
}

func TestCoversIgnoresPartialIndexes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.MySQL {
			t.Skip("MySQL and MariaDB have no partial indexes")
		}
		bare(t, db)
		dbtest.MustExec(t, db.DB, "CREATE INDEX idx_accounts_active_balance ON accounts (balance) WHERE active")
		ok, err := index.Covers(context.Background(), db.DB, &accountTable{}, "balance")
		if err != nil || ok {
			t.Fatalf("Covers(balance) = %v, %v; want false: a partial index serves only matching rows", ok, err)
		}
	})
}

func TestCoversErrors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		if _, err := index.Covers(ctx, db.DB, &account{}, "status"); !errors.Is(err, index.ErrNoTable) {
			t.Errorf("no table: err = %v, want ErrNoTable", err)
		}
		bare(t, db)
		if _, err := index.Covers(ctx, db.DB, &account{}, "nope"); !errors.Is(err, index.ErrInvalidDef) {
			t.Errorf("unknown column: err = %v, want ErrInvalidDef", err)
		}
		if _, err := index.Advise(ctx, db.DB, &account{}); !errors.Is(err, index.ErrInvalidDef) {
			t.Errorf("no columns: err = %v, want ErrInvalidDef", err)
		}
	})
}
