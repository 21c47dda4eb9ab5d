package hooks_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// statsItem is the model of the Stats tests.
type statsItem struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
	Qty  int
}

// tickClock returns a clock advancing by step on every call, so that each
// statement measured by Stats (two calls) lasts exactly step.
func tickClock(step time.Duration) func() time.Time {
	var n atomic.Int64
	base := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * step) }
}

func installStats(t *testing.T, db *gorm.DB) *hooks.Stats {
	t.Helper()
	s := &hooks.Stats{Now: tickClock(time.Millisecond)}
	if err := db.Use(s); err != nil {
		t.Fatalf("installing Stats: %v", err)
	}
	return s
}

func TestStatsCountsEveryOperation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &statsItem{})
		s := installStats(t, db.DB)
		if got := s.Snapshot(); len(got) != 0 {
			t.Fatalf("Snapshot before any statement = %+v, want empty", got)
		}

		rows := []statsItem{{ID: 1, Name: "a", Qty: 1}, {ID: 2, Name: "b", Qty: 2}, {ID: 3, Name: "c", Qty: 3}}
		mustOK(t, db.Create(&rows))
		var found []statsItem
		mustOK(t, db.Where("qty >= ?", 2).Find(&found))
		mustOK(t, db.Model(&statsItem{}).Where("qty >= ?", 2).Update("qty", gorm.Expr("qty + 10")))
		mustOK(t, db.Where("id = ?", 1).Delete(&statsItem{}))
		mustOK(t, db.Exec("UPDATE stats_items SET name = ? WHERE id = ?", "z", 3))
		var n int64
		mustOK(t, db.Raw("SELECT COUNT(*) FROM stats_items").Scan(&n))
		// A failing statement: the column does not exist.
		if err := db.Model(&statsItem{}).Where("id = ?", 2).Update("missing", 1).Error; err == nil {
			t.Fatal("update of a missing column succeeded")
		}

		snap := s.Snapshot()
		want := hooks.StatsSnapshot{
			{Table: "", Op: hooks.OpRaw, Statements: 1, RowsAffected: 1, Time: time.Millisecond},
			{Table: "", Op: hooks.OpRow, Statements: 1, RowsAffected: 0, Time: time.Millisecond},
			{Table: "stats_items", Op: hooks.OpCreate, Statements: 1, RowsAffected: 3, Time: time.Millisecond},
			{Table: "stats_items", Op: hooks.OpQuery, Statements: 1, RowsAffected: 2, Time: time.Millisecond},
			{Table: "stats_items", Op: hooks.OpUpdate, Statements: 2, Errors: 1, RowsAffected: 2, Time: 2 * time.Millisecond},
			{Table: "stats_items", Op: hooks.OpDelete, Statements: 1, RowsAffected: 1, Time: time.Millisecond},
		}
		assertSnapshot(t, snap, want)
		if got := snap.Get("stats_items", hooks.OpUpdate).Errors; got != 1 {
			t.Errorf("Get(update).Errors = %d, want 1", got)
		}
		if got, want := snap.Total(), (hooks.TableStat{Statements: 7, Errors: 1, RowsAffected: 9, Time: 7 * time.Millisecond}); got != want {
			t.Errorf("Total() = %+v, want %+v", got, want)
		}
		if got := snap.Get("nothing", hooks.OpQuery); got != (hooks.TableStat{Table: "nothing", Op: hooks.OpQuery}) {
			t.Errorf("Get of an unknown table = %+v, want zero counts", got)
		}

		// The snapshot is a copy: later statements do not change it.
		mustOK(t, db.Find(&found))
		if got := snap.Get("stats_items", hooks.OpQuery).Statements; got != 1 {
			t.Errorf("snapshot changed after a later statement: %d queries, want 1", got)
		}
		if got := s.Snapshot().Get("stats_items", hooks.OpQuery).Statements; got != 2 {
			t.Errorf("after a second Find: %d queries, want 2", got)
		}

		s.Reset()
		if got := s.Snapshot(); len(got) != 0 {
			t.Fatalf("Snapshot after Reset = %+v, want empty", got)
		}
		mustOK(t, db.Find(&found))
		assertSnapshot(t, s.Snapshot(), hooks.StatsSnapshot{
			{Table: "stats_items", Op: hooks.OpQuery, Statements: 1, RowsAffected: 2, Time: time.Millisecond},
		})
	})
}

func TestStatsConcurrentUpdatesExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const workers, each = 4, 25
		dbtest.Migrate(t, db, &statsItem{})
		rows := make([]statsItem, workers)
		for i := range rows {
			rows[i] = statsItem{ID: int64(i + 1), Name: "w"}
		}
		dbtest.Seed(t, db.DB, rows)
		s := installStats(t, db.DB)

		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					// Each worker increments its own row: no lock waits, and
					// every UPDATE changes its row (MySQL counts changed rows).
					if err := db.Model(&statsItem{}).Where("id = ?", w+1).Update("qty", gorm.Expr("qty + 1")).Error; err != nil {
						errs <- err
					}
					s.Snapshot() // concurrent reads are race-free
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent update: %v", err)
		}
		got := s.Snapshot().Get("stats_items", hooks.OpUpdate)
		if got.Statements != workers*each || got.RowsAffected != workers*each || got.Errors != 0 {
			t.Errorf("update tally = %+v, want %d statements and rows, 0 errors", got, workers*each)
		}
		var sum int64
		mustOK(t, db.Model(&statsItem{}).Select("SUM(qty)").Scan(&sum))
		if sum != workers*each {
			t.Errorf("SUM(qty) = %d, want %d", sum, workers*each)
		}
	})
}

func TestStatsZeroValueAndDoubleInstall(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	dbtest.Migrate(t, db, &statsItem{})
	// The zero value but for a pinned clock (a nil Now is time.Now, whose
	// durations no test can know exactly): its tallies start lazily.
	var s hooks.Stats
	s.Now = tickClock(3 * time.Millisecond)
	if err := db.Use(&s); err != nil {
		t.Fatal(err)
	}
	if err := db.Use(&hooks.Stats{}); !errors.Is(err, gorm.ErrRegistered) {
		t.Errorf("second Stats on one database: err = %v, want gorm.ErrRegistered", err)
	}
	mustOK(t, db.Create(&statsItem{ID: 1}))
	got := s.Snapshot().Get("stats_items", hooks.OpCreate)
	if got.Statements != 1 || got.RowsAffected != 1 || got.Errors != 0 || got.Time != 3*time.Millisecond {
		t.Errorf("create tally = %+v, want 1 statement, 1 row, no error, 3ms", got)
	}
}

func assertSnapshot(t *testing.T, got, want hooks.StatsSnapshot) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("snapshot has %d entries, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("snapshot[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func mustOK(t *testing.T, db *gorm.DB) {
	t.Helper()
	if db.Error != nil {
		t.Fatal(db.Error)
	}
}
