package clustertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// Visit records that chunk.Run's work processed an account, in the chunk's
// transaction: exactly one Visit per account means exactly once.
type Visit struct {
	ID        int64 `gorm:"primaryKey"`
	AccountID int64 `gorm:"not null;index"`
	Run       string
}

const (
	galeraRows = 300
	// galeraRunBonus is what chunk.Run's work adds to each balance.
	galeraRunBonus = 1000
	// galeraMinConcurrent is how many writes the other node makes before
	// the subject's first chunk or statement is allowed to finish, so the two
	// overlap.
	galeraMinConcurrent = 10
)

// nodeWriter increments balances of accounts on one node, one row per
// transaction (retried through updater.Transaction), cycling through the ids,
// until stop is closed and at least min increments were made. It records how
// many increments each account got.
type nodeWriter struct {
	node  *gorm.DB
	incs  map[int64]int64
	count atomic.Int64
	retry atomic.Int64
	err   error
	done  chan struct{}
}

func startWriter(ctx context.Context, node *gorm.DB, rows int64, stop <-chan struct{}) *nodeWriter {
	w := &nodeWriter{node: node, incs: map[int64]int64{}, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				if w.count.Load() >= galeraMinConcurrent {
					return
				}
			default:
			}
			id := i*7%rows + 1
			err := updater.Transaction(ctx, node, func(tx *gorm.DB) error {
				return tx.Exec("UPDATE accounts SET balance = balance + 1 WHERE id = ?", id).Error
			}, updater.OnRetry(func(int, error) { w.retry.Add(1) }))
			if err != nil {
				w.err = fmt.Errorf("writer on another node, account %d: %w", id, err)
				return
			}
			w.incs[id]++
			w.count.Add(1)
		}
	}()
	return w
}

// wait stops the writer and returns the increments per account.
func (w *nodeWriter) wait(t *testing.T) map[int64]int64 {
	t.Helper()
	<-w.done
	if w.err != nil {
		t.Fatal(w.err)
	}
	return w.incs
}

// awaitWrites blocks until w made n increments or ctx is done.
func (w *nodeWriter) awaitWrites(ctx context.Context, n int64) error {
	for w.count.Load() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.done:
			return errors.New("the concurrent writer stopped early")
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// TestGaleraBatchUpdateRows: UpdateRows on node 1 rewrites the owner of every
// account, three times, while node 2 increments balances of the same rows.
// In each call, right after the first UPDATE statement, node 3 also
// increments a row that statement wrote and commits first, so the call's
// transaction fails certification (1213) and UpdateRows must run it again.
// It must still write only owner, so no increment is lost, and every call
// matches every row.
func TestGaleraBatchUpdateRows(t *testing.T) {
	ctx := testContext(t)
	nodes := dbtest.Galera(t)
	seedAccounts(t, nodes[0].DB, galeraRows)
	galeraSync(t, nodes, "accounts")

	stop := make(chan struct{})
	w := startWriter(ctx, nodes[1].DB, galeraRows, stop)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-w.done
	}()
	if err := w.awaitWrites(ctx, galeraMinConcurrent); err != nil {
		t.Fatal(err)
	}
	// Count node 1's UPDATE statements, and make node 3 conflict with the
	// first one of each call.
	var (
		executed int
		inject   bool
		injected int64
	)
	err := nodes[0].Callback().Raw().After("gorm:raw").Register("clustertest:conflict", func(db *gorm.DB) {
		if db.Error != nil || !strings.HasPrefix(db.Statement.SQL.String(), "UPDATE") {
			return
		}
		executed++
		if inject {
			inject = false
			if err := nodes[2].Exec("UPDATE accounts SET balance = balance + 1 WHERE id = 1").Error; err != nil {
				db.AddError(fmt.Errorf("conflicting write on node 3: %w", err))
				return
			}
			injected++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Account, galeraRows)
	var statements int
	for round := 1; round <= 3; round++ {
		inject = true
		for i := range rows {
			rows[i] = Account{ID: int64(i + 1), Owner: fmt.Sprintf("round %d", round), Balance: -1}
		}
		res, err := batch.UpdateRows(ctx, nodes[0].DB, rows, []string{"owner"}, batch.Size(100))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if res.Matched != galeraRows || res.Missing != 0 {
			t.Fatalf("round %d: %+v, want %d matched", round, res, galeraRows)
		}
		statements += res.Statements
	}
	close(stop)
	incs := w.wait(t)
	incs[1] += injected
	if injected != 3 || executed < statements+3 {
		t.Fatalf("%d conflicting writes, %d UPDATE statements executed for %d committed: want 3 conflicts, each retried", injected, executed, statements)
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
			if a.Owner != "round 3" || a.Balance != incs[a.ID] {
				t.Fatalf("node %d: account %d has owner %q balance %d, want \"round 3\" and %d", i+1, a.ID, a.Owner, a.Balance, incs[a.ID])
			}
		}
	}
	t.Logf("Galera, batch.UpdateRows: 3 x %d rows on node 1, %d statements committed of %d executed (3 conflicts forced by node 3), while node 2 made %d increments (%d retries of them)",
		galeraRows, statements, executed, w.count.Load(), w.retry.Load())
}

// TestGaleraBatchRun: a checkpointed chunk.Run on node 1 adds a bonus to
// every account and records a Visit per account, while node 2 increments
// the same rows. On each chunk's first attempt, after its writes, node 3
// also increments a row of the chunk and commits first, so that chunk's
// COMMIT fails certification (1213) and Run must roll it back and run it
// again. Every account must be visited exactly once and end with the bonus
// plus every increment.
func TestGaleraBatchRun(t *testing.T) {
	for _, mode := range []lock.Mode{lock.Default, lock.ForUpdate} {
		name := map[lock.Mode]string{lock.Default: "plain", lock.ForUpdate: "locked"}[mode]
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			nodes := dbtest.Galera(t)
			seedAccounts(t, nodes[0].DB, galeraRows)
			if err := nodes[0].AutoMigrate(&Visit{}); err != nil {
				t.Fatal(err)
			}
			galeraSync(t, nodes, "visits")

			stop := make(chan struct{})
			w := startWriter(ctx, nodes[1].DB, galeraRows, stop)
			var once sync.Once
			stopWriter := func() { once.Do(func() { close(stop) }) }
			defer func() { stopWriter(); <-w.done }()

			conflicted := map[int64]bool{} // first key of each chunk node 3 conflicted with
			injected := map[int64]int64{}  // increments node 3 committed, per account
			rep, err := chunk.Run(ctx, nodes[0].Model(&Account{}), func(tx *gorm.DB, part []Account) error {
				if err := w.awaitWrites(ctx, galeraMinConcurrent); err != nil {
					return err
				}
				ids := make([]int64, len(part))
				visits := make([]Visit, len(part))
				for i, a := range part {
					ids[i] = a.ID
					visits[i] = Visit{AccountID: a.ID, Run: name}
				}
				if err := tx.Create(&visits).Error; err != nil {
					return err
				}
				if err := tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + ?", galeraRunBonus)).Error; err != nil {
					return err
				}
				if first := part[0].ID; !conflicted[first] {
					conflicted[first] = true
					victim := part[len(part)/2].ID
					if err := nodes[2].Exec("UPDATE accounts SET balance = balance + 1 WHERE id = ?", victim).Error; err != nil {
						return fmt.Errorf("conflicting write on node 3: %w", err)
					}
					injected[victim]++
				}
				return nil
			}, chunk.Checkpoint("galera-"+name), chunk.Size(25), chunk.Lock(mode))
			stopWriter()
			incs := w.wait(t)
			if err != nil {
				t.Fatal(err)
			}
			const chunks = galeraRows / 25
			if rep.Rows != galeraRows || rep.RowsDone != galeraRows || rep.Chunks != chunks {
				t.Fatalf("report %+v, want %d rows in %d chunks", rep, galeraRows, chunks)
			}
			if len(conflicted) != chunks || rep.Retries < chunks {
				t.Fatalf("%d chunks conflicted and %d retries, want %d chunks each retried at least once", len(conflicted), rep.Retries, chunks)
			}
			for id, n := range injected {
				incs[id] += n
			}
			checkExactlyOnce(t, nodes, incs)
			t.Logf("Galera, chunk.Run %s: %d rows in %d chunks on node 1, %d chunk retries (%d forced by node 3), while node 2 made %d increments (%d retries of them), %v",
				name, rep.Rows, rep.Chunks, rep.Retries, chunks, w.count.Load(), w.retry.Load(), rep.Elapsed.Round(time.Millisecond))
		})
	}
}

// checkExactlyOnce verifies, on every node with causal reads, that each
// account has exactly one Visit and a balance of the bonus plus incs.
func checkExactlyOnce(t *testing.T, nodes []*dbtest.DB, incs map[int64]int64) {
	t.Helper()
	for i, node := range nodes {
		db := dbtest.Causal(t, node)
		var visits []struct {
			AccountID int64
			N         int64
		}
		if err := db.Model(&Visit{}).Select("account_id, count(*) AS n").Group("account_id").Order("account_id").Scan(&visits).Error; err != nil {
			t.Fatal(err)
		}
		if len(visits) != galeraRows {
			t.Fatalf("node %d: %d accounts visited, want %d", i+1, len(visits), galeraRows)
		}
		for _, v := range visits {
			if v.N != 1 {
				t.Fatalf("node %d: account %d visited %d times, want once", i+1, v.AccountID, v.N)
			}
		}
		want := make(map[int64]int64, galeraRows)
		for id := int64(1); id <= galeraRows; id++ {
			want[id] = galeraRunBonus + incs[id]
		}
		if got := balances(t, db); !reflect.DeepEqual(got, want) {
			t.Fatalf("node %d: balances differ from bonus + increments:\n got %v\nwant %v", i+1, got, want)
		}
	}
}
