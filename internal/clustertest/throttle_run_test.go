package clustertest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// TestRunHoldsOnReplicaLag is issue 16's acceptance on the live pair: with
// the standby's replay paused and the primary's WAL far ahead, a chunk.Run
// with a lag limit holds before its first chunk and commits nothing; once
// replay resumes it finishes, every row exactly once.
func TestRunHoldsOnReplicaLag(t *testing.T) {
	s := dbtest.Standby(t)
	ctx := testContext(t)
	seedAccounts(t, s.Primary, 50)
	s.PauseReplay(t) // resumed in t.Cleanup; serialised with other test processes
	// About 8 MB of WAL the standby receives but cannot replay.
	dbtest.MustExec(t, s.Primary, "CREATE TABLE run_lag_filler AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 60000) g")

	lag := &chunk.PostgresReplicas{DB: s.Primary, MaxBytes: 1 << 20, MaxLag: time.Hour, MinReplicas: 1}
	holds := make(chan string, 64)
	var committed atomic.Int64
	done := make(chan error, 1)
	go func() {
		_, err := chunk.Run(ctx, s.Primary.Model(&Account{}), func(tx *gorm.DB, part []Account) error {
			ids := make([]int64, len(part))
			for i, a := range part {
				ids[i] = a.ID
			}
			return tx.Model(&Account{}).Where("id IN ?", ids).UpdateColumn("balance", gorm.Expr("balance + 1")).Error
		}, chunk.Size(10), chunk.Throttle(lag), chunk.Hooks(chunk.Callbacks{
			OnHold: func(_ context.Context, _ chunk.Info, reason string, _ time.Duration) {
				select {
				case holds <- reason:
				default:
				}
			},
			AfterCommit: func(context.Context, chunk.Info) { committed.Add(1) },
		}))
		done <- err
	}()
	for range 3 { // three polls held, nothing committed
		select {
		case reason := <-holds:
			if !strings.Contains(reason, "WAL") {
				t.Fatalf("held for %q, want the replica's WAL lag", reason)
			}
		case err := <-done:
			t.Fatalf("Run returned (%v) while the standby's replay is paused", err)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	var touched int64
	if err := s.Primary.Model(&Account{}).Where("balance <> 0").Count(&touched).Error; err != nil {
		t.Fatal(err)
	}
	if n := committed.Load(); n != 0 || touched != 0 {
		t.Fatalf("while held: %d chunks committed, %d rows changed; want none", n, touched)
	}
	dbtest.MustExec(t, s.Standby, "SELECT pg_wal_replay_resume()")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after replay resumed: %v", err)
		}
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	var wrong int64
	if err := s.Primary.Model(&Account{}).Where("balance <> 1").Count(&wrong).Error; err != nil || wrong != 0 {
		t.Fatalf("%d rows not changed exactly once (%v)", wrong, err)
	}
	if n := committed.Load(); n != 5 {
		t.Fatalf("%d chunks committed, want 5", n)
	}
}
