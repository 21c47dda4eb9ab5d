package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
)

func TestUpdateKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 20)
		ctx := context.Background()
		keys := []int{2, 4, 6, 8, 10, 12, 14, 99} // 99 does not exist
		cdb, rec := dbtest.Capture(db.DB)
		var reports []chunk.Progress
		n, err := batch.UpdateKeys(ctx, cdb.Model(&updAccount{}).Where("balance < ?", 113), keys,
			map[string]any{"status": "closed"}, batch.Size(3), batch.CommitEach(),
			batch.OnProgress(func(p chunk.Progress) { reports = append(reports, p) }))
		if err != nil {
			t.Fatal(err)
		}
		// balance < 113 keeps ids 2..12: six rows.
		if n != 6 {
			t.Fatalf("matched = %d, want 6", n)
		}
		if got := len(rec.Matching("UPDATE")); got != 3 {
			t.Errorf("UPDATE statements = %d, want 3 (chunks of 3 keys)", got)
		}
		if len(reports) != 3 || reports[2].Done != 6 {
			t.Errorf("progress = %+v, want 3 reports ending at 6", reports)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want := map[bool]string{true: "trial", false: "active"}[id%2 == 1]
			if id%2 == 0 && id <= 12 {
				want = "closed"
			}
			if a.Status != want {
				t.Errorf("row %d status = %q, want %q", id, a.Status, want)
			}
		}
	})
}

// A key list far beyond every parameter limit works, in one transaction.
func TestUpdateKeysHugeList(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping 100,000 keys")
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 100_000
		seedBulk(t, db, n)
		keys := make([]int64, 0, n)
		for id := int64(1); id <= n; id++ {
			keys = append(keys, id)
		}
		got, err := batch.UpdateKeys(context.Background(), db.Model(&bulkRow{}), keys, map[string]any{"b": 7})
		if err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Fatalf("matched = %d, want %d", got, n)
		}
		var bad int64
		if err := db.Model(&bulkRow{}).Where("b <> 7").Count(&bad).Error; err != nil || bad != 0 {
			t.Fatalf("%d rows not written (%v)", bad, err)
		}
	})
}

func TestUpdateKeysAtomic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 10)
		fail := failUpdates(t, db.DB)
		before := fingerprint(t, db.DB)
		// The second chunk's statement fails (injected on every dialect):
		// the first chunk is rolled back with it.
		fail.failAt(2)
		_, err := batch.UpdateKeys(context.Background(), db.Model(&updAccount{}), []int{1, 2, 3, 4},
			map[string]any{"balance": 0}, batch.Size(2))
		var se *batch.StatementError
		if !errors.As(err, &se) || !errors.Is(err, errInjected) || se.Chunk != 1 {
			t.Fatalf("err = %v, want *StatementError for chunk 1 wrapping the injected failure", err)
		}
		if after := fingerprint(t, db.DB); after != before {
			t.Fatalf("failed UpdateKeys wrote rows:\nbefore %s\nafter  %s", before, after)
		}
		// The same keys without the failure: both chunks are written.
		fail.failAt(0)
		n, err := batch.UpdateKeys(context.Background(), db.Model(&updAccount{}), []int{1, 2, 3, 4},
			map[string]any{"balance": 0}, batch.Size(2))
		if err != nil || n != 4 {
			t.Fatalf("UpdateKeys = %d, %v; want 4, nil", n, err)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want := 100 + id
			if id <= 4 {
				want = 0
			}
			if a.Balance != want {
				t.Errorf("row %d balance = %d, want %d", id, a.Balance, want)
			}
		}
	})
}
