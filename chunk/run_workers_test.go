package chunk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// checkpointRows returns name -> (rows done, done) for names with prefix.
func checkpointRows(t *testing.T, db *gorm.DB, prefix string) map[string][2]int64 {
	t.Helper()
	var rows []struct {
		Name     string
		RowsDone int64
		Done     bool
	}
	if err := db.Table(chunk.CheckpointTable).Where("name LIKE ?", prefix+"%").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][2]int64{}
	for _, r := range rows {
		done := int64(0)
		if r.Done {
			done = 1
		}
		out[r.Name] = [2]int64{r.RowsDone, done}
	}
	return out
}

func TestRunWorkersProcessEveryRowOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 1000)
		var mu sync.Mutex
		seen := map[int64]string{} // id -> worker checkpoint
		var worker string
		recorder := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			worker = c.Name // hooks run one at a time, just before their worker's chunk
			return nil
		}}
		var last chunk.Progress
		calls := 0
		workers := map[int]bool{}
		rep, err := chunk.Run(context.Background(), db.DB, func(tx *gorm.DB, part []runItem) error {
			mu.Lock()
			workers[chunk.WorkerOf(tx.Statement.Context)] = true
			for _, r := range part {
				if prev, ok := seen[r.ID]; ok {
					mu.Unlock()
					t.Errorf("row %d seen by %s and again", r.ID, prev)
					return nil
				}
				seen[r.ID] = "x"
			}
			mu.Unlock()
			return bump(tx, part)
		}, chunk.Workers(4), chunk.Size(37), chunk.Checkpoint("par"), chunk.CountTotal(), chunk.Hooks(recorder),
			chunk.OnProgress(func(p chunk.Progress) { last, calls = p, calls+1 }))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 1000 || rep.RowsDone != 1000 || rep.LastKey != nil {
			t.Fatalf("report %+v, want 1000 rows", rep)
		}
		if last.Done != 1000 || last.Total != 1000 || int64(calls) != rep.Chunks || last.Chunks != rep.Chunks {
			t.Fatalf("last progress %+v after %d calls, report %+v", last, calls, rep)
		}
		if len(workers) != 4 || !workers[0] || !workers[3] || chunk.WorkerOf(context.Background()) != 0 {
			t.Fatalf("work saw workers %v, want 0..3", workers)
		}
		if !strings.HasPrefix(worker, "par/") {
			t.Fatalf("hooks saw chunk name %q, want a worker checkpoint", worker)
		}
		wantCounters(t, counters(t, db.DB), 1, 1000, 1)
		// The run's checkpoint holds the split and is done; each of the four
		// workers did a quarter (1000 = 4 x 250).
		cps := checkpointRows(t, db.DB, "par")
		want := map[string][2]int64{"par": {1000, 1}, "par/1-of-4": {250, 1}, "par/2-of-4": {250, 1}, "par/3-of-4": {250, 1}, "par/4-of-4": {250, 1}}
		if len(cps) != len(want) {
			t.Fatalf("checkpoints %v, want %v", cps, want)
		}
		for name, w := range want {
			if cps[name] != w {
				t.Fatalf("checkpoint %s: %v, want %v", name, cps[name], w)
			}
		}
		again, err := chunk.Run(context.Background(), db.DB, bump, chunk.Workers(4), chunk.Checkpoint("par"))
		if err != nil || !again.AlreadyDone || again.RowsDone != 1000 {
			t.Fatalf("rerun %+v, %v; want AlreadyDone", again, err)
		}
	})
}

func TestRunWorkersStopErrorAndResume(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 600)
		opts := func(extra ...chunk.RunOption) []chunk.RunOption {
			return append([]chunk.RunOption{chunk.Workers(3), chunk.Size(25), chunk.Checkpoint("par-stop")}, extra...)
		}
		committed := func() int64 {
			var n int64
			if err := db.Model(&runItem{}).Where("counter = 1").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			var bad int64
			if err := db.Model(&runItem{}).Where("counter NOT IN (0, 1)").Count(&bad).Error; err != nil || bad != 0 {
				t.Fatalf("%d rows processed more than once (err %v)", bad, err)
			}
			return n
		}
		// 1. A clean stop once 150 rows are done: every worker stops.
		stop := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.Progress.Done >= 150 {
				return chunk.ErrStop
			}
			return nil
		}}
		rep, err := chunk.Run(context.Background(), db.DB, bump, opts(chunk.Hooks(stop))...)
		if err != nil || !rep.Stopped || rep.Rows < 150 || rep.Rows == 600 {
			t.Fatalf("stopped run %+v, %v", rep, err)
		}
		if got := committed(); got != rep.Rows {
			t.Fatalf("%d rows committed, report says %d", got, rep.Rows)
		}
		// 2. One worker fails: the others stop, committed chunks stay.
		boom := errors.New("boom")
		failing := bumpThen(func(part []runItem) error {
			if slices.ContainsFunc(part, func(r runItem) bool { return r.ID == 590 }) {
				return boom
			}
			return nil
		})
		rep2, err := chunk.Run(context.Background(), db.DB, failing, opts()...)
		var ce *chunk.ChunkError
		if !errors.Is(err, boom) || !errors.As(err, &ce) || !rep2.Resumed {
			t.Fatalf("failing run %+v: got %v, want a ChunkError wrapping boom first", rep2, err)
		}
		if ce.Err != boom {
			t.Fatalf("first error is %v, want the worker's own failure", ce)
		}
		if got := committed(); got != rep.Rows+rep2.Rows {
			t.Fatalf("%d rows committed, reports say %d", got, rep.Rows+rep2.Rows)
		}
		// 3. Resume: the rest, exactly once; then the run is done.
		rep3, err := chunk.Run(context.Background(), db.DB, bump, opts()...)
		if err != nil || rep3.RowsDone != 600 || rep.Rows+rep2.Rows+rep3.Rows != 600 {
			t.Fatalf("resumed run %+v, %v; earlier %+v and %+v; %d committed", rep3, err, rep, rep2, committed())
		}
		wantCounters(t, counters(t, db.DB), 1, 600, 1)
		if cps := checkpointRows(t, db.DB, "par-stop"); cps["par-stop"] != [2]int64{600, 1} {
			t.Fatalf("run checkpoint %v, want 600 rows, done", cps["par-stop"])
		}
	})
}

func TestRunRangesWorkersCompositeKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &runPair{})
		var rows []runPair
		for _, tenant := range []string{"a", "b", "c", "d", "e"} {
			for seq := int64(1); seq <= 60; seq++ {
				rows = append(rows, runPair{Tenant: tenant, Seq: seq})
			}
		}
		dbtest.Seed(t, db.DB, rows)
		rep, err := chunk.Ranges(context.Background(), db.Model(&runPair{}), func(rows *gorm.DB, r chunk.Range) error {
			return rows.Update("counter", gorm.Expr("counter + 1")).Error
		}, chunk.Workers(3), chunk.Size(16), chunk.Checkpoint("pairs"))
		if err != nil || rep.Rows != 300 {
			t.Fatalf("report %+v, %v; want 300 rows", rep, err)
		}
		var bad int64
		if err := db.Model(&runPair{}).Where("counter <> 1").Count(&bad).Error; err != nil || bad != 0 {
			t.Fatalf("%d rows not processed exactly once (err %v)", bad, err)
		}
		cps := checkpointRows(t, db.DB, "pairs/")
		if len(cps) != 3 || cps["pairs/1-of-3"][0] != 100 || cps["pairs/2-of-3"][0] != 100 || cps["pairs/3-of-3"][0] != 100 {
			t.Fatalf("worker checkpoints %v, want three of 100 rows", cps)
		}
	})
}

func TestRunWorkersCheckpointMustMatch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 50)
		ctx := context.Background()
		stop := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.Index == 1 {
				return chunk.ErrStop
			}
			return nil
		}}
		sum := func() int64 {
			var n int64
			if err := db.Model(&runItem{}).Select("COALESCE(SUM(counter), 0)").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := chunk.Run(ctx, db.DB, bump, chunk.Size(10), chunk.Checkpoint("seq"), chunk.Hooks(stop)); err != nil {
			t.Fatal(err)
		}
		if _, err := chunk.Run(ctx, db.DB, bump, chunk.Workers(2), chunk.Checkpoint("seq")); !errors.Is(err, chunk.ErrCheckpointMismatch) {
			t.Fatalf("parallel resume of a sequential checkpoint: got %v, want ErrCheckpointMismatch", err)
		}
		if got := sum(); got != 10 {
			t.Fatalf("counters sum to %d, want the 10 of the first chunk", got)
		}
		rep, err := chunk.Run(ctx, db.DB, bump, chunk.Workers(2), chunk.Size(10), chunk.Checkpoint("par"), chunk.Hooks(stop))
		if err != nil || !rep.Stopped {
			t.Fatalf("parallel run %+v, %v; want a stop", rep, err)
		}
		if got := sum(); got != 10+rep.Rows {
			t.Fatalf("counters sum to %d, want %d", got, 10+rep.Rows)
		}
		if _, err := chunk.Run(ctx, db.DB, bump, chunk.Checkpoint("par")); !errors.Is(err, chunk.ErrCheckpointMismatch) {
			t.Fatalf("sequential resume of a parallel checkpoint: got %v, want ErrCheckpointMismatch", err)
		}
		if got := sum(); got != 10+rep.Rows {
			t.Fatalf("the refused run wrote: counters sum to %d, want %d", got, 10+rep.Rows)
		}
	})
}
