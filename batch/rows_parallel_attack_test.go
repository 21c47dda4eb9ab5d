package batch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// workersLeft is workerGoroutines once every worker has exited: a worker
// that has signalled it is done (UpdateRows may return) can still be on its
// way out, so it waits for that, 2 seconds at most.
func workersLeft() int {
	n := workerGoroutines()
	for i := 0; i < 400 && n != 0; i++ {
		time.Sleep(5 * time.Millisecond)
		n = workerGoroutines()
	}
	return n
}

// workerGoroutines sees the workers while they run (OnProgress runs on the
// calling goroutine between chunks), so the leak checks above can fail.
func TestWorkerGoroutinesSeesWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if dbtest.IsSQLite(db.Dialect) {
			t.Skip("SQLite runs one worker; the probe needs two")
		}
		seedPar(t, db, 8)
		seen := 0
		_, err := batch.UpdateRows(context.Background(), db.DB, parInput(8), []string{"qty", "tag"}, batch.Workers(2), batch.Size(2),
			batch.OnProgress(func(chunk.Progress) { seen = max(seen, workerGoroutines()) }))
		if err != nil {
			t.Fatal(err)
		}
		if seen != 2 {
			t.Errorf("workerGoroutines() saw at most %d workers while UpdateRows ran, want 2", seen)
		}
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left after UpdateRows returned", k)
		}
	})
}

// ctx cancelled at random points, over and over: every time, the
// *PartialError's account equals what the table holds, the Result counts
// the committed rows, and no worker outlives the call.
func TestWorkersCancelAtRandomPoints(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 120
		seedPar(t, db, n)
		in := parInput(n)
		keys := make([]int64, n)
		for i, r := range in {
			keys[i] = r.ID
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for iter := range 30 {
			dbtest.MustExec(t, db.DB, "UPDATE par_rows SET qty = id, tag = 'old'")
			ctx, cancel := context.WithCancel(context.Background())
			delay := time.Duration(rng.IntN(40_000)) * time.Microsecond
			timer := time.AfterFunc(delay, cancel)
			var committed []int
			var matched int64
			var err error
			if iter%2 == 0 {
				var res batch.Result
				res, err = batch.UpdateRows(ctx, db.DB, in, []string{"qty", "tag"}, batch.Workers(3), batch.Size(7))
				matched = res.Matched
			} else {
				matched, err = batch.UpdateKeys(ctx, db.Model(&parRow{}), keys,
					map[string]any{"qty": gorm.Expr("1000 + id"), "tag": "new"}, batch.Workers(3), batch.Size(7))
			}
			timer.Stop()
			cancel()
			var pe *batch.PartialError
			switch {
			case err == nil:
				committed = make([]int, n)
				for i := range committed {
					committed[i] = i
				}
			case errors.Is(err, context.Canceled) && !errors.As(err, &pe):
				// ctx ended before the first chunk: nothing written.
			case errors.As(err, &pe):
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("iteration %d: err = %v, want context.Canceled", iter, err)
				}
				checkPartition(t, pe, n)
				committed = pe.Committed
			default:
				t.Fatalf("iteration %d (delay %v): err = %v, want nil or a *PartialError", iter, delay, err)
			}
			if matched != int64(len(committed)) {
				t.Errorf("iteration %d (delay %v): %d rows counted, %d committed", iter, delay, matched, len(committed))
			}
			checkAccount(t, db.DB, n, in, committed)
			if k := workersLeft(); k != 0 {
				t.Errorf("iteration %d: %d worker goroutines left", iter, k)
			}
			if t.Failed() {
				return
			}
		}
	})
}

// A ctx that has already ended: every entry point returns its error, names
// no internal package, and writes nothing.
func TestCancelledBeforeAnyChunk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 10
		seedPar(t, db, n)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		in := parInput(n)
		rowsOpts := map[string][]batch.RowsOption{
			"default": nil, "Workers": {batch.Workers(2), batch.Size(3)}, "BulkLoad": {batch.BulkLoad()},
		}
		for name, opts := range rowsOpts {
			_, err := batch.UpdateRows(ctx, db.DB, in, []string{"qty", "tag"}, opts...)
			if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "dialect:") {
				t.Errorf("UpdateRows %s: err = %v, want context.Canceled naming no internal package", name, err)
			}
		}
		_, err := batch.UpdateKeys(ctx, db.Model(&parRow{}), []int64{1, 2, 3}, map[string]any{"tag": "new"}, batch.Workers(2), batch.Size(1))
		if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "dialect:") {
			t.Errorf("UpdateKeys Workers: err = %v, want context.Canceled naming no internal package", err)
		}
		checkAccount(t, db.DB, n, in, nil)
	})
}

// Workers with hooks.Audit writing its table: a failing chunk stops the
// call, and the audit trail holds one record per written column of exactly
// the committed rows (the rolled-back chunks left none), written from
// several goroutines at once.
func TestUpdateRowsWorkersAudit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 60
		seedPar(t, db, n)
		adb := dbtest.Reopen(t, db)
		if err := adb.Use(&hooks.Audit{}); err != nil {
			t.Fatal(err)
		}
		in := parInput(n)
		bad := slices.IndexFunc(in, func(r parRow) bool { return r.ID == 37 })
		in[bad].Qty = -1
		_, err := batch.UpdateRows(context.Background(), adb, in, []string{"qty", "tag"}, batch.Workers(4), batch.Size(3))
		var pe *batch.PartialError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a *PartialError", err)
		}
		checkPartition(t, pe, n)
		checkAccount(t, db.DB, n, in, pe.Committed)
		var want []string
		for _, i := range pe.Committed {
			want = append(want, fmt.Sprintf("%d qty=%d", in[i].ID, in[i].Qty), fmt.Sprintf("%d tag=%s", in[i].ID, in[i].Tag))
		}
		var rows []hooks.AuditRow
		if err := db.Table(hooks.DefaultAuditTable).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			if r.Table != "par_rows" || r.NewValue == nil {
				t.Fatalf("audit row %+v", r)
			}
			got = append(got, fmt.Sprintf("%s %s=%s", r.RowKey, r.Column, *r.NewValue))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("audit records (%d):\n%v\nwant (%d):\n%v", len(got), got, len(want), want)
		}
	})
}

// Workers(1000) over 3 rows, and Workers(4) on a pool of one connection
// (workers wait their turn; nothing a chunk does needs a second
// connection): every row written, no worker left, no deadlock (ctx bounds
// the call).
func TestWorkersMoreThanChunksOrConnections(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 30
		seedPar(t, db, n)
		one := dbtest.Reopen(t, db)
		sqlDB, err := one.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		in := parInput(n)
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		res, err := batch.UpdateRows(ctx, db.DB, in[:3], []string{"qty", "tag"}, batch.Workers(1000), batch.Size(1))
		if err != nil || res.Matched != 3 {
			t.Fatalf("Workers(1000), 3 rows: %+v, %v", res, err)
		}
		checkAccount(t, db.DB, n, in, []int{0, 1, 2})
		res, err = batch.UpdateRows(ctx, one, in, []string{"qty", "tag"}, batch.Workers(4), batch.Size(3), batch.ListMissing())
		if err != nil || res.Matched != n {
			t.Fatalf("Workers(4) on one connection: %+v, %v", res, err)
		}
		checkAccount(t, db.DB, n, in, all)
		keys := make([]int64, n)
		for i := range keys {
			keys[i] = int64(i + 1)
		}
		c, err := batch.UpdateKeys(ctx, one.Model(&parRow{}), keys, map[string]any{"tag": "keys"}, batch.Workers(4), batch.Size(3))
		if err != nil || c != n {
			t.Fatalf("UpdateKeys Workers(4) on one connection: %d, %v", c, err)
		}
		for id, r := range loadPar(t, db.DB) {
			if want := (parRow{ID: id, Qty: 1000 + id, Tag: "keys"}); r != want {
				t.Errorf("after UpdateKeys: row %d = %+v, want %+v", id, r, want)
			}
		}
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left", k)
		}
	})
}
