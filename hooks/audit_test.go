package hooks_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// auditAccount is the model of the Audit tests.
type auditAccount struct {
	ID      int64 `gorm:"primaryKey"`
	Name    string
	Balance int64
}

// auditNow is the pinned clock of the Audit tests: whole seconds, so every
// database stores it exactly.
var auditNow = time.Date(2026, 11, 23, 21, 30, 0, 0, time.UTC)

func auditSetup(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &auditAccount{})
	dbtest.Seed(t, db.DB, []auditAccount{{ID: 1, Name: "a", Balance: 100}, {ID: 2, Name: "b", Balance: 50}, {ID: 3, Name: "c", Balance: 80}})
}

func installAudit(t *testing.T, db *gorm.DB, a *hooks.Audit) {
	t.Helper()
	if a.Now == nil {
		a.Now = func() time.Time { return auditNow }
	}
	if err := db.Use(a); err != nil {
		t.Fatalf("installing Audit: %v", err)
	}
}

// balanceChange is the change a producer reports for setting account id's
// balance from old to new.
func balanceChange(id, old, new int64) hooks.Change {
	return hooks.Change{Table: "auditAccounts", Key: []any{id}, Column: "balance", Old: old, OldKnown: true, New: new}
}

func auditTrail(t *testing.T, db *gorm.DB, table string) []hooks.AuditRow {
	t.Helper()
	var rows []hooks.AuditRow
	if err := db.Table(table).Order("id").Find(&rows).Error; err != nil {
		t.Fatalf("reading the audit table: %v", err)
	}
	return rows
}

func balanceOf(t *testing.T, db *gorm.DB, id int64) int64 {
	t.Helper()
	var a auditAccount
	if err := db.First(&a, id).Error; err != nil {
		t.Fatal(err)
	}
	return a.Balance
}

func ptr(s string) *string { return &s }

func TestAuditRecordsChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		if hooks.Collecting(db.DB) {
			t.Fatal("Collecting before Audit is installed")
		}
		installAudit(t, db.DB, &hooks.Audit{})
		if !hooks.Collecting(db.DB) {
			t.Fatal("Collecting is false with Audit installed")
		}
		ctx := hooks.WithActor(context.Background(), "alice")

		// A keyed change through Updates (GORM's default transaction).
		changes := []hooks.Change{
			balanceChange(1, 100, 150),
			{Key: []any{int64(1)}, Column: "name", Old: "a", OldKnown: true, New: "A"}, // Table from the statement
		}
		mustOK(t, hooks.WithChanges(db.WithContext(ctx).Model(&auditAccount{ID: 1}), changes).
			Updates(map[string]any{"balance": 150, "name": "A"}))
		// A set-based change through Exec (no transaction: Audit begins one).
		mustOK(t, hooks.WithChanges(db.WithContext(ctx), []hooks.Change{{
			Table: "audit_accounts", Where: "balance < 100", Column: "balance", New: gorm.Expr("balance + ?", 5),
		}}).Exec("UPDATE audit_accounts SET balance = balance + ? WHERE balance < ?", 5, 100))
		// Statements without changes leave no record.
		mustOK(t, db.Model(&auditAccount{}).Where("id = ?", 3).Update("name", "cc"))

		want := []hooks.AuditRow{
			{ID: 1, Table: "auditAccounts", RowKey: "1", Column: "balance", OldValue: ptr("100"), OldKnown: true, NewValue: ptr("150"), Actor: "alice", RowsAffected: 1, ChangedAt: auditNow},
			{ID: 2, Table: "audit_accounts", RowKey: "1", Column: "name", OldValue: ptr("a"), OldKnown: true, NewValue: ptr("A"), Actor: "alice", RowsAffected: 1, ChangedAt: auditNow},
			{ID: 3, Table: "audit_accounts", WhereSQL: "balance < 100", Column: "balance", NewValue: ptr("balance + 5"), Actor: "alice", RowsAffected: 2, ChangedAt: auditNow},
		}
		assertTrail(t, auditTrail(t, db.DB, hooks.DefaultAuditTable), want)
		for id, bal := range map[int64]int64{1: 150, 2: 55, 3: 85} {
			if got := balanceOf(t, db.DB, id); got != bal {
				t.Errorf("balance of %d = %d, want %d", id, got, bal)
			}
		}
	})
}

func TestAuditSameTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		installAudit(t, db.DB, &hooks.Audit{})
		other := dbtest.Reopen(t, db) // another connection pool: sees committed data only
		countOutside := func() int {
			t.Helper()
			return len(auditTrail(t, other, hooks.DefaultAuditTable))
		}

		// Committed: the record appears with the change, not before.
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := hooks.WithChanges(tx.Model(&auditAccount{ID: 2}), []hooks.Change{balanceChange(2, 50, 60)}).Update("balance", 60).Error; err != nil {
				return err
			}
			if got := len(auditTrail(t, tx, hooks.DefaultAuditTable)); got != 1 {
				t.Errorf("inside the transaction: %d records, want 1", got)
			}
			if got := countOutside(); got != 0 {
				t.Errorf("outside the open transaction: %d records, want 0", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := countOutside(); got != 1 {
			t.Errorf("after commit: %d records, want 1", got)
		}

		// Rolled back by the caller: neither the change nor its record stay.
		abort := errors.New("abort")
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := hooks.WithChanges(tx.Model(&auditAccount{ID: 2}), []hooks.Change{balanceChange(2, 60, 70)}).Update("balance", 70).Error; err != nil {
				return err
			}
			if err := hooks.WithChanges(tx, []hooks.Change{balanceChange(3, 80, 90)}).Exec("UPDATE audit_accounts SET balance = 90 WHERE id = 3").Error; err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("transaction: err = %v, want abort", err)
		}
		// A failing statement: no record either.
		if err := hooks.WithChanges(db.Model(&auditAccount{ID: 1}), []hooks.Change{balanceChange(1, 100, 1)}).Update("missing_column", 1).Error; err == nil {
			t.Fatal("update of a missing column succeeded")
		}
		if got := countOutside(); got != 1 {
			t.Errorf("after rollbacks: %d records, want 1", got)
		}
		for id, bal := range map[int64]int64{1: 100, 2: 60, 3: 80} {
			if got := balanceOf(t, other, id); got != bal {
				t.Errorf("balance of %d = %d, want %d", id, got, bal)
			}
		}
	})
}

// auditWrites are the ways a producer runs an audited write: each sets
// account 1's balance to 999.
var auditWrites = []struct {
	name      string
	returning bool // needs UPDATE ... RETURNING
	run       func(db *gorm.DB) error
}{
	{"Updates in GORM's transaction", false, func(db *gorm.DB) error {
		return hooks.WithChanges(db.Model(&auditAccount{ID: 1}), []hooks.Change{balanceChange(1, 100, 999)}).Update("balance", 999).Error
	}},
	{"Updates without default transaction", false, func(db *gorm.DB) error {
		s := db.Session(&gorm.Session{SkipDefaultTransaction: true})
		return hooks.WithChanges(s.Model(&auditAccount{ID: 1}), []hooks.Change{balanceChange(1, 100, 999)}).Update("balance", 999).Error
	}},
	{"Exec", false, func(db *gorm.DB) error {
		return hooks.WithChanges(db, []hooks.Change{balanceChange(1, 100, 999)}).Exec("UPDATE audit_accounts SET balance = ? WHERE id = ?", 999, 1).Error
	}},
	{"Raw Find", true, func(db *gorm.DB) error {
		var ids []int64
		return hooks.WithChanges(db, []hooks.Change{balanceChange(1, 100, 999)}).
			Raw("UPDATE audit_accounts SET balance = ? WHERE id = ? RETURNING id", 999, 1).Find(&ids).Error
	}},
}

func TestAuditFailureRollsBackTheChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		sinkErr := errors.New("sink down")
		var sinkCalls int
		withSink := dbtest.Reopen(t, db)
		installAudit(t, withSink, &hooks.Audit{Sink: func(ctx context.Context, records []hooks.Record) error {
			sinkCalls++
			return sinkErr
		}})
		// An audit table that vanished after Use: the INSERT fails.
		withTable := dbtest.Reopen(t, db)
		installAudit(t, withTable, &hooks.Audit{Table: "audit_gone"})
		if err := withTable.Migrator().DropTable("audit_gone"); err != nil {
			t.Fatal(err)
		}

		writes := 0
		for _, w := range auditWrites {
			t.Run(w.name, func(t *testing.T) {
				if w.returning && !supportsReturning(t, db.DB) {
					t.Skipf("%s has no UPDATE ... RETURNING", db.Dialect)
				}
				writes++
				for _, h := range []*gorm.DB{withSink, withTable} {
					err := w.run(h)
					if !errors.Is(err, hooks.ErrAuditFailed) {
						t.Fatalf("err = %v, want ErrAuditFailed", err)
					}
					if got := balanceOf(t, db.DB, 1); got != 100 {
						t.Fatalf("balance = %d after a failed audit, want 100 (rolled back)", got)
					}
				}
			})
		}
		if err := auditWrites[0].run(withSink); !errors.Is(err, sinkErr) {
			t.Error("the sink's error is not in the chain")
		}
		if sinkCalls != writes+1 {
			t.Errorf("sink called %d times, want %d", sinkCalls, writes+1)
		}
	})
}

func TestAuditCommitsWithoutTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for i, w := range auditWrites {
			t.Run(w.name, func(t *testing.T) {
				if w.returning && !supportsReturning(t, db.DB) {
					t.Skipf("%s has no UPDATE ... RETURNING", db.Dialect)
				}
				db := dbtest.Open(t, db.Dialect)
				auditSetup(t, db)
				table := "audit_trail_" + string(rune('a'+i))
				installAudit(t, db.DB, &hooks.Audit{Table: table})
				mustOK(t, db.Model(&auditAccount{}).Where("id = ?", 2).Update("balance", 1)) // no changes: no record
				if err := w.run(db.DB); err != nil {
					t.Fatal(err)
				}
				other := dbtest.Reopen(t, db)
				if got := balanceOf(t, other, 1); got != 999 {
					t.Errorf("committed balance = %d, want 999", got)
				}
				trail := auditTrail(t, other, table)
				assertTrail(t, trail, []hooks.AuditRow{{ID: 1, Table: "auditAccounts", RowKey: "1", Column: "balance",
					OldValue: ptr("100"), OldKnown: true, NewValue: ptr("999"), RowsAffected: 1, ChangedAt: auditNow}})
			})
		}
	})
}

func TestAuditSink(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		var got []hooks.Record
		installAudit(t, db.DB, &hooks.Audit{Sink: func(ctx context.Context, records []hooks.Record) error {
			got = append(got, records...)
			return nil
		}})
		if db.Migrator().HasTable(hooks.DefaultAuditTable) {
			t.Error("the audit table was created although a Sink is set")
		}
		ctx := hooks.WithActor(context.Background(), "job:recalc")
		key := []any{int64(2)}
		mustOK(t, hooks.WithChanges(db.WithContext(ctx).Model(&auditAccount{ID: 2}), []hooks.Change{
			{Key: key, Column: "balance", Old: int64(50), OldKnown: true, New: int64(51)},
		}).Update("balance", 51))
		want := hooks.Record{
			Change: hooks.Change{Table: "audit_accounts", Key: key, Column: "balance", Old: int64(50), OldKnown: true, New: int64(51)},
			At:     auditNow, Actor: "job:recalc", Rows: 1,
		}
		if len(got) != 1 {
			t.Fatalf("sink got %d records, want 1", len(got))
		}
		r := got[0]
		if r.Table != want.Table || !slices.Equal(r.Key, want.Key) || r.Column != want.Column || r.Old != want.Old ||
			r.OldKnown != want.OldKnown || r.New != want.New || !r.At.Equal(want.At) || r.Actor != want.Actor || r.Rows != want.Rows {
			t.Errorf("record = %+v, want %+v", r, want)
		}
	})
}

func TestAuditRefusesRowStatements(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		installAudit(t, db.DB, &hooks.Audit{})
		var n int64
		err := hooks.WithChanges(db.DB, []hooks.Change{balanceChange(1, 100, 0)}).
			Raw("UPDATE audit_accounts SET balance = 0 WHERE id = 1").Scan(&n).Error
		if !errors.Is(err, hooks.ErrAuditRowStatement) {
			t.Fatalf("Scan with changes: err = %v, want ErrAuditRowStatement", err)
		}
		if got := balanceOf(t, db.DB, 1); got != 100 {
			t.Errorf("balance = %d, want 100 (nothing ran)", got)
		}
	})
}

// TestAuditRawFind: Find runs the statement to completion, so a write with
// RETURNING run through it is audited.
func TestAuditRawFind(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if !supportsReturning(t, db.DB) {
			t.Skipf("%s has no UPDATE ... RETURNING", db.Dialect)
		}
		auditSetup(t, db)
		installAudit(t, db.DB, &hooks.Audit{})
		var ids []int64
		mustOK(t, hooks.WithChanges(db.DB, []hooks.Change{balanceChange(1, 100, 7)}).
			Raw("UPDATE audit_accounts SET balance = 7 WHERE id = 1 RETURNING id").Find(&ids))
		if !slices.Equal(ids, []int64{1}) {
			t.Errorf("RETURNING ids = %v, want [1]", ids)
		}
		assertTrail(t, auditTrail(t, db.DB, hooks.DefaultAuditTable), []hooks.AuditRow{{ID: 1, Table: "auditAccounts", RowKey: "1",
			Column: "balance", OldValue: ptr("100"), OldKnown: true, NewValue: ptr("7"), RowsAffected: 1, ChangedAt: auditNow}})
	})
}

func supportsReturning(t *testing.T, db *gorm.DB) bool {
	t.Helper()
	d, err := dialect.Of(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return d.SupportsReturning()
}

func assertTrail(t *testing.T, got, want []hooks.AuditRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d audit rows, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
	}
	str := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return *p
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.ID || g.Table != w.Table || g.RowKey != w.RowKey || g.WhereSQL != w.WhereSQL || g.Column != w.Column ||
			str(g.OldValue) != str(w.OldValue) || g.OldKnown != w.OldKnown || str(g.NewValue) != str(w.NewValue) ||
			g.Actor != w.Actor || g.RowsAffected != w.RowsAffected || !g.ChangedAt.Equal(w.ChangedAt) {
			t.Errorf("audit row %d:\n got  %+v old=%s new=%s\n want %+v old=%s new=%s", i, g, str(g.OldValue), str(g.NewValue),
				w, str(w.OldValue), str(w.NewValue))
		}
	}
}
