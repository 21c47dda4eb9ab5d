package chunk_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Two runs update the same ten rows one by one in opposite orders. On the
// servers a barrier makes each hold its first row before taking the rest,
// so they deadlock for certain; the victim's chunk is rolled back, reloaded
// and retried, and both runs finish with every row incremented twice.
func TestRunDeadlockBetweenOppositeOrdersIsRetried(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 10)
		holding := make(chan struct{}, 2)
		var retries atomic.Int64
		onRetry := chunk.Callbacks{OnRetry: func(ctx context.Context, c chunk.Info, err error) {
			if dialect.Retryable(err) {
				retries.Add(1)
			}
		}}
		work := func(tx *gorm.DB, part []runItem) error {
			for i, r := range part {
				if err := tx.Exec("UPDATE run_items SET counter = counter + 1 WHERE id = ?", r.ID).Error; err != nil {
					return err
				}
				if i == 0 && db.Dialect != dbtest.SQLite && retries.Load() == 0 {
					barrier(holding)
				}
			}
			return nil
		}
		var wg sync.WaitGroup
		reps := make([]chunk.Report, 2)
		errs := make([]error, 2)
		for i, order := range []string{"id", "id DESC"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = chunk.Run(context.Background(), db.DB, work,
					chunk.Size(10), chunk.OrderBy(order), chunk.Attempts(20), chunk.Hooks(onRetry))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
			if reps[i].Rows != 10 {
				t.Fatalf("run %d: report %+v, want 10 rows", i, reps[i])
			}
		}
		wantCounters(t, counters(t, db.DB), 1, 10, 2)
		if db.Dialect != dbtest.SQLite && retries.Load() == 0 {
			t.Fatal("no chunk was retried: the runs did not deadlock")
		}
		if got := int64(reps[0].Retries + reps[1].Retries); got != retries.Load() {
			t.Fatalf("reports count %d retries, hooks saw %d", got, retries.Load())
		}
	})
}

// barrier signals that this run holds its first row and waits until the
// other run does too (or a generous timeout passes, which then fails the
// retry assertion rather than hanging the test).
func barrier(holding chan struct{}) {
	holding <- struct{}{}
	deadline := time.After(10 * time.Second)
	for len(holding) < 2 {
		select {
		case <-deadline:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// runJob is a queue row.
type runJob struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16;index"`
	Counter int64
	Worker  int
}

// skipLockedWait bounds a SKIP LOCKED run that must not wait for anyone's
// lock: a regression that blocks fails the test at this deadline instead of
// hanging it.
const skipLockedWait = 30 * time.Second

// A run with SKIP LOCKED passes over rows another transaction holds with FOR
// UPDATE: it processes every other row without waiting, and leaves the held
// ones untouched. With a plain FOR UPDATE the first chunk would wait for the
// holder, and the run would fail at the deadline.
func TestRunSkipLockedSkipsRowsLockedElsewhere(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect == dbtest.SQLite {
			t.Skip("SQLite has no row locks; TestRunSkipLockedWorkersShareAQueue covers its refusal")
		}
		dbtest.Migrate(t, db, &runJob{})
		jobs := make([]runJob, 100)
		held := make([]int64, 10)
		for i := range jobs {
			jobs[i] = runJob{ID: int64(i + 1), Status: "pending"}
		}
		for i := range held {
			held[i] = int64(i + 1)
		}
		dbtest.Seed(t, db.DB, jobs)

		holder := db.Begin()
		if holder.Error != nil {
			t.Fatal(holder.Error)
		}
		t.Cleanup(func() { holder.Rollback() })
		var locked []runJob
		if err := holder.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Where("id IN ?", held).Order("id").Find(&locked).Error; err != nil {
			t.Fatal(err)
		}
		if len(locked) != len(held) {
			t.Fatalf("holder locked %d rows, want %d", len(locked), len(held))
		}

		ctx, cancel := context.WithTimeout(context.Background(), skipLockedWait)
		defer cancel()
		var seen []int64
		rep, err := chunk.Run(ctx, db.Model(&runJob{}).Where("status = ?", "pending"), func(tx *gorm.DB, part []runJob) error {
			ids := make([]int64, len(part))
			for i, j := range part {
				ids[i] = j.ID
			}
			seen = append(seen, ids...)
			return tx.Model(&runJob{}).Where("id IN ?", ids).
				Updates(map[string]any{"counter": gorm.Expr("counter + 1"), "status": "done", "worker": 1}).Error
		}, chunk.Size(10), chunk.Lock(lock.SkipLocked))
		if err != nil {
			t.Fatalf("run beside the held rows: %v (blocked on them?)", err)
		}
		if rep.Rows != 90 || rep.Chunks != 9 {
			t.Fatalf("report %+v, want 90 rows in 9 chunks", rep)
		}
		want := make([]int64, 0, 90)
		for id := int64(11); id <= 100; id++ {
			want = append(want, id)
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("work saw ids %v, want 11..100", seen)
		}
		if err := holder.Rollback().Error; err != nil {
			t.Fatal(err)
		}
		var rows []runJob
		if err := db.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 100 {
			t.Fatalf("%d jobs, want 100", len(rows))
		}
		for _, j := range rows {
			w := runJob{ID: j.ID, Status: "done", Counter: 1, Worker: 1}
			if j.ID <= 10 {
				w = runJob{ID: j.ID, Status: "pending"}
			}
			if j != w {
				t.Errorf("job %d = %+v, want %+v", j.ID, j, w)
			}
		}
	})
}

// Workers sharing one queue with SKIP LOCKED process every job exactly once
// between them.
func TestRunSkipLockedWorkersShareAQueue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &runJob{})
		jobs := make([]runJob, 300)
		for i := range jobs {
			jobs[i] = runJob{ID: int64(i + 1), Status: "pending"}
		}
		dbtest.Seed(t, db.DB, jobs)
		pending := db.Model(&runJob{}).Where("status = ?", "pending")
		worker := func(w int) func(*gorm.DB, []runJob) error {
			return func(tx *gorm.DB, part []runJob) error {
				ids := make([]int64, len(part))
				for i, j := range part {
					ids[i] = j.ID
				}
				time.Sleep(2 * time.Millisecond) // hold the locks a little, so workers overlap
				return tx.Model(&runJob{}).Where("id IN ?", ids).
					Updates(map[string]any{"counter": gorm.Expr("counter + 1"), "status": "done", "worker": w}).Error
			}
		}
		if db.Dialect == dbtest.SQLite {
			_, err := chunk.Run(context.Background(), pending, worker(1), chunk.Lock(lock.SkipLocked))
			if !errors.Is(err, chunk.ErrLockUnsupported) || !errors.Is(err, dialect.ErrLockUnsupported) {
				t.Fatalf("got %v, want ErrLockUnsupported: SQLite has no SKIP LOCKED", err)
			}
			var done int64
			if err := db.Model(&runJob{}).Where("counter <> 0").Count(&done).Error; err != nil || done != 0 {
				t.Fatalf("%d rows touched (err %v)", done, err)
			}
			return
		}
		const workers = 4
		reps := make([]chunk.Report, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A queue worker: passes until no job is pending (a pass
				// skips rows others hold when it reaches them). A pass that
				// found every pending row held polls again shortly, as a
				// queue worker does; the loop is bounded by time, not by a
				// pass count that fast empty passes could use up.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				for ctx.Err() == nil {
					rep, err := chunk.Run(ctx, pending, worker(w+1),
						chunk.Size(10), chunk.Lock(lock.SkipLocked))
					reps[w].Rows += rep.Rows
					if errs[w] = err; err != nil {
						return
					}
					var left int64
					if errs[w] = db.Model(&runJob{}).Where("status = ?", "pending").Count(&left).Error; errs[w] != nil || left == 0 {
						return
					}
					if rep.Rows == 0 {
						time.Sleep(5 * time.Millisecond)
					}
				}
				errs[w] = errors.New("jobs still pending after 2 minutes of passes")
			}()
		}
		wg.Wait()
		var total int64
		for w, err := range errs {
			if err != nil {
				t.Fatalf("worker %d: %v", w+1, err)
			}
			total += reps[w].Rows
		}
		if total != 300 {
			t.Fatalf("workers processed %d rows in all, want 300", total)
		}
		var wrong int64
		if err := db.Model(&runJob{}).Where("counter <> 1 OR status <> ?", "done").Count(&wrong).Error; err != nil || wrong != 0 {
			t.Fatalf("%d jobs not done exactly once (err %v)", wrong, err)
		}
		perWorker := map[int]int64{}
		var rows []runJob
		if err := db.Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, j := range rows {
			perWorker[j.Worker]++
		}
		for w := range workers {
			if perWorker[w+1] != reps[w].Rows {
				t.Fatalf("worker %d reported %d rows, marked %d", w+1, reps[w].Rows, perWorker[w+1])
			}
		}
	})
}
