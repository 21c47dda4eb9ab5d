package chunk_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// TestRunPauseHoldsBetweenChunksAndResumeFinishesExactlyOnce: another
// handle pauses a throttled, checkpointed run after its first chunk; while
// held, no further row is written (read back from the hold callback), and
// Resume lets it finish with every row done exactly once.
func TestRunPauseHoldsBetweenChunksAndResumeFinishesExactlyOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		ctx := context.Background()
		other := db.Session(&gorm.Session{NewDB: true}) // the "other process"
		const name = "pause-test"
		t.Cleanup(func() { _ = chunk.Resume(context.Background(), other, name) })
		var holds int
		var heldAt map[int64]int64
		cb := chunk.Callbacks{
			AfterCommit: func(ctx context.Context, c chunk.Info) {
				if c.Index == 0 {
					if err := chunk.Pause(ctx, other, name); err != nil {
						t.Error(err)
					}
				}
			},
			OnHold: func(ctx context.Context, c chunk.Info, reason string, held time.Duration) {
				holds++
				if c.Index != 1 || reason == "" {
					t.Errorf("held before chunk %d with reason %q, want chunk 1 and a reason", c.Index, reason)
				}
				heldAt = counters(t, db.DB)
				if err := chunk.Resume(ctx, other, name); err != nil {
					t.Error(err)
				}
			},
		}
		var last chunk.Progress
		rep, err := chunk.Run(ctx, db.DB, bump, chunk.Size(10), chunk.Checkpoint(name), chunk.Throttle(),
			chunk.Hooks(cb), chunk.OnProgress(func(p chunk.Progress) { last = p }))
		if err != nil || rep.Rows != 30 || rep.Chunks != 3 {
			t.Fatalf("Run = %+v, %v; want 30 rows in 3 chunks", rep, err)
		}
		if holds != 1 || last.Held <= 0 {
			t.Fatalf("holds = %d, Progress.Held = %s; want one hold, reported", holds, last.Held)
		}
		for id, n := range heldAt {
			if want := int64(0); id <= 10 {
				want = 1
				if n != want {
					t.Fatalf("while held, row %d counter = %d, want %d", id, n, want)
				}
			} else if n != want {
				t.Fatalf("while held, row %d counter = %d, want %d: the run progressed while paused", id, n, want)
			}
		}
		for id, n := range counters(t, db.DB) {
			if n != 1 {
				t.Fatalf("row %d counter = %d, want 1 (exactly once)", id, n)
			}
		}
	})
}

// TestRunHeldTooLongFailsWithCleanCheckpoint: a check that keeps holding
// fails the run past MaxHold with a *ChunkError wrapping ErrHeldTooLong
// before the held chunk begins; a rerun without the check resumes after the
// committed chunks and every row is done exactly once.
func TestRunHeldTooLongFailsWithCleanCheckpoint(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		ctx := context.Background()
		var calls atomic.Int32
		lag := chunk.CheckFunc(func(context.Context) (chunk.Hold, error) {
			if calls.Add(1) == 1 {
				return chunk.Hold{Reason: "replica 0s behind"}, nil
			}
			return chunk.Hold{Held: true, Reason: "replica 9s behind, limit 1s"}, nil
		})
		rep, err := chunk.Run(ctx, db.DB, bump, chunk.Size(10), chunk.Checkpoint("held"),
			chunk.Throttle(lag), chunk.MaxHold(time.Millisecond))
		var held *chunk.HeldError
		var ce *chunk.ChunkError
		if !errors.Is(err, chunk.ErrHeldTooLong) || !errors.As(err, &held) || !errors.As(err, &ce) {
			t.Fatalf("got %v, want a *ChunkError wrapping a *HeldError", err)
		}
		if held.Reason != "replica 9s behind, limit 1s" || ce.Attempts != 0 || ce.Index != 1 || rep.Rows != 10 {
			t.Fatalf("HeldError %+v, ChunkError %+v, report %+v; want the reason, chunk 1 never begun, 10 rows", held, ce, rep)
		}
		rep, err = chunk.Run(ctx, db.DB, bump, chunk.Size(10), chunk.Checkpoint("held"))
		if err != nil || !rep.Resumed || rep.Rows != 20 {
			t.Fatalf("rerun = %+v, %v; want 20 more rows, resumed", rep, err)
		}
		for id, n := range counters(t, db.DB) {
			if n != 1 {
				t.Fatalf("row %d counter = %d, want 1 (exactly once)", id, n)
			}
		}
	})
}

// TestRunTargetChunkTimeAdapts: with a per-row cost the test controls (a
// sleep per row in the work) and chunks far longer than the target, the
// size shrinks chunk after chunk, and the checkpoint stays exact: every row
// is done once. The direction is asserted, not durations.
func TestRunTargetChunkTimeAdapts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 400)
		ctx := context.Background()
		slow := func(tx *gorm.DB, part []runItem) error {
			time.Sleep(time.Duration(len(part)) * time.Millisecond)
			return bump(tx, part)
		}
		var sizes []int
		rep, err := chunk.Run(ctx, db.DB, slow, chunk.Size(100), chunk.Checkpoint("adaptive"),
			chunk.TargetChunkTime(20*time.Millisecond),
			chunk.Hooks(chunk.Callbacks{AfterCommit: func(_ context.Context, c chunk.Info) { sizes = append(sizes, c.Rows) }}))
		if err != nil || rep.Rows != 400 {
			t.Fatalf("Run = %+v, %v; want 400 rows", rep, err)
		}
		if len(sizes) < 4 || sizes[0] != 100 || sizes[1] >= sizes[0] || sizes[2] >= sizes[1] {
			t.Fatalf("chunk sizes %v, want 100 first, then shrinking toward the 20ms target", sizes)
		}
		for id, n := range counters(t, db.DB) {
			if n != 1 {
				t.Fatalf("row %d counter = %d, want 1 (exactly once)", id, n)
			}
		}
		_, err = chunk.Run(ctx, db.DB, slow, chunk.TargetChunkTime(-1))
		if !errors.Is(err, chunk.ErrBadOption) {
			t.Fatalf("TargetChunkTime(-1): got %v, want ErrBadOption", err)
		}
	})
}
