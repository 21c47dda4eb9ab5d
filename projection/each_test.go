package projection_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
)

// seedMany adds accounts 4..n to the three seeded ones.
func seedMany(t *testing.T, db *dbtest.DB, n int) {
	t.Helper()
	seed(t, db)
	rows := make([]Account, 0, n)
	for i := 4; i <= n; i++ {
		rows = append(rows, Account{ID: int64(i), Email: fmt.Sprintf("u%d@x", i), Name: fmt.Sprintf("U%d", i), Status: "bulk", OwnerID: 1})
	}
	dbtest.Seed(t, db.DB.Omit("Owner"), rows)
}

func inUse(t *testing.T, db *dbtest.DB) int {
	t.Helper()
	sqlDB, err := db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB.Stats().InUse
}

func TestEachStreamsEveryRow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedMany(t, db, 250)
		var ids []int64
		for row, err := range projection.Each[accountBrief](context.Background(), db.Model(&Account{}).Where("status = ?", "bulk").Order("id")) {
			if err != nil {
				t.Fatal(err)
			}
			if row.Email != fmt.Sprintf("u%d@x", row.ID) || row.Owner != fmt.Sprintf("U%d", row.ID) {
				t.Fatalf("row %+v", row)
			}
			ids = append(ids, row.ID)
		}
		if len(ids) != 247 || ids[0] != 4 || ids[246] != 250 {
			t.Fatalf("got %d ids from %v to %v; want 247 from 4 to 250", len(ids), ids[0], ids[len(ids)-1])
		}
		if n := inUse(t, db); n != 0 {
			t.Fatalf("%d connections still in use after the loop", n)
		}
	})
}

func TestEachBreakClosesRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedMany(t, db, 250)
		seq := projection.Each[accountBrief](context.Background(), db.Model(&Account{}).Order("id"))
		var got []int64
		for row, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, row.ID)
			if len(got) == 3 {
				break
			}
		}
		if !reflect.DeepEqual(got, []int64{1, 2, 3}) {
			t.Fatalf("got %v", got)
		}
		if n := inUse(t, db); n != 0 {
			t.Fatalf("%d connections still in use after break; want the rows closed", n)
		}
		// The sequence runs its query again when iterated again.
		n := 0
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 250 {
			t.Fatalf("second iteration read %d rows, want 250", n)
		}
	})
}

func TestEachStopsWithAnErrorWhenContextIsCancelled(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedMany(t, db, 2000)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rows, errs := 0, 0
		var last error
		for _, err := range projection.Each[accountBrief](ctx, db.Model(&Account{}).Order("id")) {
			if err != nil {
				errs++
				last = err
				continue
			}
			rows++
			if rows == 2 {
				cancel()
			}
		}
		if rows != 2 || errs != 1 || !errors.Is(last, context.Canceled) {
			t.Fatalf("read %d rows and %d errors (last %v); want 2 rows then context.Canceled", rows, errs, last)
		}
		if n := inUse(t, db); n != 0 {
			t.Fatalf("%d connections still in use after cancellation", n)
		}
		// Cancelled before the query: one error, no rows.
		rows, errs = 0, 0
		for _, err := range projection.Each[accountBrief](ctx, db.Model(&Account{})) {
			if err != nil {
				errs++
				last = err
			} else {
				rows++
			}
		}
		if rows != 0 || errs != 1 || !errors.Is(last, context.Canceled) {
			t.Fatalf("already cancelled: %d rows, %d errors (last %v)", rows, errs, last)
		}
	})
}

// Concurrent readers share the cached mapping; each gets exactly its rows.
func TestConcurrentReaders(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedMany(t, db, 100)
		const readers = 8
		errs := make(chan error, readers)
		for r := range readers {
			go func() {
				lo := int64(r*10 + 1)
				got, err := projection.Find[accountBrief](context.Background(), db.Model(&Account{}).Where("id BETWEEN ? AND ?", lo, lo+9).Order("id"))
				switch {
				case err != nil:
					errs <- err
				case len(got) != 10 || got[0].ID != lo || got[9].ID != lo+9:
					errs <- fmt.Errorf("reader %d got %d rows from %v", r, len(got), got)
				default:
					errs <- nil
				}
			}()
		}
		for range readers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}
