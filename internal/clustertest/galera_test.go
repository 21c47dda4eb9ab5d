package clustertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// The tests of this file run on a three-node MariaDB Galera cluster, writers
// spread over the nodes. Galera's row locks are local to a node: two nodes
// changing one row both proceed, and the second to commit fails certification
// with error 1213 (deadlock), which gormup classifies as retryable and retries
// with the whole transaction.

// Counter is one hot row that writers increment.
type Counter struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	N       int64 `gorm:"not null"`
	Version int64 `gorm:"not null;default:0" gormup:"version"`
}

// Galera sizes: 16 writers x 50 increments, as measured in docs/design.md.
const (
	galeraWriters    = 16
	galeraIncrements = 50
	// counterRuns is how many times in a row each counter race runs: the
	// defaults must hold every time, not once by luck.
	counterRuns = 3
)

// galeraSync waits until every node has applied everything the cluster
// committed so far: a causal read (wsrep_sync_wait=1) of table on each.
func galeraSync(t *testing.T, nodes []*dbtest.DB, table string) {
	t.Helper()
	for i, node := range nodes {
		var n int64
		if err := dbtest.Causal(t, node).Table(table).Count(&n).Error; err != nil {
			t.Fatalf("causal read of %s on node %d: %v", table, i+1, err)
		}
	}
}

// TestGaleraUpdaterCounter: 16 writers, each on node w%3, increment one row
// 50 times with updater.Update and default options, pessimistic and
// optimistic, three runs in a row. Every increment must land (800) and no
// writer may see an error.
func TestGaleraUpdaterCounter(t *testing.T) {
	for _, mode := range counterModes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := testContext(t)
			nodes := dbtest.Galera(t)
			if err := nodes[0].AutoMigrate(&Counter{}); err != nil {
				t.Fatal(err)
			}
			writers := make([]*gorm.DB, len(nodes))
			for i, node := range nodes {
				writers[i] = node.DB
			}
			for run := int64(1); run <= counterRuns; run++ {
				dbtest.MustExec(t, nodes[0].DB, "INSERT INTO counters (id, n, version) VALUES (?, 0, 0)", run)
				galeraSync(t, nodes, "counters")
				stats := raceCounter(ctx, t, writers, run, mode.opts...)
				for i, node := range nodes {
					wantCounter(t, fmt.Sprintf("node %d", i+1), dbtest.Causal(t, node), run)
				}
				t.Logf("Galera, updater.Update %s, run %d: %d writers x %d increments over 3 nodes: %s",
					mode.name, run, galeraWriters, galeraIncrements, stats)
			}
		})
	}
}

// TestUpdaterCounterDefaults is TestGaleraUpdaterCounter on each configured
// single server (SQLite always): 16 writers x 50 increments of one row
// through updater.Update with default options, lock and optimistic mode,
// three runs in a row, 800 of 800 and no caller error.
func TestUpdaterCounterDefaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for _, mode := range counterModes {
			t.Run(mode.name, func(t *testing.T) {
				ctx := testContext(t)
				dbtest.Migrate(t, db, &Counter{})
				dbtest.MustExec(t, db.DB, "DELETE FROM counters")
				for run := int64(1); run <= counterRuns; run++ {
					dbtest.MustExec(t, db.DB, "INSERT INTO counters (id, n, version) VALUES (?, 0, 0)", run)
					stats := raceCounter(ctx, t, []*gorm.DB{db.DB}, run, mode.opts...)
					wantCounter(t, db.Dialect, db.DB, run)
					t.Logf("%s, updater.Update %s, run %d: %d writers x %d increments: %s",
						db.Dialect, mode.name, run, galeraWriters, galeraIncrements, stats)
				}
			})
		}
	})
}

// counterModes are updater.Update's two modes; nothing else is set.
var counterModes = []struct {
	name string
	opts []updater.UpdateOption
}{
	{"lock", []updater.UpdateOption{updater.Lock(lock.ForUpdate)}},
	{"optimistic", []updater.UpdateOption{updater.Optimistic()}},
}

// raceStats is what one counter race measured.
type raceStats struct {
	retries     int64 // retries of all writers (attempts beyond the first)
	maxAttempts int64 // the most attempts one increment took
	elapsed     time.Duration
}

func (s raceStats) String() string {
	return fmt.Sprintf("%d retries, at most %d attempts for one increment, %v", s.retries, s.maxAttempts, s.elapsed.Round(time.Millisecond))
}

// raceCounter runs galeraWriters goroutines, writer w on dbs[w%len(dbs)],
// each incrementing counter id galeraIncrements times with updater.Update
// and opts (plus OnRetry to count retries). Every caller error fails t.
func raceCounter(ctx context.Context, t *testing.T, dbs []*gorm.DB, id int64, opts ...updater.UpdateOption) raceStats {
	t.Helper()
	var (
		retries     atomic.Int64
		maxAttempts atomic.Int64
		wg          sync.WaitGroup
		errs        = make(chan error, galeraWriters*galeraIncrements)
	)
	opts = append(opts[:len(opts):len(opts)], updater.OnRetry(func(int, error) { retries.Add(1) }))
	start := time.Now()
	for w := range galeraWriters {
		db := dbs[w%len(dbs)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range galeraIncrements {
				res, err := updater.Update(ctx, db.Where("id = ?", id), func(c *Counter) error {
					c.N++
					return nil
				}, opts...)
				if err != nil {
					errs <- fmt.Errorf("writer %d on server %d: %w", w, w%len(dbs)+1, err)
					return
				}
				for {
					m := maxAttempts.Load()
					if int64(res.Attempts) <= m || maxAttempts.CompareAndSwap(m, int64(res.Attempts)) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return raceStats{retries: retries.Load(), maxAttempts: maxAttempts.Load(), elapsed: time.Since(start)}
}

// wantCounter reads counter id through db and fails t unless every
// increment of a race landed, each with its version increment.
func wantCounter(t *testing.T, where string, db *gorm.DB, id int64) {
	t.Helper()
	var c Counter
	if err := db.Take(&c, id).Error; err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if want := int64(galeraWriters * galeraIncrements); c.N != want || c.Version != want {
		t.Errorf("%s: counter %d: n = %d, version = %d; want %d and %d", where, id, c.N, c.Version, want, want)
	}
}

// TestGaleraUpdateEach: updater.UpdateEach, checkpointed, on node 1 renames
// every owner while node 2 increments balances of the same rows, and node 3,
// right after each chunk's first UPDATE, increments a row of that chunk and
// commits first, so every chunk fails certification once and is reloaded and
// changed again. UpdateEach writes only the owner column, so no increment is
// lost, and every row is changed exactly once.
func TestGaleraUpdateEach(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	seedAccounts(t, nodes[0].DB, galeraRows)
	galeraSync(t, nodes, "accounts")

	stop := make(chan struct{})
	w := startWriter(ctx, nodes[1].DB, galeraRows, stop)
	var once sync.Once
	stopWriter := func() { once.Do(func() { close(stop) }) }
	defer func() { stopWriter(); <-w.done }()
	if err := w.awaitWrites(ctx, galeraMinConcurrent); err != nil {
		t.Fatal(err)
	}
	const size = 25
	var (
		lastID     int64              // the last row the change function saw
		conflicted = map[int64]bool{} // chunks (by first id) node 3 conflicted with
		injected   = map[int64]int64{}
	)
	err := nodes[0].Callback().Raw().After("gorm:raw").Register("clustertest:conflict", func(db *gorm.DB) {
		chunk := (lastID-1)/size*size + 1
		if db.Error != nil || !strings.HasPrefix(db.Statement.SQL.String(), "UPDATE") || conflicted[chunk] {
			return
		}
		conflicted[chunk] = true
		if err := nodes[2].Exec("UPDATE accounts SET balance = balance + 1 WHERE id = ?", lastID).Error; err != nil {
			db.AddError(fmt.Errorf("conflicting write on node 3: %w", err))
			return
		}
		injected[lastID]++
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := updater.UpdateEach(ctx, nodes[0].DB, func(a *Account) error {
		lastID = a.ID
		a.Owner = fmt.Sprintf("each %d", a.ID)
		return nil
	}, chunk.Size(size), chunk.Checkpoint("galera-each"))
	stopWriter()
	incs := w.wait(t)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range injected {
		incs[id] += n
	}
	if len(conflicted) != galeraRows/size || res.Run.Retries < galeraRows/size {
		t.Fatalf("%d chunks conflicted, %d retries; want %d chunks each retried", len(conflicted), res.Run.Retries, galeraRows/size)
	}
	if res.Scanned != galeraRows || res.Changed != galeraRows || res.Columns["owner"] != galeraRows || len(res.Columns) != 1 {
		t.Fatalf("UpdateEach: %+v, want %d rows changed, owner only", res, galeraRows)
	}
	for i, node := range nodes {
		var got []Account
		if err := dbtest.Causal(t, node).Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != galeraRows {
			t.Fatalf("node %d: %d accounts, want %d", i+1, len(got), galeraRows)
		}
		for _, a := range got {
			if a.Owner != fmt.Sprintf("each %d", a.ID) || a.Balance != incs[a.ID] {
				t.Fatalf("node %d: account %d has owner %q balance %d, want \"each %d\" and %d", i+1, a.ID, a.Owner, a.Balance, a.ID, incs[a.ID])
			}
		}
	}
	t.Logf("Galera, updater.UpdateEach: %d rows in %d chunks on node 1, %d chunk retries (%d forced by node 3), while node 2 made %d increments (%d retries of them)",
		res.Scanned, res.Run.Chunks, res.Run.Retries, len(conflicted), w.count.Load(), w.retry.Load())
}
