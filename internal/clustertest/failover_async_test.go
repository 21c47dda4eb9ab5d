package clustertest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/gormup/gormup/chunk"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// TestPGFailoverAsyncMidRun: the failover of TestPGFailoverMidRun with
// asynchronous replication, the run going through dbresolver (the standby as
// its replica), and the primary stopped by another goroutine once
// failoverAt chunks have committed — wherever the run then is: loading a
// chunk, in its work, at COMMIT or between chunks. The last chunk's work
// waits for the failover, so the run cannot finish before it.
//
// The run must fail with a *ChunkError. The new primary may lack the last
// chunks the old one acknowledged (asynchronous replication), and may hold
// the chunk in flight if its COMMIT reached the WAL but not the client; in
// every case its checkpoint and the counters agree, and the rerun there
// finishes every row exactly once.
func TestPGFailoverAsyncMidRun(t *testing.T) {
	ctx := testContext(t)
	pair := startPGPair(t, false)
	seedFailover(t, pair.open(t, pair.primary))
	resolved := pair.openResolved(t)

	failedOver := make(chan struct{})
	var failoverErr error
	progress := func(p chunk.Progress) {
		if p.Chunks == failoverAt {
			go func() {
				defer close(failedOver)
				failoverErr = pair.failover()
			}()
		}
	}
	work := func(tx *gorm.DB, part []Account) error {
		if err := countOnce(tx, part); err != nil {
			return err
		}
		if part[len(part)-1].ID == failoverRows {
			select {
			case <-failedOver:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}

	runCtx, cancel := context.WithTimeout(ctx, failoverRunWait)
	defer cancel()
	rep, err := chunk.Run(runCtx, resolved.Model(&Account{}), work,
		chunk.Checkpoint("failover"), chunk.Size(failoverSize), chunk.OnProgress(progress))
	select {
	case <-failedOver:
	case <-ctx.Done():
		t.Fatalf("the failover did not finish: %v", ctx.Err())
	}
	if failoverErr != nil {
		t.Fatal(failoverErr)
	}
	var chunkErr *chunk.ChunkError
	if !errors.As(err, &chunkErr) {
		t.Fatalf("run that lost its primary: %v (report %+v), want a *chunk.ChunkError", err, rep)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("run that lost its primary ended by its context, not by the lost server: %v", err)
	}
	if chunkErr.Index < failoverAt || rep.Chunks != chunkErr.Index || rep.Rows != chunkErr.RowsDone {
		t.Fatalf("chunk error %+v with report %+v: want a chunk from %d on failed, the report counting the chunks before it", chunkErr, rep, failoverAt)
	}

	promoted := pair.open(t, pair.standby)
	if pair.inRecovery(t, promoted) {
		t.Fatal("the promoted standby is still in recovery")
	}
	cp := checkFailoverCounters(t, promoted)
	if cp.Done || cp.Chunks > chunkErr.Index+1 {
		t.Fatalf("checkpoint on the new primary %+v: want at most the %d acknowledged chunks and the one in flight, not done", cp, chunkErr.Index)
	}
	t.Logf("run failed at chunk %d after %d acknowledged chunks (%v); the new primary holds %d chunks",
		chunkErr.Index, rep.Chunks, chunkErr.Err, cp.Chunks)
	rerunFailover(t, promoted, countOnce, cp.RowsDone)
}

// openResolved opens the primary with gorm.io/plugin/dbresolver sending
// plain reads to the standby; the replica's pool is closed in t.Cleanup.
func (p *pgPair) openResolved(t *testing.T) *gorm.DB {
	t.Helper()
	db := p.open(t, p.primary)
	resolver := dbresolver.Register(dbresolver.Config{Replicas: []gorm.Dialector{postgres.Open(p.dsn(p.standby))}})
	if err := db.Use(resolver); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = resolver.Call(func(pool gorm.ConnPool) error {
			if c, ok := pool.(io.Closer); ok {
				c.Close()
			}
			return nil
		})
	})
	return db
}
