package clustertest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
)

const (
	// failoverRows is how many accounts the failover test seeds.
	failoverRows = 20000
	// failoverSize is its chunk size.
	failoverSize = 500
	// failoverAt is the chunk (0-based) during which the primary is lost:
	// failoverAt chunks are committed before it.
	failoverAt = 12
	// failoverRunWait bounds the run that loses its primary: it must fail
	// on its own, well before.
	failoverRunWait = 60 * time.Second
)

// TestPGFailoverMidRun: a checkpointed chunk.Run on a PostgreSQL primary
// loses that primary (pg_ctl stop -m immediate) while a chunk's transaction
// is open, and the standby is promoted. The run must fail cleanly — a
// *ChunkError saying to resume after the committed chunks, not a hang, not a
// retry loop — and the new primary must hold exactly the committed chunks:
// its checkpoint and the per-row counters agree. The same run started again
// on the new primary with the same checkpoint name finishes the rest: every
// row's counter is exactly 1.
//
// The pair is the test's own (startPGPair), with synchronous replication, so
// the new primary has every chunk whose COMMIT succeeded; the checkpoint and
// counters agreeing is what must hold with asynchronous replication too, where
// the last acknowledged chunks may be lost with the old primary and are then
// done again by the rerun.
func TestPGFailoverMidRun(t *testing.T) {
	ctx := testContext(t)
	pair := startPGPair(t, true)
	primary := pair.open(t, pair.primary)
	seedFailover(t, primary)

	failover := true
	var failedOver time.Time
	work := func(tx *gorm.DB, part []Account) error {
		if err := countOnce(tx, part); err != nil {
			return err
		}
		if failover && part[0].ID == failoverAt*failoverSize+1 {
			failover = false
			if err := pair.failover(); err != nil {
				t.Fatal(err)
			}
			failedOver = time.Now()
		}
		return nil
	}

	runCtx, cancel := context.WithTimeout(ctx, failoverRunWait)
	defer cancel()
	rep, err := chunk.Run(runCtx, primary.Model(&Account{}), work, chunk.Checkpoint("failover"), chunk.Size(failoverSize))
	returned := time.Now()
	if failover {
		t.Fatalf("the run ended (%+v, %v) before reaching chunk %d", rep, err, failoverAt)
	}
	var chunkErr *chunk.ChunkError
	if !errors.As(err, &chunkErr) {
		t.Fatalf("run that lost its primary: %v (report %+v), want a *chunk.ChunkError", err, rep)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("run that lost its primary ended by its context, not by the lost server: %v", err)
	}
	want := int64(failoverAt * failoverSize)
	if chunkErr.Index != failoverAt || chunkErr.RowsDone != want || chunkErr.Attempts != 1 ||
		!reflect.DeepEqual(chunkErr.ResumeAfter, []any{want}) {
		t.Fatalf("chunk error %+v: want chunk %d failed at its only attempt, %d rows done, resume after key %d",
			chunkErr, failoverAt, want, want)
	}
	if rep.Rows != want || rep.Chunks != failoverAt {
		t.Fatalf("report of the failed run %+v, want %d rows in %d chunks", rep, want, failoverAt)
	}
	t.Logf("run failed %s after the failover: %v", returned.Sub(failedOver).Round(time.Millisecond), chunkErr)

	promoted := pair.open(t, pair.standby)
	if pair.inRecovery(t, promoted) {
		t.Fatal("the promoted standby is still in recovery")
	}
	// Synchronous replication: the new primary has every committed chunk
	// and nothing of the chunk in flight.
	if cp := checkFailoverCounters(t, promoted); cp.Chunks != failoverAt || cp.RowsDone != want || cp.Done {
		t.Fatalf("checkpoint on the new primary %+v, want %d chunks and %d rows, not done", cp, failoverAt, want)
	}

	rerunFailover(t, promoted, work, want)
}

// seedFailover creates the accounts 1..failoverRows on db, balance 0.
func seedFailover(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.AutoMigrate(&Account{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO accounts (id, owner, balance, version) SELECT g, 'seed', 0, 0 FROM generate_series(1, ?::bigint) AS g", failoverRows).Error; err != nil {
		t.Fatal(err)
	}
}

// countOnce is the failover runs' work: it adds 1 to each row's balance.
func countOnce(tx *gorm.DB, part []Account) error {
	ids := make([]int64, len(part))
	for i, a := range part {
		ids[i] = a.ID
	}
	return tx.Model(&Account{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 1")).Error
}

// rerunFailover runs the checkpoint "failover" again on the new primary,
// which holds done rows under it, and checks that it resumes there and
// leaves every row counted exactly once.
func rerunFailover(t *testing.T, promoted *gorm.DB, work func(*gorm.DB, []Account) error, done int64) {
	t.Helper()
	rep, err := chunk.Run(testContext(t), promoted.Model(&Account{}), work, chunk.Checkpoint("failover"), chunk.Size(failoverSize))
	if err != nil {
		t.Fatalf("rerun on the new primary: %v", err)
	}
	if rep.Resumed != (done > 0) || rep.Rows != failoverRows-done || rep.RowsDone != failoverRows {
		t.Fatalf("rerun %+v, want it resumed with %d more rows, %d done", rep, failoverRows-done, failoverRows)
	}
	cp := checkFailoverCounters(t, promoted)
	if !cp.Done || cp.RowsDone != failoverRows {
		t.Fatalf("checkpoint after the rerun %+v, want done with %d rows", cp, failoverRows)
	}
}

// failoverCheckpoint is the stored checkpoint as the failover test reads it.
type failoverCheckpoint struct {
	RowsDone int64
	Chunks   int64
	Done     bool
}

// checkFailoverCounters reads the checkpoint "failover" on db and fails t
// unless it agrees with the counters: the rows it counts as done (ids
// 1..RowsDone, the run's order) have balance 1, every other row 0.
func checkFailoverCounters(t *testing.T, db *gorm.DB) failoverCheckpoint {
	t.Helper()
	var cp failoverCheckpoint
	if err := db.Table(chunk.CheckpointTable).Select("rows_done, chunks, done").Where("name = ?", "failover").Take(&cp).Error; err != nil {
		t.Fatalf("reading the checkpoint: %v", err)
	}
	var got struct{ Total, DoneOnce, RestZero int64 }
	err := db.Raw(`SELECT count(*) AS total,
		count(*) FILTER (WHERE id <= ? AND balance = 1) AS done_once,
		count(*) FILTER (WHERE id > ? AND balance = 0) AS rest_zero
		FROM accounts`, cp.RowsDone, cp.RowsDone).Scan(&got).Error
	if err != nil {
		t.Fatalf("reading the counters: %v", err)
	}
	if got.Total != failoverRows || got.DoneOnce != cp.RowsDone || got.RestZero != failoverRows-cp.RowsDone {
		t.Fatalf("checkpoint %+v and counters disagree: %d rows, %d of ids 1..%d counted once, %d others untouched; want %d, %d, %d",
			cp, got.Total, got.DoneOnce, cp.RowsDone, got.RestZero, failoverRows, cp.RowsDone, failoverRows-cp.RowsDone)
	}
	return cp
}
