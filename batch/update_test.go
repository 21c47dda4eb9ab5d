package batch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

func TestUpdateMap(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 10)
		ctx := context.Background()
		// GORM's clock, pinned on the session: whole seconds, so every
		// column precision stores it exactly.
		now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		pinned := db.Session(&gorm.Session{NowFunc: func() time.Time { return now }})
		n, err := batch.Update(ctx, pinned.Model(&updAccount{}).Where("status = ?", "trial").Where("id <= ?", 7),
			map[string]any{"status": "expired", "Active": false, "balance": gorm.Expr("balance - ?", 5), "note": nil})
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("matched = %d, want 4 (ids 1,3,5,7)", n)
		}
		got := loadAccounts(t, db.DB)
		for id := int64(1); id <= 10; id++ {
			a := got[id]
			hit := id%2 == 1 && id <= 7
			wantStatus := map[bool]string{true: "trial", false: "active"}[id%2 == 1]
			wantBalance := 100 + id
			if hit {
				wantStatus, wantBalance = "expired", 95+id
			}
			if a.Status != wantStatus || a.Balance != wantBalance || a.Active != !hit || a.Note != nil {
				t.Errorf("row %d = %+v, want status %s balance %d active %v", id, a, wantStatus, wantBalance, !hit)
			}
			if hit && !a.UpdatedAt.Equal(now) {
				t.Errorf("row %d UpdatedAt = %v, want the pinned %v", id, a.UpdatedAt, now)
			}
			if !hit && !a.UpdatedAt.Equal(updEpoch) {
				t.Errorf("row %d UpdatedAt = %v, want untouched %v", id, a.UpdatedAt, updEpoch)
			}
		}
	})
}

// Rows whose values do not change still count: Update returns matched rows
// on MySQL/MariaDB without clientFoundRows too.
func TestUpdateReturnsMatchedNotChanged(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 6)
		n, err := batch.Update(context.Background(), db.Model(&updAccount{}).Where("id IN ?", []int64{1, 2, 3}),
			map[string]any{"active": true})
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("matched = %d, want 3 though no value changed", n)
		}
		// A condition matching nothing.
		n, err = batch.Update(context.Background(), db.Model(&updAccount{}).Where("status = ?", "nobody"),
			map[string]any{"active": false})
		if err != nil || n != 0 {
			t.Fatalf("Update = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestUpdateStructWritesNamedZeroValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 4)
		ctx := context.Background()
		v := updAccount{Status: "", Balance: 0, Active: false, Note: strp("hello")}
		n, err := batch.Update(ctx, db.Model(&updAccount{}).Where("id > ?", 2), &v, batch.Columns("Balance", "active", "note"))
		if err != nil || n != 2 {
			t.Fatalf("Update = %d, %v; want 2, nil", n, err)
		}
		// db.Select names the fields too.
		n, err = batch.Update(ctx, db.Model(&updAccount{}).Select("Status").Where("id = ?", 1), v)
		if err != nil || n != 1 {
			t.Fatalf("Update with Select = %d, %v; want 1, nil", n, err)
		}
		got := loadAccounts(t, db.DB)
		for id := int64(3); id <= 4; id++ {
			a := got[id]
			if a.Balance != 0 || a.Active || a.Note == nil || *a.Note != "hello" || a.Status != map[bool]string{true: "trial", false: "active"}[id%2 == 1] {
				t.Errorf("row %d = %+v, want zero balance, inactive, note hello, status kept", id, a)
			}
		}
		if got[1].Status != "" || got[1].Balance != 101 {
			t.Errorf("row 1 = %+v, want empty status and balance kept", got[1])
		}
		if got[2].Balance != 102 || !got[2].Active {
			t.Errorf("row 2 = %+v, want untouched", got[2])
		}
	})
}

func TestUpdateSoftDeletedRowsAreNotTouched(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 4)
		if err := db.Delete(&updAccount{}, 2).Error; err != nil {
			t.Fatal(err)
		}
		n, err := batch.Update(context.Background(), db.Model(&updAccount{}).Where("id <= ?", 3), map[string]any{"balance": 1})
		if err != nil || n != 2 {
			t.Fatalf("Update = %d, %v; want 2, nil", n, err)
		}
		got := loadAccounts(t, db.DB)
		if got[1].Balance != 1 || got[3].Balance != 1 || got[2].Balance != 102 {
			t.Errorf("balances = %d %d %d, want 1 102 1", got[1].Balance, got[2].Balance, got[3].Balance)
		}
	})
}

func TestUpdateAllowAll(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		n, err := batch.Update(context.Background(), db.Model(&updAccount{}), map[string]any{"balance": 7}, batch.AllowAll())
		if err != nil || n != 5 {
			t.Fatalf("Update = %d, %v; want 5, nil", n, err)
		}
		for id, a := range loadAccounts(t, db.DB) {
			if a.Balance != 7 {
				t.Errorf("row %d balance = %d, want 7", id, a.Balance)
			}
		}
	})
}

func TestUpdateModelWithKeyIsBounded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		n, err := batch.Update(context.Background(), db.Model(&updAccount{ID: 2}), map[string]any{"balance": 9})
		if err != nil || n != 1 {
			t.Fatalf("Update = %d, %v; want 1, nil", n, err)
		}
		got := loadAccounts(t, db.DB)
		if got[2].Balance != 9 || got[1].Balance != 101 || got[3].Balance != 103 {
			t.Errorf("balances = %d %d %d, want 101 9 103", got[1].Balance, got[2].Balance, got[3].Balance)
		}
	})
}

func TestUpdateMaxRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 10)
		before := fingerprint(t, db.DB)
		ctx := context.Background()
		_, err := batch.Update(ctx, db.Model(&updAccount{}).Where("status = ?", "trial"), map[string]any{"balance": 0}, batch.MaxRows(4))
		var tm *batch.TooManyRowsError
		if !errors.As(err, &tm) || !errors.Is(err, batch.ErrTooManyRows) || tm.Matched != 5 || tm.Max != 4 {
			t.Fatalf("Update = %v, want *TooManyRowsError{Matched: 5, Max: 4}", err)
		}
		if after := fingerprint(t, db.DB); after != before {
			t.Fatalf("refused update wrote rows:\nbefore %s\nafter  %s", before, after)
		}
		n, err := batch.Update(ctx, db.Model(&updAccount{}).Where("status = ?", "trial"), map[string]any{"balance": 0}, batch.MaxRows(5))
		if err != nil || n != 5 {
			t.Fatalf("Update at the limit = %d, %v; want 5, nil", n, err)
		}
		// With Size and CommitEach it counts once before the first chunk.
		before = fingerprint(t, db.DB)
		_, err = batch.Update(ctx, db.Model(&updAccount{}).Where("status = ?", "active"), map[string]any{"balance": 0},
			batch.MaxRows(2), batch.Size(2), batch.CommitEach())
		if !errors.As(err, &tm) || !errors.Is(err, batch.ErrTooManyRows) || tm.Matched != 5 || tm.Max != 2 {
			t.Fatalf("chunked Update = %v, want *TooManyRowsError{Matched: 5, Max: 2}", err)
		}
		if after := fingerprint(t, db.DB); after != before {
			t.Fatalf("refused chunked update wrote rows:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestUpdateChunked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 23)
		// Sparse keys: delete some rows outright.
		dbtest.MustExec(t, db.DB, "DELETE FROM upd_accounts WHERE id IN (4, 5, 6, 12)")
		ctx := context.Background()
		var seen []chunk.Progress
		cdb, rec := dbtest.Capture(db.DB)
		n, err := batch.Update(ctx, cdb.Model(&updAccount{}).Where("balance > ?", 102), map[string]any{"status": "x"},
			batch.Size(5), batch.CommitEach(), batch.OnProgress(func(p chunk.Progress) { seen = append(seen, p) }))
		if err != nil {
			t.Fatal(err)
		}
		// ids 3..23 minus 4,5,6,12 = 17 rows, in chunks of 5: 5,5,5,2.
		if n != 17 {
			t.Fatalf("matched = %d, want 17", n)
		}
		if len(seen) != 4 || seen[3].Done != 17 || seen[3].Chunks != 4 || seen[0].Done != 5 {
			t.Fatalf("progress = %+v, want 4 reports ending at 17 rows", seen)
		}
		if got := len(rec.Matching("UPDATE")); got != 4 {
			t.Errorf("UPDATE statements = %d, want 4", got)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want := map[bool]string{true: "trial", false: "active"}[id%2 == 1]
			if id >= 3 {
				want = "x"
			}
			if a.Status != want {
				t.Errorf("row %d status = %q, want %q", id, a.Status, want)
			}
		}
	})
}

// TestUpdateSizeAtomic: Size without CommitEach writes the same key ranges
// as TestUpdateChunked, in one transaction: progress is reported once,
// after it commits; inside a caller's transaction the ranges join it and
// its rollback undoes them all.
func TestUpdateSizeAtomic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 23)
		dbtest.MustExec(t, db.DB, "DELETE FROM upd_accounts WHERE id IN (4, 5, 6, 12)")
		ctx := context.Background()
		before := fingerprint(t, db.DB)
		errRollback := errors.New("roll back")
		err := db.Transaction(func(tx *gorm.DB) error {
			n, err := batch.Update(ctx, tx.Model(&updAccount{}).Where("balance > ?", 102), map[string]any{"status": "x"}, batch.Size(5))
			if err != nil || n != 17 {
				t.Fatalf("inside a transaction: matched = %d, %v; want 17", n, err)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) || fingerprint(t, db.DB) != before {
			t.Fatalf("rolled-back caller transaction: %v, rows changed = %v", err, fingerprint(t, db.DB) != before)
		}
		var seen []chunk.Progress
		cdb, rec := dbtest.Capture(db.DB)
		n, err := batch.Update(ctx, cdb.Model(&updAccount{}).Where("balance > ?", 102), map[string]any{"status": "x"},
			batch.Size(5), batch.OnProgress(func(p chunk.Progress) { seen = append(seen, p) }))
		if err != nil || n != 17 {
			t.Fatalf("matched = %d, %v; want 17", n, err)
		}
		if len(seen) != 1 || seen[0].Done != 17 || seen[0].Chunks != 4 {
			t.Fatalf("progress = %+v, want one report of 17 rows in 4 chunks", seen)
		}
		if got := len(rec.Matching("UPDATE")); got != 4 {
			t.Errorf("UPDATE statements = %d, want 4", got)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want := map[bool]string{true: "trial", false: "active"}[id%2 == 1]
			if id >= 3 {
				want = "x"
			}
			if a.Status != want {
				t.Errorf("row %d status = %q, want %q", id, a.Status, want)
			}
		}
	})
}

func TestUpdateChunkedRefusesTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		before := fingerprint(t, db.DB)
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := batch.Update(context.Background(), tx.Model(&updAccount{}).Where("id > 0"), map[string]any{"balance": 1}, batch.Size(2), batch.CommitEach())
			return err
		})
		if !errors.Is(err, batch.ErrInTransaction) {
			t.Fatalf("err = %v, want ErrInTransaction", err)
		}
		if fingerprint(t, db.DB) != before {
			t.Fatal("refused call wrote rows")
		}
	})
}

func TestUpdateInsideCallerTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 4)
		before := fingerprint(t, db.DB)
		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			n, err := batch.Update(context.Background(), tx.Model(&updAccount{}).Where("id < ?", 3), map[string]any{"balance": 0})
			if err != nil || n != 2 {
				t.Errorf("Update = %d, %v; want 2, nil", n, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if fingerprint(t, db.DB) != before {
			t.Fatal("rolled-back transaction left writes")
		}
	})
}

func TestUpdateCallbackChainSeesStatement(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		cdb, rec := dbtest.Capture(db.DB)
		if _, err := batch.Update(context.Background(), cdb.Model(&updAccount{}).Where("id = ?", 1), map[string]any{"status": "z"}); err != nil {
			t.Fatal(err)
		}
		ups := rec.Matching("UPDATE")
		if len(ups) != 1 || !strings.Contains(ups[0], "status") || !strings.Contains(ups[0], "updated_at") || !strings.Contains(ups[0], "deleted_at") {
			t.Fatalf("UPDATE statements = %q, want one setting status and updated_at with the soft-delete filter", ups)
		}
	})
}

// A struct value with db.Select naming one column: the chunk bounds must
// still be read from the primary key, not from the selected column.
func TestUpdateChunkedStructWithOneSelectedColumn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 11)
		// Balances smaller than the keys: read as keys, they would send the
		// chunk bounds backwards.
		dbtest.MustExec(t, db.DB, "UPDATE upd_accounts SET balance = CASE WHEN id < 4 THEN 0 WHEN id < 8 THEN 1 ELSE 2 END")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		n, err := batch.Update(ctx, db.Model(&updAccount{}).Select("Balance").Where("id > ?", 2),
			updAccount{Balance: 7}, batch.Size(4), batch.CommitEach())
		if err != nil || n != 9 {
			t.Fatalf("Update = %d, %v; want 9 rows", n, err)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want := id / 4
			if id > 2 {
				want = 7
			}
			if a.Balance != want {
				t.Errorf("row %d balance = %d, want %d", id, a.Balance, want)
			}
		}
	})
}
