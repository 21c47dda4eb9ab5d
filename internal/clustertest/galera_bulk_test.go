package clustertest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// TestGaleraBulkLoad: UpdateRows with BulkLoad on node 1 loads a temporary
// table (which Galera does not replicate) and writes the rows with one
// UPDATE … JOIN, whose row events every node applies: a causal read on each
// node sees the written balances and versions, the missing key is reported
// and nothing else changed.
func TestGaleraBulkLoad(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	seedAccounts(t, nodes[0].DB, 4)
	galeraSync(t, nodes, "accounts")
	rows := []Account{{ID: 1, Balance: 10}, {ID: 3, Balance: 30}, {ID: 9, Balance: 90}}
	res, err := batch.UpdateRows(ctx, nodes[0].DB, rows, []string{"balance"}, batch.BulkLoad(), batch.ListMissing())
	if err != nil || res.Matched != 2 || !reflect.DeepEqual(res.MissingKeys, [][]any{{int64(9)}}) {
		t.Fatalf("UpdateRows BulkLoad: %+v, %v; want 2 matched and key 9 missing", res, err)
	}
	for i, node := range nodes {
		var got []Account
		if err := dbtest.Causal(t, node).Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		var state []string
		for _, a := range got {
			state = append(state, fmt.Sprintf("%d:%d/v%d", a.ID, a.Balance, a.Version))
		}
		if want := "[1:10/v1 2:0/v0 3:30/v1 4:0/v0]"; fmt.Sprint(state) != want {
			t.Errorf("node %d: %v, want %s", i+1, state, want)
		}
	}
}
