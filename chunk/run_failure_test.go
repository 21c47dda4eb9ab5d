package chunk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// bumpThen bumps the chunk, then returns fail(part) — the update is done
// inside the transaction before the error, so a rollback must undo it.
func bumpThen(fail func(part []runItem) error) func(*gorm.DB, []runItem) error {
	return func(tx *gorm.DB, part []runItem) error {
		if err := bump(tx, part); err != nil {
			return err
		}
		return fail(part)
	}
}

func TestRunNonRetryableErrorStopsAndResumes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 100)
		boom := errors.New("boom")
		rep, err := chunk.Run(context.Background(), db.DB, bumpThen(func(part []runItem) error {
			if part[0].ID == 41 {
				return boom
			}
			return nil
		}), chunk.Size(20), chunk.Checkpoint("fails"))
		var ce *chunk.ChunkError
		if !errors.As(err, &ce) || !errors.Is(err, boom) {
			t.Fatalf("got %v, want a *ChunkError wrapping boom", err)
		}
		if ce.Index != 2 || !slices.Equal(ce.FirstKey, []any{int64(41)}) || !slices.Equal(ce.LastKey, []any{int64(60)}) ||
			!slices.Equal(ce.ResumeAfter, []any{int64(40)}) || ce.RowsDone != 40 || ce.Attempts != 1 || ce.Checkpoint != "fails" {
			t.Fatalf("ChunkError %+v", ce)
		}
		if want := `chunk: chunk 2 (keys [41]..[60]) failed; 40 rows committed; checkpoint "fails" resumes after key [40]: boom`; err.Error() != want {
			t.Fatalf("message\n got %s\nwant %s", err, want)
		}
		if rep.Rows != 40 || rep.Chunks != 2 {
			t.Fatalf("report %+v, want 40 rows in 2 chunks", rep)
		}
		got := counters(t, db.DB)
		wantCounters(t, got, 1, 40, 1)
		wantCounters(t, got, 41, 100, 0) // the failed chunk rolled back, the rest untouched

		rep, err = chunk.Run(context.Background(), db.DB, bump, chunk.Size(20), chunk.Checkpoint("fails"))
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Resumed || rep.Rows != 60 || rep.RowsDone != 100 {
			t.Fatalf("resumed report %+v, want 60 more rows, 100 in all", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 100, 1)
	})
}

func TestRunCancellationRollsBackTheChunkInFlight(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 100)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := chunk.Run(ctx, db.DB, bumpThen(func(part []runItem) error {
			if part[0].ID == 61 {
				cancel() // mid-chunk: the bump is done, the commit is not
			}
			return nil
		}), chunk.Size(30), chunk.Checkpoint("cancel"))
		var ce *chunk.ChunkError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &ce) {
			t.Fatalf("got %v, want a *ChunkError wrapping context.Canceled", err)
		}
		if !slices.Equal(ce.ResumeAfter, []any{int64(60)}) || ce.RowsDone != 60 || ce.Index != 2 {
			t.Fatalf("ChunkError %+v, want resume after [60] with 60 rows done", ce)
		}
		if !strings.Contains(err.Error(), `checkpoint "cancel" resumes after key [60]`) {
			t.Fatalf("message %q does not say where to resume", err)
		}
		got := counters(t, db.DB)
		wantCounters(t, got, 1, 60, 1)
		wantCounters(t, got, 61, 100, 0)

		rep, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(30), chunk.Checkpoint("cancel"))
		if err != nil || rep.Rows != 40 {
			t.Fatalf("resume: %+v, %v; want 40 rows", rep, err)
		}
		wantCounters(t, counters(t, db.DB), 1, 100, 1)
	})
}

func TestRunFinishedCheckpointAndRestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 25)
		run := func(opts ...chunk.RunOption) chunk.Report {
			t.Helper()
			rep, err := chunk.Run(context.Background(), db.DB, bump, append(opts, chunk.Size(10), chunk.Checkpoint("once"))...)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := run(); rep.Rows != 25 || rep.AlreadyDone {
			t.Fatalf("first run %+v", rep)
		}
		if rep := run(); !rep.AlreadyDone || rep.Rows != 0 || rep.RowsDone != 25 || !slices.Equal(rep.LastKey, []any{int64(25)}) {
			t.Fatalf("second run %+v, want AlreadyDone with 25 rows done", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 25, 1)
		if rep := run(chunk.Restart()); rep.Rows != 25 || rep.AlreadyDone || rep.Resumed {
			t.Fatalf("restarted run %+v", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 25, 2)
		if err := chunk.DeleteCheckpoint(context.Background(), db.DB, "once"); err != nil {
			t.Fatal(err)
		}
		if rep := run(); rep.Rows != 25 {
			t.Fatalf("run after DeleteCheckpoint %+v", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 25, 3)
	})
}

func TestRunHooksProgressAndCleanStop(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 50)
		var events []string
		var progress []chunk.Progress
		stop := true
		recorder := chunk.Callbacks{
			Before: func(ctx context.Context, c chunk.Info) error {
				events = append(events, "before")
				if stop && c.Index == 3 && c.Progress.Done == 30 {
					return chunk.ErrStop
				}
				return nil
			},
			AfterCommit: func(ctx context.Context, c chunk.Info) {
				events = append(events, "commit")
				if c.Rows != 10 || c.Attempt != 1 || c.Progress.Done != (c.Index+1)*10 || c.Name != "hooks" {
					t.Errorf("AfterCommit %+v", c)
				}
			},
		}
		opts := []chunk.RunOption{chunk.Size(10), chunk.Checkpoint("hooks"), chunk.CountTotal(), chunk.Hooks(recorder),
			chunk.OnProgress(func(p chunk.Progress) { progress = append(progress, p) })}
		rep, err := chunk.Run(context.Background(), db.DB, bump, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Stopped || rep.Rows != 30 {
			t.Fatalf("report %+v, want a clean stop after 30 rows", rep)
		}
		if want := []string{"before", "commit", "before", "commit", "before", "commit", "before"}; !slices.Equal(events, want) {
			t.Fatalf("events %v, want %v", events, want)
		}
		if len(progress) != 3 || progress[2].Done != 30 || progress[2].Total != 50 || progress[2].Chunks != 3 || progress[2].Rate <= 0 {
			t.Fatalf("progress %+v", progress)
		}
		wantCounters(t, counters(t, db.DB), 1, 30, 1)
		wantCounters(t, counters(t, db.DB), 31, 50, 0)

		// Resuming counts the total again from the checkpoint and finishes.
		events, progress, stop = nil, nil, false
		rep, err = chunk.Run(context.Background(), db.DB, bump, opts...)
		if err != nil || rep.Rows != 20 || rep.RowsDone != 50 {
			t.Fatalf("resume: %+v, %v", rep, err)
		}
		last := progress[len(progress)-1]
		if last.Done != 50 || last.Total != 50 || last.ETA != 0 || last.Chunks != 5 {
			t.Fatalf("last progress %+v", last)
		}
		wantCounters(t, counters(t, db.DB), 1, 50, 1)
	})
}

func TestRunBeforeHookErrorAndOnError(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		refuse := errors.New("maintenance window")
		var failed []chunk.Info
		h := chunk.Callbacks{
			Before: func(ctx context.Context, c chunk.Info) error {
				if c.Index == 1 {
					return refuse
				}
				return nil
			},
			OnError: func(ctx context.Context, c chunk.Info, err error) {
				if errors.Is(err, refuse) {
					failed = append(failed, c)
				}
			},
		}
		_, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(10), chunk.Hooks(h))
		var ce *chunk.ChunkError
		if !errors.As(err, &ce) || !errors.Is(err, refuse) || ce.Attempts != 0 || ce.Index != 1 {
			t.Fatalf("got %v, want a ChunkError for chunk 1 wrapping the hook's error", err)
		}
		if len(failed) != 1 || failed[0].Index != 1 || !slices.Equal(failed[0].After, []any{int64(10)}) {
			t.Fatalf("OnError calls %+v", failed)
		}
		wantCounters(t, counters(t, db.DB), 1, 10, 1)
		wantCounters(t, counters(t, db.DB), 11, 30, 0)
	})
}

func TestRunCheckpointMovedByAnotherRunRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		other := dbtest.Reopen(t, db)
		// Between chunks 0 and 1, another run of the same name commits a
		// chunk: this run's chunk 1 must not commit on top of it.
		race := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.Index == 1 {
				return other.Exec("UPDATE gormup_checkpoints SET chunks = chunks + 1 WHERE name = ?", "shared").Error
			}
			return nil
		}}
		_, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(10), chunk.Checkpoint("shared"), chunk.Hooks(race))
		var ce *chunk.ChunkError
		if !errors.Is(err, chunk.ErrCheckpointConflict) || !errors.As(err, &ce) || ce.Index != 1 {
			t.Fatalf("got %v, want ErrCheckpointConflict in chunk 1", err)
		}
		wantCounters(t, counters(t, db.DB), 1, 10, 1)
		wantCounters(t, counters(t, db.DB), 11, 30, 0)
	})
}

func TestRunCheckpointWithOtherOrderingIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		stop := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.Index == 1 {
				return chunk.ErrStop
			}
			return nil
		}}
		if _, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(10), chunk.Checkpoint("ord"), chunk.Hooks(stop)); err != nil {
			t.Fatal(err)
		}
		_, err := chunk.Run(context.Background(), db.DB, bump, chunk.Size(10), chunk.Checkpoint("ord"), chunk.OrderBy("score"))
		if !errors.Is(err, chunk.ErrCheckpointMismatch) {
			t.Fatalf("got %v, want ErrCheckpointMismatch", err)
		}
		wantCounters(t, counters(t, db.DB), 1, 10, 1)
		wantCounters(t, counters(t, db.DB), 11, 30, 0)
	})
}

// runNullable is ordered by a column that may hold NULL.
type runNullable struct {
	ID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Rank *int64
}

func TestRunRefusesBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 5)
		dbtest.Migrate(t, db, &runNullable{})
		one := int64(1)
		dbtest.Seed(t, db.DB, []runNullable{{ID: 1, Rank: &one}, {ID: 2}})
		ctx := context.Background()
		// Every work function writes, and every run has a checkpoint: a
		// refusal that let a chunk run would show in the counters, in the
		// ranks or in gormup_checkpoints.
		const name = "refused"
		cp := chunk.Checkpoint(name)
		bumpAll := func(tx *gorm.DB) error {
			return tx.Exec("UPDATE run_items SET counter = counter + 1").Error
		}
		tests := []struct {
			name string
			run  func() error
			want error
		}{
			{"order on db", func() error { _, err := chunk.Run(ctx, db.Order("id"), bump, cp); return err }, chunk.ErrQueryShape},
			{"limit on db", func() error { _, err := chunk.Run(ctx, db.Limit(3), bump, cp); return err }, chunk.ErrQueryShape},
			{"unknown column", func() error { _, err := chunk.Run(ctx, db.DB, bump, chunk.OrderBy("nope"), cp); return err }, chunk.ErrOrderColumn},
			{"bad direction", func() error { _, err := chunk.Run(ctx, db.DB, bump, chunk.OrderBy("score UP"), cp); return err }, chunk.ErrOrderColumn},
			{"nil work", func() error { _, err := chunk.Run[runItem](ctx, db.DB, nil, cp); return err }, chunk.ErrBadWork},
			{"non-struct", func() error {
				_, err := chunk.Run(ctx, db.Model(&runItem{}), func(tx *gorm.DB, _ []int64) error { return bumpAll(tx) }, cp)
				return err
			}, chunk.ErrBadWork},
		}
		for _, tt := range tests {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			}
		}
		if n := countCheckpoints(t, db.DB, name); n != 0 {
			t.Fatalf("%d gormup_checkpoints rows named %q, want none", n, name)
		}

		// A NULL key is found once the run has started, loading the first
		// chunk: a *ChunkError, whose checkpoint stays at zero rows.
		_, err := chunk.Run(ctx, db.DB, func(tx *gorm.DB, part []runNullable) error {
			if err := tx.Model(&runNullable{}).Where("id > 0").Update("rank", 99).Error; err != nil {
				return err
			}
			return bumpAll(tx)
		}, chunk.OrderBy("rank"), chunk.Checkpoint("null-key"))
		var ce *chunk.ChunkError
		if !errors.Is(err, chunk.ErrNullKey) || !errors.As(err, &ce) || ce.RowsDone != 0 || ce.Index != 0 {
			t.Fatalf("got %v, want a *ChunkError for chunk 0 wrapping ErrNullKey", err)
		}
		if cps := checkpointRows(t, db.DB, "null-key"); len(cps) != 1 || cps["null-key"] != [2]int64{0, 0} {
			t.Fatalf("checkpoints %v, want null-key alone, at 0 rows, not done", cps)
		}
		wantCounters(t, counters(t, db.DB), 1, 5, 0)
		var ranks []runNullable
		if err := db.Order("id").Find(&ranks).Error; err != nil {
			t.Fatal(err)
		}
		if len(ranks) != 2 || ranks[0].Rank == nil || *ranks[0].Rank != 1 || ranks[1].Rank != nil {
			t.Fatalf("runNullable rows changed: %+v", ranks)
		}
	})
}

// countCheckpoints counts the checkpoint rows named name or name/… (a
// worker's); none when the table does not exist.
func countCheckpoints(t testing.TB, db *gorm.DB, name string) int64 {
	t.Helper()
	if !db.Migrator().HasTable(chunk.CheckpointTable) {
		return 0
	}
	var n int64
	if err := db.Table(chunk.CheckpointTable).Where("name = ? OR name LIKE ?", name, name+"/%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Inside the caller's transaction the chunks commit (or roll back) with it.
func TestRunInsideACallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		undo := errors.New("undo")
		err := db.Transaction(func(tx *gorm.DB) error {
			rep, err := chunk.Run(context.Background(), tx, bump, chunk.Size(10))
			if err != nil {
				return err
			}
			if rep.Rows != 30 || rep.Chunks != 3 {
				t.Errorf("report %+v, want 30 rows in 3 chunks", rep)
			}
			wantCounters(t, counters(t, tx), 1, 30, 1) // visible inside
			return undo
		})
		if !errors.Is(err, undo) {
			t.Fatalf("got %v", err)
		}
		wantCounters(t, counters(t, db.DB), 1, 30, 0) // rolled back with the caller
	})
}
