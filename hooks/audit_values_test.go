package hooks_test

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
)

func TestAuditValueText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		auditSetup(t, db)
		installAudit(t, db.DB, &hooks.Audit{})
		n := int64(7)
		var nilPtr *int64
		at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
		changes := []hooks.Change{
			{Key: []any{int64(1), "x\"y"}, Column: "composite", New: "s"},
			{Key: []any{int64(1)}, Column: "time", New: at},
			{Key: []any{int64(1)}, Column: "bytes", New: []byte("text"), Old: []byte{0xff, 0x00}, OldKnown: true},
			{Key: []any{int64(1)}, Column: "nil", New: nil, Old: nilPtr, OldKnown: true},
			{Key: []any{int64(1)}, Column: "pointer", New: &n},
			{Key: []any{int64(1)}, Column: "valuer", New: sql.NullString{String: "v", Valid: true}, Old: sql.NullString{}, OldKnown: true},
			{Key: []any{int64(1)}, Column: "bool", New: true},
			{Key: []any{int64(1)}, Column: "float", New: 1.5},
		}
		mustOK(t, hooks.WithChanges(db.Model(&auditAccount{ID: 1}), changes).Update("name", "n"))
		want := []struct{ key, old, new string }{
			{`["1","x\"y"]`, "NULL", "s"},
			{"1", "NULL", "2026-01-02T02:04:05.0000006Z"},
			{"1", "0xff00", "text"},
			{"1", "NULL", "NULL"},
			{"1", "NULL", "7"},
			{"1", "NULL", "v"},
			{"1", "NULL", "true"},
			{"1", "NULL", "1.5"},
		}
		trail := auditTrail(t, db.DB, hooks.DefaultAuditTable)
		if len(trail) != len(want) {
			t.Fatalf("%d audit rows, want %d", len(trail), len(want))
		}
		str := func(p *string) string {
			if p == nil {
				return "NULL"
			}
			return *p
		}
		for i, w := range want {
			g := trail[i]
			if g.RowKey != w.key || str(g.OldValue) != w.old || str(g.NewValue) != w.new {
				t.Errorf("%s: key %s old %s new %s, want key %s old %s new %s", g.Column, g.RowKey, str(g.OldValue), str(g.NewValue), w.key, w.old, w.new)
			}
		}
		if !trail[3].OldKnown || trail[0].OldKnown {
			t.Errorf("OldKnown not kept: %v %v", trail[3].OldKnown, trail[0].OldKnown)
		}
	})
}

func TestAuditConcurrentWriters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const workers, each = 4, 10
		dbtest.Migrate(t, db, &auditAccount{})
		seed := make([]auditAccount, workers)
		for i := range seed {
			seed[i] = auditAccount{ID: int64(i + 1)}
		}
		dbtest.Seed(t, db.DB, seed)
		installAudit(t, db.DB, &hooks.Audit{})
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := int64(w + 1)
				for i := range each {
					ch := []hooks.Change{balanceChange(id, int64(i), int64(i+1))}
					if err := hooks.WithChanges(db.Model(&auditAccount{ID: id}), ch).Update("balance", i+1).Error; err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("audited update: %v", err)
		}
		var perRow []struct {
			RowKey string
			N      int64
		}
		mustOK(t, db.Table(hooks.DefaultAuditTable).Select("row_key, COUNT(*) AS n").Group("row_key").Order("row_key").Scan(&perRow))
		if len(perRow) != workers {
			t.Fatalf("records for %d rows, want %d", len(perRow), workers)
		}
		for i, r := range perRow {
			if r.RowKey != fmt.Sprint(i+1) || r.N != each {
				t.Errorf("row %s has %d records, want %d for row %d", r.RowKey, r.N, each, i+1)
			}
		}
		for id := int64(1); id <= workers; id++ {
			if got := balanceOf(t, db.DB, id); got != each {
				t.Errorf("balance of %d = %d, want %d", id, got, each)
			}
		}
	})
}

// TestAuditManyChanges records more changes than one INSERT carries, in
// order.
func TestAuditManyChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 1234
		auditSetup(t, db)
		installAudit(t, db.DB, &hooks.Audit{})
		changes := make([]hooks.Change, n)
		for i := range changes {
			changes[i] = hooks.Change{Key: []any{int64(i + 1)}, Column: "balance", New: int64(i)}
		}
		mustOK(t, hooks.WithChanges(db.DB, changes).Exec("UPDATE audit_accounts SET balance = balance WHERE id > 0"))
		trail := auditTrail(t, db.DB, hooks.DefaultAuditTable)
		if len(trail) != n {
			t.Fatalf("%d records, want %d", len(trail), n)
		}
		for i, r := range trail {
			if r.RowKey != fmt.Sprint(i+1) || r.NewValue == nil || *r.NewValue != fmt.Sprint(i) {
				t.Fatalf("record %d: key %s new %v, want key %d new %d", i, r.RowKey, r.NewValue, i+1, i)
			}
		}
	})
}
