package clustertest

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/projection"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// The tests of this file run on a PostgreSQL primary and its hot standby,
// through a *gorm.DB with gorm.io/plugin/dbresolver (the primary as source,
// the standby as replica). Each pauses WAL replay on the standby and then
// changes rows on the primary, so the two servers disagree: a result holding
// the primary's values proves a read reached the primary, a write that
// succeeds proves it did (the standby refuses writes), and values read back on
// the primary prove what was written.

// TestStandbyPremises checks what the other tests rely on: dbresolver sends
// plain reads to the standby and transactions to the primary, the standby
// refuses writes, a paused standby misses new rows, and dialect.Primary
// routes a plain read to the primary.
func TestStandbyPremises(t *testing.T) {
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 1)
	pauseReplay(t, s)
	dbtest.MustExec(t, s.Primary, "UPDATE accounts SET balance = 100 WHERE id = 1")

	if !onStandby(t, s.Resolved) {
		t.Fatal("a plain read through dbresolver was served by the primary, want the standby")
	}
	if got := balances(t, s.Resolved)[1]; got != 0 {
		t.Fatalf("plain read through dbresolver: balance %d, want the standby's stale 0", got)
	}
	err := s.Resolved.Transaction(func(tx *gorm.DB) error {
		if onStandby(t, tx) {
			t.Error("a read in a transaction through dbresolver was served by the standby")
		}
		if got := balances(t, tx)[1]; got != 100 {
			t.Errorf("read in a transaction: balance %d, want the primary's 100", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if onStandby(t, dialect.Primary(s.Resolved)) {
		t.Fatal("dialect.Primary: the read was served by the standby")
	}
	if got := balances(t, dialect.Primary(s.Resolved))[1]; got != 100 {
		t.Fatalf("dialect.Primary read: balance %d, want the primary's 100", got)
	}
	// The setting survives chaining and sessions, but not NewDB.
	primary := dialect.Primary(s.Resolved.Session(&gorm.Session{NewDB: true}))
	if got := account(t, primary.Where("balance > ?", 0), 1).Balance; got != 100 {
		t.Fatalf("dialect.Primary then Where: balance %d, want 100", got)
	}
	if !onStandby(t, primary.Session(&gorm.Session{NewDB: true})) {
		t.Fatal("a NewDB session of a dialect.Primary handle still reads the primary; update Primary's doc")
	}

	wantReadOnlyError(t, s.Standby.Exec("UPDATE accounts SET balance = 1 WHERE id = 1").Error)
	if got := account(t, s.Primary, 1).Balance; got != 100 {
		t.Fatalf("primary balance %d after the refused write, want 100", got)
	}
}

// TestStandbyMigratorReadsNeedPrimary shows why library packages wrap their
// catalog reads in dialect.Primary: GORM's Migrator reads information_schema
// with SELECTs, which dbresolver sends to the replica.
func TestStandbyMigratorReadsNeedPrimary(t *testing.T) {
	s := dbtest.Standby(t)
	pauseReplay(t, s)
	seedAccounts(t, s.Primary, 1)

	if s.Resolved.Migrator().HasTable(&Account{}) {
		t.Fatal("HasTable through dbresolver saw a table the paused standby lacks: the premise changed")
	}
	if !dialect.Primary(s.Resolved).Migrator().HasTable(&Account{}) {
		t.Fatal("HasTable through dialect.Primary: false, want true (the primary has the table)")
	}
}

// TestStandbyUpdater proves updater.Update's locked and optimistic reads and
// its writes, and updater.Transaction, reach the primary.
func TestStandbyUpdater(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 2)
	pauseReplay(t, s)
	dbtest.MustExec(t, s.Primary, "UPDATE accounts SET balance = 100 WHERE id = 1")

	steps := []struct {
		name string
		opts []updater.UpdateOption
	}{
		{"for update", []updater.UpdateOption{updater.Lock(lock.ForUpdate)}},
		{"for update nowait", []updater.UpdateOption{updater.Lock(lock.ForUpdateNoWait)}},
		{"for no key update", []updater.UpdateOption{updater.Lock(lock.ForNoKeyUpdate)}},
		{"optimistic", []updater.UpdateOption{updater.Optimistic()}},
	}
	want := int64(100)
	for i, step := range steps {
		var seen int64
		res, err := updater.Update(ctx, s.Resolved.Where("id = ?", 1), func(a *Account) error {
			seen = a.Balance
			a.Balance += 5
			return nil
		}, step.opts...)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if seen != want {
			t.Fatalf("%s: the change function saw balance %d, want the primary's %d", step.name, seen, want)
		}
		want += 5
		if res.Row.Balance != want || res.Attempts != 1 {
			t.Fatalf("%s: result balance %d after %d attempts, want %d after 1", step.name, res.Row.Balance, res.Attempts, want)
		}
		got := account(t, s.Primary, 1)
		if got.Balance != want || got.Version != int64(i+1) {
			t.Fatalf("%s: primary has balance %d version %d, want %d version %d", step.name, got.Balance, got.Version, want, i+1)
		}
	}

	// A chain that already read through dbresolver holds the standby's pool,
	// and GORM begins transactions on the statement's pool: Update must still
	// begin on the primary (txn.RunTx does, through dialect.Primary).
	used := s.Resolved.Model(&Account{}).Where("id = ?", 1)
	var n int64
	if err := used.Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("count through dbresolver: %d, %v", n, err)
	}
	for _, db := range []*gorm.DB{used, s.Resolved.Clauses(dbresolver.Read).Where("id = ?", 1)} {
		res, err := updater.Update(ctx, db, func(a *Account) error {
			a.Balance += 5
			return nil
		}, updater.Lock(lock.ForUpdate))
		want += 5
		if err != nil || res.Row.Balance != want {
			t.Fatalf("Update on a handle holding the standby's pool: balance %d, %v; want %d", res.Row.Balance, err, want)
		}
	}

	err := updater.Transaction(ctx, s.Resolved, func(tx *gorm.DB) error {
		if onStandby(t, tx) {
			return errors.New("updater.Transaction ran on the standby")
		}
		return tx.Exec("UPDATE accounts SET balance = balance + 1 WHERE id = 2").Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := balances(t, s.Primary); got[1] != 130 || got[2] != 1 {
		t.Fatalf("primary balances %v, want 1:130 2:1", got)
	}
	if got := balances(t, s.Standby); got[1] != 0 || got[2] != 0 {
		t.Fatalf("paused standby balances %v, want the stale 1:0 2:0", got)
	}
}

// TestStandbyProjection proves plain projection reads may be served by the
// standby, while projection reads in a transaction or through dialect.Primary
// are served by the primary.
func TestStandbyProjection(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 2)
	pauseReplay(t, s)
	dbtest.MustExec(t, s.Primary, "UPDATE accounts SET balance = 100, owner = 'primary' WHERE id = 1")

	query := func(db *gorm.DB) *gorm.DB { return db.Model(&Account{}).Where("id = ?", 1) }
	rows, err := projection.Find[accountRead](ctx, query(s.Resolved))
	if err != nil {
		t.Fatal(err)
	}
	if want := (accountRead{ID: 1, Balance: 0, Owner: "seed", OnStandby: true}); len(rows) != 1 || rows[0] != want {
		t.Fatalf("plain projection.Find: %+v, want [%+v] from the standby", rows, want)
	}
	row, err := projection.First[accountRead](ctx, query(s.Resolved))
	if err != nil {
		t.Fatal(err)
	}
	if !row.OnStandby || row.Balance != 0 {
		t.Fatalf("plain projection.First: %+v, want the standby's row", row)
	}

	want := accountRead{ID: 1, Balance: 100, Owner: "primary", OnStandby: false}
	err = s.Resolved.Transaction(func(tx *gorm.DB) error {
		got, err := projection.First[accountRead](ctx, query(tx))
		if err != nil {
			return err
		}
		if got != want {
			t.Errorf("projection.First in a transaction: %+v, want %+v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := projection.First[accountRead](ctx, query(dialect.Primary(s.Resolved)))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("projection.First through dialect.Primary: %+v, want %+v", got, want)
	}
}
