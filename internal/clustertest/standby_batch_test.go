package clustertest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// Ledger is a table whose index index.Ensure creates.
type Ledger struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID int64 `gorm:"index:idx_ledgers_account"`
	Amount    int64
}

// addAccountsOnPrimary inserts accounts from..to (Owner "seed", Balance 0) on
// the primary alone (replay being paused), so only the primary has them.
func addAccountsOnPrimary(t *testing.T, s *dbtest.StandbyDB, from, to int64) {
	t.Helper()
	dbtest.MustExec(t, s.Primary, "INSERT INTO accounts (id, owner, balance, version) SELECT g, 'seed', 0, 0 FROM generate_series(?::bigint, ?::bigint) AS g", from, to)
}

// TestStandbyBatchUpdate proves batch.Update — plain, bounded by MaxRows, and
// Chunked — matches and writes on the primary.
func TestStandbyBatchUpdate(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 2)
	pauseReplay(t, s)
	addAccountsOnPrimary(t, s, 3, 5) // the standby has 1..2, the primary 1..5
	seeds := func() *gorm.DB { return s.Resolved.Model(&Account{}).Where("owner = ?", "seed") }

	// MaxRows counts on the primary: 5 rows, not the standby's 2.
	_, err := batch.Update(ctx, seeds(), map[string]any{"balance": 9}, batch.MaxRows(4))
	var tooMany *batch.TooManyRowsError
	if !errors.As(err, &tooMany) || tooMany.Matched != 5 {
		t.Fatalf("MaxRows(4): got %v, want a *TooManyRowsError with 5 matched", err)
	}
	_, err = batch.Update(ctx, seeds(), map[string]any{"balance": 9}, batch.MaxRows(4), batch.Size(2), batch.CommitEach())
	if !errors.As(err, &tooMany) || tooMany.Matched != 5 {
		t.Fatalf("MaxRows(4) with Chunked(2): got %v, want a *TooManyRowsError with 5 matched", err)
	}
	if got := balances(t, s.Primary); !reflect.DeepEqual(got, map[int64]int64{1: 0, 2: 0, 3: 0, 4: 0, 5: 0}) {
		t.Fatalf("after the refused updates the primary has %v, want every balance 0", got)
	}

	n, err := batch.Update(ctx, seeds().Where("id <= ?", 4), map[string]any{"balance": 7})
	if err != nil || n != 4 {
		t.Fatalf("batch.Update: %d rows, %v; want 4 rows matched on the primary", n, err)
	}
	n, err = batch.Update(ctx, seeds().Where("id >= ?", 2), map[string]any{"owner": "chunked"}, batch.Size(2), batch.CommitEach())
	if err != nil || n != 4 {
		t.Fatalf("batch.Update Chunked(2): %d rows, %v; want 4", n, err)
	}
	var owners []string
	if err := s.Primary.Model(&Account{}).Order("id").Pluck("owner", &owners).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"seed", "chunked", "chunked", "chunked", "chunked"}; !reflect.DeepEqual(owners, want) {
		t.Fatalf("primary owners %v, want %v", owners, want)
	}
	if got := balances(t, s.Primary); !reflect.DeepEqual(got, map[int64]int64{1: 7, 2: 7, 3: 7, 4: 7, 5: 0}) {
		t.Fatalf("primary balances %v, want 1..4: 7, 5: 0", got)
	}
}

// TestStandbyBatchUpdateRows proves batch.UpdateRows finds and writes its
// rows on the primary, in one transaction, with CommitEach, with BulkLoad and
// with Workers.
func TestStandbyBatchUpdateRows(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 2)
	pauseReplay(t, s)
	addAccountsOnPrimary(t, s, 3, 4)

	rows := []Account{{ID: 2, Balance: 20}, {ID: 3, Balance: 30}, {ID: 4, Balance: 40}, {ID: 9, Balance: 90}}
	res, err := batch.UpdateRows(ctx, s.Resolved, rows, []string{"balance"}, batch.ListMissing())
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 3 || res.Missing != 1 || !reflect.DeepEqual(res.MissingKeys, [][]any{{int64(9)}}) {
		t.Fatalf("UpdateRows: %+v, want 3 matched on the primary and key 9 missing", res)
	}
	res, err = batch.UpdateRows(ctx, s.Resolved, []Account{{ID: 1, Balance: 11}, {ID: 4, Balance: 44}}, []string{"balance"},
		batch.CommitEach(), batch.Size(1))
	if err != nil || res.Matched != 2 || res.Statements != 2 {
		t.Fatalf("UpdateRows CommitEach: %+v, %v; want 2 matched in 2 statements", res, err)
	}
	// BulkLoad: COPY and the UPDATE run on one connection of the primary's
	// pool, and row 3 (only on the primary) is found.
	res, err = batch.UpdateRows(ctx, s.Resolved, []Account{{ID: 3, Balance: 33}, {ID: 2, Balance: 22}, {ID: 9}}, []string{"balance"},
		batch.BulkLoad(), batch.ListMissing())
	if err != nil || res.Matched != 2 || !reflect.DeepEqual(res.MissingKeys, [][]any{{int64(9)}}) {
		t.Fatalf("UpdateRows BulkLoad: %+v, %v; want 2 matched on the primary and key 9 missing", res, err)
	}
	if got := balances(t, s.Primary); !reflect.DeepEqual(got, map[int64]int64{1: 11, 2: 22, 3: 33, 4: 44}) {
		t.Fatalf("primary balances %v", got)
	}
	res, err = batch.UpdateRows(ctx, s.Resolved, []Account{{ID: 9, Balance: 99}, {ID: 4, Balance: 45}, {ID: 3, Balance: 33}}, []string{"balance"},
		batch.Workers(2), batch.Size(1), batch.ListMissing())
	if err != nil || res.Matched != 2 || res.Missing != 1 || res.Statements != 3 || !reflect.DeepEqual(res.MissingKeys, [][]any{{int64(9)}}) {
		t.Fatalf("UpdateRows Workers(2): %+v, %v; want 2 matched on the primary and key 9 missing, in 3 statements", res, err)
	}
	if got := balances(t, s.Primary); !reflect.DeepEqual(got, map[int64]int64{1: 11, 2: 22, 3: 33, 4: 45}) {
		t.Fatalf("primary balances %v", got)
	}
}

// TestStandbyBatchRun proves chunk.Run loads its chunks on the primary, keeps
// its checkpoint there and writes there: it processes the rows only the
// primary has, each once, and a second run of the checkpoint does nothing.
func TestStandbyBatchRun(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 3)
	pauseReplay(t, s)
	addAccountsOnPrimary(t, s, 4, 10)

	var seen []int64
	work := func(tx *gorm.DB, part []Account) error {
		ids := make([]int64, len(part))
		for i, a := range part {
			ids[i] = a.ID
		}
		seen = append(seen, ids...)
		return tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 1")).Error
	}
	for _, mode := range []lock.Mode{lock.Default, lock.ForUpdate} {
		seen = nil
		name := "standby-" + map[lock.Mode]string{lock.Default: "plain", lock.ForUpdate: "locked"}[mode]
		rep, err := chunk.Run(ctx, s.Resolved.Model(&Account{}), work, chunk.Checkpoint(name), chunk.Size(3), chunk.Lock(mode))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Rows != 10 || rep.Chunks != 4 || rep.RowsDone != 10 || rep.AlreadyDone {
			t.Fatalf("%s: report %+v, want 10 rows in 4 chunks", name, rep)
		}
		if want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !reflect.DeepEqual(seen, want) {
			t.Fatalf("%s: work saw %v, want %v", name, seen, want)
		}
		var cp struct {
			RowsDone int64
			Done     bool
		}
		if err := s.Primary.Table(chunk.CheckpointTable).Where("name = ?", name).Take(&cp).Error; err != nil {
			t.Fatalf("%s: checkpoint on the primary: %v", name, err)
		}
		if cp.RowsDone != 10 || !cp.Done {
			t.Fatalf("%s: checkpoint on the primary %+v, want 10 rows done", name, cp)
		}
		rep, err = chunk.Run(ctx, s.Resolved.Model(&Account{}), work, chunk.Checkpoint(name), chunk.Size(3), chunk.Lock(mode))
		if err != nil || !rep.AlreadyDone || rep.Rows != 0 {
			t.Fatalf("%s again: %+v, %v; want AlreadyDone and no rows", name, rep, err)
		}
	}
	want := map[int64]int64{}
	for id := int64(1); id <= 10; id++ {
		want[id] = 2
	}
	if got := balances(t, s.Primary); !reflect.DeepEqual(got, want) {
		t.Fatalf("primary balances %v, want every row incremented once per run", got)
	}
}

// TestStandbyIndexEnsure proves index.Ensure reads the catalog of the primary
// and creates there: the table exists only on the primary, and a second call
// finds the index present.
func TestStandbyIndexEnsure(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	pauseReplay(t, s)
	dbtest.MustExec(t, s.Primary, "CREATE TABLE ledgers (id bigint PRIMARY KEY, account_id bigint, amount bigint)")

	rep, err := index.Ensure(ctx, s.Resolved, []any{&Ledger{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := rep.Find("ledgers", "idx_ledgers_account"); !ok || got.Status != index.Created {
		t.Fatalf("first Ensure: %v, want idx_ledgers_account created", rep)
	}
	var n int64
	if err := s.Primary.Raw("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'idx_ledgers_account'").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("index on the primary: %d, %v; want 1", n, err)
	}
	rep, err = index.Ensure(ctx, s.Resolved, []any{&Ledger{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := rep.Find("ledgers", "idx_ledgers_account"); !ok || got.Status != index.Present {
		t.Fatalf("second Ensure: %v, want idx_ledgers_account present", rep)
	}
}

// TestStandbyRunRangesAndUpdateEach proves chunk.Ranges and
// updater.UpdateEach, both checkpointed, read their chunks on the primary and
// write there: they reach the rows only the primary has.
func TestStandbyRunRangesAndUpdateEach(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	seedAccounts(t, s.Primary, 3)
	pauseReplay(t, s)
	addAccountsOnPrimary(t, s, 4, 10)

	rep, err := chunk.Ranges(ctx, s.Resolved.Model(&Account{}), func(rows *gorm.DB, r chunk.Range) error {
		return rows.Update("balance", gorm.Expr("balance + 1")).Error
	}, chunk.Size(3), chunk.Checkpoint("standby-ranges"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 10 || rep.Chunks != 4 {
		t.Fatalf("Ranges: %+v, want 10 rows in 4 chunks", rep)
	}
	res, err := updater.UpdateEach(ctx, s.Resolved.Where("balance = ?", 1), func(a *Account) error {
		a.Owner = "each"
		return nil
	}, chunk.Size(4), chunk.Checkpoint("standby-each"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Scanned != 10 || res.Changed != 10 || res.Columns["owner"] != 10 {
		t.Fatalf("UpdateEach: %+v, want 10 rows scanned and changed", res)
	}
	var got []Account
	if err := s.Primary.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("primary has %d accounts, want 10", len(got))
	}
	for _, a := range got {
		if a.Balance != 1 || a.Owner != "each" {
			t.Fatalf("primary account %+v, want balance 1 and owner each", a)
		}
	}
}
