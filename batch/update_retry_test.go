package batch_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// errBusy is classified as retryable (SQLite's "database is locked").
var errBusy = errors.New("database is locked (injected by the test)")

// failFirstUpdate makes the first UPDATE statement run on db fail with a
// retryable error after it ran, and counts the UPDATE statements.
func failFirstUpdate(t *testing.T, db *gorm.DB) *atomic.Int32 {
	t.Helper()
	var calls atomic.Int32
	inject := func(tx *gorm.DB) {
		if !strings.HasPrefix(strings.ToUpper(tx.Statement.SQL.String()), "UPDATE") || tx.Error != nil {
			return
		}
		if calls.Add(1) == 1 {
			tx.AddError(errBusy)
		}
	}
	if err := db.Callback().Raw().After("gorm:raw").Register("test:fail_first", inject); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Update().After("gorm:update").Register("test:fail_first", inject); err != nil {
		t.Fatal(err)
	}
	return &calls
}

// A retryable error reruns the whole transaction: the work is done once.
func TestRetryableErrorsRerunTheTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 6)
		ctx := context.Background()

		rdb := dbtest.Reopen(t, db)
		calls := failFirstUpdate(t, rdb)
		res, err := batch.UpdateRows(ctx, rdb, []updAccount{{ID: 1, Balance: 5}, {ID: 2, Balance: 6}, {ID: 3, Balance: 7}},
			[]string{"balance"}, batch.Size(2))
		if err != nil {
			t.Fatal(err)
		}
		// Attempt 1: chunk 1 fails; attempt 2: both chunks.
		if res.Matched != 3 || res.Statements != 2 || calls.Load() != 3 {
			t.Fatalf("Result = %+v after %d UPDATEs, want 3 matched, 2 statements, 3 UPDATEs", res, calls.Load())
		}

		rdb = dbtest.Reopen(t, db)
		calls = failFirstUpdate(t, rdb)
		n, err := batch.Update(ctx, rdb.Model(&updAccount{}).Where("id > ?", 4), map[string]any{"balance": gorm.Expr("balance + 1")})
		if err != nil || n != 2 || calls.Load() != 2 {
			t.Fatalf("Update = %d, %v after %d UPDATEs; want 2, nil after 2", n, err, calls.Load())
		}

		// Attempts(1) disables retrying: the error comes back, nothing written.
		before := fingerprint(t, db.DB)
		rdb = dbtest.Reopen(t, db)
		failFirstUpdate(t, rdb)
		_, err = batch.UpdateKeys(ctx, rdb.Model(&updAccount{}), []int64{1, 2}, map[string]any{"balance": 0}, batch.Attempts(1))
		if !errors.Is(err, errBusy) {
			t.Fatalf("err = %v, want the injected error", err)
		}
		if fingerprint(t, db.DB) != before {
			t.Fatal("a failed UpdateKeys wrote rows")
		}

		got := loadAccounts(t, db.DB)
		want := map[int64]int64{1: 5, 2: 6, 3: 7, 4: 104, 5: 106, 6: 107}
		for id, w := range want {
			if got[id].Balance != w {
				t.Errorf("row %d balance = %d, want %d (written exactly once)", id, got[id].Balance, w)
			}
		}
	})
}

// Writers racing on the same rows with CheckVersion: for every row exactly
// one writer wins, the others see a conflict, whatever the interleaving.
func TestCheckVersionConcurrentWriters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const rows, writers = 60, 4
		seedAccounts(t, db, rows)
		var wg sync.WaitGroup
		results := make([]batch.Result, writers)
		errs := make([]error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := make([]updAccount, rows)
				for i := range in {
					in[i] = updAccount{ID: int64(i + 1), Balance: int64(1000 * (w + 1)), Version: 1}
				}
				results[w], errs[w] = batch.UpdateRows(context.Background(), db.DB, in, []string{"balance"},
					batch.CheckVersion("Version"), batch.Size(15), batch.Attempts(20))
			}()
		}
		wg.Wait()
		var matched, conflicts int64
		for w := range writers {
			if errs[w] != nil {
				t.Fatalf("writer %d: %v", w, errs[w])
			}
			matched += results[w].Matched
			conflicts += int64(len(results[w].Conflicts))
		}
		if matched != rows || conflicts != rows*(writers-1) {
			t.Fatalf("matched %d, conflicts %d; want %d and %d", matched, conflicts, rows, rows*(writers-1))
		}
		for id, a := range loadAccounts(t, db.DB) {
			if a.Version != 2 || a.Balance%1000 != 0 || a.Balance < 1000 || a.Balance > 1000*writers {
				t.Errorf("row %d = version %d balance %d, want version 2 and one writer's balance", id, a.Version, a.Balance)
			}
		}
	})
}
