package clustertest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// TestGaleraBatchUpdateRowsWorkers: UpdateRows with Workers(3) on node 1
// rewrites the owner of every account, three times, while node 2
// increments balances of the same rows. In each call, right after the first
// chunk UPDATE, node 3 increments every account and commits first, so the
// chunks then open on node 1 fail certification (1213) and each must be run
// again on its own. Every call must still match every row, write only
// owner, and lose no increment.
func TestGaleraBatchUpdateRowsWorkers(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	seedAccounts(t, nodes[0].DB, galeraRows)
	galeraSync(t, nodes, "accounts")

	stop := make(chan struct{})
	w := startWriter(ctx, nodes[1].DB, galeraRows, stop)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-w.done
	}()
	if err := w.awaitWrites(ctx, galeraMinConcurrent); err != nil {
		t.Fatal(err)
	}
	// The workers run this callback at once: its state is atomic.
	var executed, injected atomic.Int64
	var inject atomic.Bool
	err := nodes[0].Callback().Raw().After("gorm:raw").Register("clustertest:conflict-all", func(db *gorm.DB) {
		if db.Error != nil || !strings.HasPrefix(db.Statement.SQL.String(), "UPDATE") {
			return
		}
		executed.Add(1)
		if inject.CompareAndSwap(true, false) {
			// Retried: node 3's write can itself lose to node 2's.
			err := updater.Transaction(ctx, nodes[2].DB, func(tx *gorm.DB) error {
				return tx.Exec("UPDATE accounts SET balance = balance + 1").Error
			})
			if err != nil {
				db.AddError(fmt.Errorf("conflicting write on node 3: %w", err))
				return
			}
			injected.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Account, galeraRows)
	var statements int64
	for round := 1; round <= 3; round++ {
		inject.Store(true)
		for i := range rows {
			// Descending ids: the chunks are formed in key order all the same.
			rows[i] = Account{ID: int64(galeraRows - i), Owner: fmt.Sprintf("round %d", round), Balance: -1}
		}
		res, err := batch.UpdateRows(ctx, nodes[0].DB, rows, []string{"owner"}, batch.Size(30), batch.Workers(3))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if res.Matched != galeraRows || res.Missing != 0 || res.Statements != galeraRows/30 {
			t.Fatalf("round %d: %+v, want %d matched in %d statements", round, res, galeraRows, galeraRows/30)
		}
		statements += int64(res.Statements)
	}
	close(stop)
	incs := w.wait(t)
	if injected.Load() != 3 || executed.Load() <= statements {
		t.Fatalf("%d conflicting writes, %d UPDATE statements executed for %d committed: want 3 conflicts, some chunk retried",
			injected.Load(), executed.Load(), statements)
	}
	for i, node := range nodes {
		var got []Account
		if err := dbtest.Causal(t, node).Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != galeraRows {
			t.Fatalf("node %d: %d accounts, want %d", i+1, len(got), galeraRows)
		}
		for _, a := range got {
			if want := incs[a.ID] + injected.Load(); a.Owner != "round 3" || a.Balance != want {
				t.Fatalf("node %d: account %d has owner %q balance %d, want \"round 3\" and %d", i+1, a.ID, a.Owner, a.Balance, want)
			}
		}
	}
	t.Logf("Galera, batch.UpdateRows Workers(3): 3 x %d rows on node 1, %d statements committed of %d executed, while node 2 made %d increments",
		galeraRows, statements, executed.Load(), w.count.Load())
}
