package batch_test

import (
	"context"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Update with Size, atomic (one transaction of key ranges) and with
// CommitEach, under an OR condition with soft-deleted rows among the
// matches: each matching live row is written exactly once (balance + 1000
// applied once), deleted and non-matching rows are untouched, and the count
// is the number of rows written. (The guard cannot prove a raw OR bounded:
// AllowAll.)
func TestUpdateSizeOrConditionSoftDelete(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 12)
		// Matching: status 'trial' (odd ids) OR balance > 110 (ids 11, 12); 5 and 12 are deleted.
		if err := db.Delete(&updAccount{}, []int64{5, 12}).Error; err != nil {
			t.Fatal(err)
		}
		want := map[int64]int64{}
		for id := int64(1); id <= 12; id++ {
			want[id] = 100 + id
			if (id%2 == 1 || id > 10) && id != 5 && id != 12 {
				want[id] += 1000
			}
		}
		ctx := context.Background()
		for name, opts := range map[string][]batch.UpdateOption{"atomic": {batch.Size(2), batch.AllowAll()}, "CommitEach": {batch.Size(2), batch.CommitEach(), batch.AllowAll()}} {
			dbtest.MustExec(t, db.DB, "UPDATE upd_accounts SET balance = 100 + id")
			n, err := batch.Update(ctx, db.Model(&updAccount{}).Where("status = ? OR balance > ?", "trial", 110),
				map[string]any{"balance": gorm.Expr("balance + 1000")}, opts...)
			if err != nil || n != 5 {
				t.Errorf("%s: Update = %d, %v; want 5 rows (1, 3, 7, 9, 11)", name, n, err)
			}
			for id, r := range loadAccounts(t, db.DB) {
				if r.Balance != want[id] {
					t.Errorf("%s: row %d balance %d, want %d", name, id, r.Balance, want[id])
				}
			}
		}
	})
}
