package hooks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// TestPluginsWithProducers installs the three plugins together and writes
// through the real producers: updater.Update (Updates in its transaction),
// batch.UpdateRows (the dialect's per-row bulk UPDATE through Exec — a JOIN
// without WHERE on MySQL, which Guard must recognise as bounded) and
// batch.Update (a set-based Updates).
func TestPluginsWithProducers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		stats := &hooks.Stats{}
		for _, p := range []gorm.Plugin{&hooks.Guard{}, &hooks.Audit{Now: func() time.Time { return auditNow }}, stats} {
			if err := db.Use(p); err != nil {
				t.Fatal(err)
			}
		}
		ctx := hooks.WithActor(context.Background(), "e2e")

		if _, err := updater.Update(ctx, db.Where("id = ?", 1), func(a *auditAccount) error {
			a.Balance += 5
			return nil
		}); err != nil {
			t.Fatalf("updater.Update: %v", err)
		}
		res, err := batch.UpdateRows(ctx, db.DB, []auditAccount{{ID: 2, Balance: 20}, {ID: 3, Balance: 30}}, []string{"Balance"})
		if err != nil {
			t.Fatalf("batch.UpdateRows: %v", err)
		}
		if res.Matched != 2 {
			t.Errorf("UpdateRows matched %d, want 2", res.Matched)
		}
		n, err := batch.Update(ctx, db.Model(&auditAccount{}).Where("balance >= ?", 30), map[string]any{"name": "rich"})
		if err != nil {
			t.Fatalf("batch.Update: %v", err)
		}
		if n != 2 {
			t.Errorf("batch.Update matched %d, want 2", n)
		}

		want := []hooks.AuditRow{
			{ID: 1, Table: "audit_accounts", RowKey: "1", Column: "balance", OldValue: ptr("100"), OldKnown: true, NewValue: ptr("105"), Actor: "e2e", RowsAffected: 1, ChangedAt: auditNow},
			{ID: 2, Table: "audit_accounts", RowKey: "2", Column: "balance", NewValue: ptr("20"), Actor: "e2e", RowsAffected: 2, ChangedAt: auditNow},
			{ID: 3, Table: "audit_accounts", RowKey: "3", Column: "balance", NewValue: ptr("30"), Actor: "e2e", RowsAffected: 2, ChangedAt: auditNow},
			{ID: 4, Table: "audit_accounts", Column: "name", NewValue: ptr("rich"), Actor: "e2e", RowsAffected: 2, ChangedAt: auditNow},
		}
		got := auditTrail(t, db.DB, hooks.DefaultAuditTable)
		if len(got) == len(want) {
			// The set-based write's condition is rendered by batch; check it
			// names the column and take it as is.
			if !strings.Contains(got[3].WhereSQL, "balance") {
				t.Errorf("batch.Update record: WhereSQL %q does not name the condition's column", got[3].WhereSQL)
			}
			want[3].WhereSQL = got[3].WhereSQL
		}
		assertTrail(t, got, want)
		for id, bal := range map[int64]int64{1: 105, 2: 20, 3: 30} {
			if b := balanceOf(t, db.DB, id); b != bal {
				t.Errorf("balance of %d = %d, want %d", id, b, bal)
			}
		}

		// A vacuous batch.Update passes Guard under AllowUnbounded.
		if _, err := batch.Update(ctx, hooks.AllowUnbounded(db.Model(&auditAccount{}).Where("1 = 1")), map[string]any{"name": "x"}, batch.AllowAll()); err != nil {
			t.Errorf("vacuous batch.Update with AllowUnbounded: %v", err)
		}

		if s := stats.Snapshot().Get(hooks.DefaultAuditTable, hooks.OpCreate); s.RowsAffected != 4+1 {
			t.Errorf("Stats counted %d audit rows inserted, want 5", s.RowsAffected)
		}
	})
}
