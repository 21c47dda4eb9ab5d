package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// Workers over pointer rows whose keys ascend (no reordering) and over the
// same rows shuffled (reordered by key): every worker reads the caller's
// rows into buffers of its own, so each row gets its own values, and
// missing keys are listed in key order either way.
func TestUpdateRowsWorkersReadsEveryRowOnce(t *testing.T) {
	for _, order := range []string{"ascending", "shuffled"} {
		t.Run(order, func(t *testing.T) { updateWorkersInOrder(t, order) })
	}
}

// updateWorkersInOrder runs the test with the input in order.
func updateWorkersInOrder(t *testing.T, order string) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 50
		seedPar(t, db, n)
		vals := make([]parRow, 0, n+2)
		for id := int64(1); id <= n+2; id++ { // ids 51 and 52 are missing
			if id%5 != 0 { // every fifth row is left as it is
				vals = append(vals, parRow{ID: id, Qty: 2000 + id, Tag: fmt.Sprintf("w%d", id)})
			}
		}
		if order == "shuffled" {
			// A fixed permutation: odd positions first, then even ones,
			// then reversed.
			var odd, even []parRow
			for i, r := range vals {
				if i%2 == 1 {
					odd = append(odd, r)
				} else {
					even = append(even, r)
				}
			}
			vals = append(odd, even...)
			for i, j := 0, len(vals)-1; i < j; i, j = i+1, j-1 {
				vals[i], vals[j] = vals[j], vals[i]
			}
		}
		in := make([]*parRow, len(vals))
		for i := range vals {
			in[i] = &vals[i]
		}
		res, err := batch.UpdateRows(context.Background(), db.DB, in, []string{"qty", "tag"},
			batch.Workers(4), batch.Size(3), batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 40 || res.Missing != 2 || fmt.Sprint(res.MissingKeys) != "[[51] [52]]" || res.Statements != 14 {
			t.Fatalf("Result = %+v, want Matched 40, MissingKeys [[51] [52]], 14 statements", res)
		}
		all := make([]int, len(vals))
		for i := range all {
			all[i] = i
		}
		checkAccount(t, db.DB, n, vals, all)
	})
}
