package clustertest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
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

// Galera sizes: 16 writers x 50 increments, as measured in DESIGN.md.
const (
	galeraWriters    = 16
	galeraIncrements = 50
	// galeraAttempts bounds updater.Update's attempts per increment. Each
	// attempt that fails certification lost to a commit of another node; with
	// 16 writers on one row a writer can lose many times in a row, so the
	// default of 10 is too tight for a guarantee of no caller error.
	galeraAttempts = 200
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
// 50 times with updater.Update, pessimistic and optimistic. Every increment
// must land (800) and no writer may see an error.
func TestGaleraUpdaterCounter(t *testing.T) {
	modes := []struct {
		name string
		opt  updater.Option
	}{
		{"lock", updater.WithLock(updater.ForUpdate)},
		{"optimistic", updater.WithOptimistic()},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := testContext(t)
			nodes := dbtest.Galera(t)
			if err := nodes[0].AutoMigrate(&Counter{}); err != nil {
				t.Fatal(err)
			}
			dbtest.MustExec(t, nodes[0].DB, "INSERT INTO counters (id, n, version) VALUES (1, 0, 0)")
			galeraSync(t, nodes, "counters")

			var (
				retries     atomic.Int64
				maxAttempts atomic.Int64
				wg          sync.WaitGroup
				errs        = make(chan error, galeraWriters*galeraIncrements)
			)
			start := time.Now()
			for w := range galeraWriters {
				node := nodes[w%len(nodes)]
				wg.Go(func() {
					for range galeraIncrements {
						res, err := updater.Update(ctx, node.Where("id = ?", 1), func(c *Counter) error {
							c.N++
							return nil
						}, mode.opt, updater.WithMaxAttempts(galeraAttempts),
							updater.WithOnRetry(func(int, error) { retries.Add(1) }))
						if err != nil {
							errs <- fmt.Errorf("writer %d on node %d: %w", w, w%len(nodes)+1, err)
							return
						}
						for {
							m := maxAttempts.Load()
							if int64(res.Attempts) <= m || maxAttempts.CompareAndSwap(m, int64(res.Attempts)) {
								break
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			elapsed := time.Since(start)
			for err := range errs {
				t.Error(err)
			}
			for i, node := range nodes {
				var c Counter
				if err := dbtest.Causal(t, node).Take(&c, 1).Error; err != nil {
					t.Fatalf("node %d: %v", i+1, err)
				}
				if want := int64(galeraWriters * galeraIncrements); c.N != want || c.Version != want {
					t.Errorf("node %d: n = %d, version = %d; want %d and %d", i+1, c.N, c.Version, want, want)
				}
			}
			t.Logf("Galera, updater.Update %s: %d writers x %d increments over 3 nodes: %d retries, at most %d attempts for one increment, %v",
				mode.name, galeraWriters, galeraIncrements, retries.Load(), maxAttempts.Load(), elapsed.Round(time.Millisecond))
		})
	}
}
