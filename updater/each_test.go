package updater_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// eachAccount is the model of the UpdateEach tests.
type eachAccount struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	Status    string `gorm:"size:16"`
	Balance   int64
	Note      string `gorm:"size:32"`
	UpdatedAt time.Time
}

var eachEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// seedEach creates ids 1..n: status "trial" for odd ids, "active" for even.
func seedEach(t *testing.T, db *dbtest.DB, n int) {
	t.Helper()
	dbtest.Migrate(t, db, &eachAccount{})
	rows := make([]eachAccount, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = eachAccount{ID: id, Status: map[bool]string{true: "trial", false: "active"}[id%2 == 1], Balance: 100, Note: "n", UpdatedAt: eachEpoch}
	}
	dbtest.Seed(t, db.DB, rows)
	// Seeding set UpdatedAt to now; pin it so the test can see which rows
	// were written.
	dbtest.MustExec(t, db.DB, "UPDATE each_accounts SET updated_at = ?", eachEpoch)
}

func eachRows(t *testing.T, db *gorm.DB) map[int64]eachAccount {
	t.Helper()
	var rows []eachAccount
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[int64]eachAccount{}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

func TestUpdateEachWritesOnlyChangedColumnsOfChangedRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedEach(t, db, 60)
		captured, rec := dbtest.Capture(db.DB)
		// Trials (odd ids): multiples of 3 expire, ids ending in 5 get a bonus
		// (15 and 45 both), the rest are left alone.
		res, err := updater.UpdateEach(context.Background(), captured.Model(&eachAccount{}).Where("status = ?", "trial"),
			func(a *eachAccount) error {
				if a.ID%3 == 0 {
					a.Status = "expired"
				}
				if a.ID%10 == 5 {
					a.Balance += 50
				}
				return nil
			}, chunk.Size(8))
		if err != nil {
			t.Fatal(err)
		}
		// 30 trials; expired: 3, 9, ..., 57 (10 rows); bonus: 5, 15, ..., 55
		// (6 rows); both: 15, 45.
		if res.Scanned != 30 || res.Changed != 14 || res.Run.Chunks != 4 {
			t.Fatalf("result %+v, want 30 scanned, 14 changed in 4 chunks", res)
		}
		if want := map[string]int64{"status": 10, "balance": 6}; !maps.Equal(res.Columns, want) {
			t.Fatalf("columns %v, want %v", res.Columns, want)
		}
		for _, s := range rec.Matching("UPDATE") {
			if strings.Contains(s, "note") {
				t.Fatalf("an unchanged column was written: %s", s)
			}
		}
		for id, a := range eachRows(t, db.DB) {
			trial := id%2 == 1
			wantStatus := map[bool]string{true: "trial", false: "active"}[trial]
			if trial && id%3 == 0 {
				wantStatus = "expired"
			}
			wantBalance := int64(100)
			if trial && id%10 == 5 {
				wantBalance = 150
			}
			written := trial && (id%3 == 0 || id%10 == 5)
			if a.Status != wantStatus || a.Balance != wantBalance || a.Note != "n" || a.UpdatedAt.Equal(eachEpoch) == written {
				t.Fatalf("row %d: %+v, want status %s balance %d, written %v", id, a, wantStatus, wantBalance, written)
			}
		}
	})
}

func TestUpdateEachNoChangeWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedEach(t, db, 20)
		captured, rec := dbtest.Capture(db.DB)
		res, err := updater.UpdateEach(context.Background(), captured, func(a *eachAccount) error {
			a.Balance = 100 // the value it already has
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Scanned != 20 || res.Changed != 0 || len(res.Columns) != 0 {
			t.Fatalf("result %+v, want 20 scanned, none changed", res)
		}
		if ups := rec.Matching("UPDATE"); len(ups) != 0 {
			t.Fatalf("got %d UPDATEs, want none: %q", len(ups), ups)
		}
	})
}

func TestUpdateEachErrorStopsAfterCommittedChunks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedEach(t, db, 30)
		bad := errors.New("bad row")
		change := func(a *eachAccount) error {
			if a.ID == 17 {
				return bad
			}
			a.Balance++
			return nil
		}
		res, err := updater.UpdateEach(context.Background(), db.DB, change, chunk.Size(10), chunk.Checkpoint("each"))
		var ce *chunk.ChunkError
		if !errors.Is(err, bad) || !errors.As(err, &ce) || ce.Index != 1 || ce.RowsDone != 10 {
			t.Fatalf("got %v, want a ChunkError for chunk 1 wrapping the change error", err)
		}
		if res.Scanned != 10 || res.Changed != 10 {
			t.Fatalf("result %+v, want only the committed chunk counted", res)
		}
		for id, a := range eachRows(t, db.DB) {
			if want := map[bool]int64{true: 101, false: 100}[id <= 10]; a.Balance != want {
				t.Fatalf("row %d: balance %d, want %d", id, a.Balance, want)
			}
		}
		// Resume once the change function is fixed: the rest, exactly once.
		res, err = updater.UpdateEach(context.Background(), db.DB, func(a *eachAccount) error {
			a.Balance++
			return nil
		}, chunk.Size(10), chunk.Checkpoint("each"))
		if err != nil || res.Scanned != 20 || !res.Run.Resumed || res.Run.RowsDone != 30 {
			t.Fatalf("resume %+v, %v", res, err)
		}
		for id, a := range eachRows(t, db.DB) {
			if a.Balance != 101 {
				t.Fatalf("row %d: balance %d, want 101", id, a.Balance)
			}
		}
	})
}

func TestUpdateEachRefusesKeyChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedEach(t, db, 5)
		_, err := updater.UpdateEach(context.Background(), db.DB, func(a *eachAccount) error {
			a.ID += 100
			a.Balance = 0
			return nil
		})
		if !errors.Is(err, updater.ErrPrimaryKeyChanged) {
			t.Fatalf("got %v, want ErrPrimaryKeyChanged", err)
		}
		for id, a := range eachRows(t, db.DB) {
			if a.Balance != 100 || id > 5 {
				t.Fatalf("row %d changed: %+v", id, a)
			}
		}
		if _, err := updater.UpdateEach[eachAccount](context.Background(), db.DB, nil); !errors.Is(err, chunk.ErrBadWork) {
			t.Fatalf("nil change: got %v, want ErrBadWork", err)
		}
		if _, err := updater.UpdateEach(context.Background(), nil, func(*eachAccount) error { return nil }); !errors.Is(err, updater.ErrNilDB) {
			t.Fatalf("nil db: got %v, want ErrNilDB", err)
		}
	})
}

func TestUpdateEachWithWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedEach(t, db, 300)
		res, err := updater.UpdateEach(context.Background(), db.DB, func(a *eachAccount) error {
			if a.ID%3 != 0 {
				a.Balance += a.ID
			}
			return nil
		}, chunk.Workers(3), chunk.Size(20), chunk.Checkpoint("each-par"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Scanned != 300 || res.Changed != 200 || res.Columns["balance"] != 200 || res.Run.Rows != 300 {
			t.Fatalf("result %+v, want 300 scanned, 200 changed", res)
		}
		for id, a := range eachRows(t, db.DB) {
			want := int64(100)
			if id%3 != 0 {
				want += id
			}
			if a.Balance != want {
				t.Fatalf("row %d: balance %d, want %d", id, a.Balance, want)
			}
		}
	})
}
