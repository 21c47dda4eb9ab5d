package clustertest

import (
	"sync"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// TestGaleraBulkLoadConcurrentNodes: two BulkLoad calls write the same 300
// rows at once through nodes 1 and 2 (certification conflicts, retried).
// Each call is one transaction: afterwards every row holds one call's
// balances (all from the same call, never a mix), and each row's version
// rose by exactly 2 per round (both calls wrote it once).
func TestGaleraBulkLoadConcurrentNodes(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	const n = 300
	seedAccounts(t, nodes[0].DB, n)
	galeraSync(t, nodes, "accounts")
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		matched := make([]int64, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rows := make([]Account, n)
				for i := range rows {
					rows[i] = Account{ID: int64(n - i), Balance: int64((w+1)*1_000_000 + n - i)}
				}
				res, err := batch.UpdateRows(ctx, nodes[w].DB, rows, []string{"balance"}, batch.BulkLoad(), batch.Size(50))
				errs[w], matched[w] = err, res.Matched
			}()
		}
		wg.Wait()
		for w := range 2 {
			if errs[w] != nil || matched[w] != n {
				t.Fatalf("round %d, node %d: Matched %d, %v; want %d", round, w+1, matched[w], errs[w], n)
			}
		}
		var got []Account
		if err := dbtest.Causal(t, nodes[2]).Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("round %d: %d rows", round, len(got))
		}
		winner := got[0].Balance / 1_000_000
		for _, a := range got {
			if a.Balance != winner*1_000_000+a.ID || a.Version != int64(2*(round+1)) {
				t.Fatalf("round %d: row %+v; want balance %d (call %d's, as row 1) and version %d",
					round, a, winner*1_000_000+a.ID, winner, 2*(round+1))
			}
		}
	}
}
