package chunk_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// The crash test re-executes the test binary as a child that runs the
// checkpointed Run and is SIGKILLed at a chosen point; these variables tell
// the child what to open and where to stop.
const (
	envCrashDialect = "GORMUP_RUN_CRASH_DIALECT"
	envCrashDSN     = "GORMUP_RUN_CRASH_DSN"
	envCrashPoint   = "GORMUP_RUN_CRASH_POINT" // "work:N", "before:N", "commit:N" or "async"
	envCrashMode    = "GORMUP_RUN_CRASH_MODE"  // "run", "ranges" (Ranges) or "workers" (Run with Workers(3))
	crashReady      = "gormup-crash: kill me now"
	crashRows       = 100_000
	crashChunk      = 1000
	crashName       = "crash-test"
)

// crashRow is the table the crash test counts on.
type crashRow struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Counter int64
}

func crashWork(tx *gorm.DB, part []crashRow) error {
	return tx.Model(&crashRow{}).Where("id BETWEEN ? AND ?", part[0].ID, part[len(part)-1].ID).
		Update("counter", gorm.Expr("counter + 1")).Error
}

func crashRanges(rows *gorm.DB, _ chunk.Range) error {
	return rows.Update("counter", gorm.Expr("counter + 1")).Error
}

// TestRunCrashChild is the child process of TestRunSurvivesSIGKILL.
func TestRunCrashChild(t *testing.T) {
	name := os.Getenv(envCrashDialect)
	if name == "" {
		t.Skip("helper process of TestRunSurvivesSIGKILL")
	}
	db := dbtest.OpenDSN(t, name, os.Getenv(envCrashDSN))
	point, n, _ := strings.Cut(os.Getenv(envCrashPoint), ":")
	at, _ := strconv.ParseInt(n, 10, 64)
	die := func() {
		fmt.Println(crashReady)
		time.Sleep(time.Hour) // until SIGKILL
	}
	work := func(tx *gorm.DB, part []crashRow) error {
		if err := crashWork(tx, part); err != nil {
			return err
		}
		if point == "work" && part[0].ID == at*crashChunk+1 {
			die() // the chunk's update is done, its checkpoint and commit are not
		}
		return nil
	}
	h := chunk.Callbacks{
		Before: func(ctx context.Context, c chunk.Info) error {
			switch {
			case point == "before" && c.Index == at:
				die()
			case point == "async":
				time.Sleep(2 * time.Millisecond) // give the parent's poll a window per chunk
			}
			return nil
		},
		AfterCommit: func(ctx context.Context, c chunk.Info) {
			if point == "commit" && c.Index == at {
				die() // committed; the process dies before anything else
			}
		},
	}
	var err error
	mode := os.Getenv(envCrashMode)
	workers := 0 // the default: one
	if mode == "workers" {
		workers = 3
	}
	if mode == "ranges" {
		_, err = chunk.Ranges(context.Background(), db.Model(&crashRow{}), func(rows *gorm.DB, r chunk.Range) error {
			if err := crashRanges(rows, r); err != nil {
				return err
			}
			if point == "work" && r.Index == at {
				die()
			}
			return nil
		}, chunk.Size(crashChunk), chunk.Checkpoint(crashName), chunk.Hooks(h), chunk.Workers(workers))
	} else {
		_, err = chunk.Run(context.Background(), db, work, chunk.Size(crashChunk), chunk.Checkpoint(crashName), chunk.Hooks(h), chunk.Workers(workers))
	}
	t.Fatalf("child ran to the end (err %v): it should have been killed", err)
}

// Every chunk's checkpoint is committed with its work: killing the process
// mid-chunk, between chunks or right after a commit, then resuming, leaves
// every counter at exactly 1.
func TestRunSurvivesSIGKILL(t *testing.T) {
	testSurvivesSIGKILL(t, "run")
}

// The same with three workers, each with its own checkpoint.
func TestRunWorkersSurviveSIGKILL(t *testing.T) {
	testSurvivesSIGKILL(t, "workers")
}

// The same for Ranges, whose chunks are one UPDATE each.
func TestRunRangesSurvivesSIGKILL(t *testing.T) {
	testSurvivesSIGKILL(t, "ranges")
}

func testSurvivesSIGKILL(t *testing.T, mode string) {
	if testing.Short() {
		t.Skip("spawns processes over 100,000 rows; not in -short")
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &crashRow{})
		rows := make([]crashRow, crashRows)
		for i := range rows {
			rows[i].ID = int64(i + 1)
		}
		if err := db.CreateInBatches(rows, 1000).Error; err != nil {
			t.Fatal(err)
		}
		points := []string{"work:3", "before:21", "commit:40", "work:55", "async"}
		if mode == "workers" {
			// Each worker has a third of the rows, about 34 chunks; "work"
			// points are chunk starts of the first worker's range.
			points = []string{"work:3", "before:12", "commit:20", "work:25", "async"}
		}
		for _, point := range points {
			killChild(t, db, point, mode)
			done := checkCrashInvariant(t, db.DB, mode == "workers")
			t.Logf("killed at %s: %d rows committed", point, done)
		}
		var rep chunk.Report
		var err error
		switch mode {
		case "workers":
			rep, err = chunk.Run(context.Background(), db.DB, crashWork, chunk.Size(crashChunk), chunk.Checkpoint(crashName), chunk.Workers(3))
		case "ranges":
			rep, err = chunk.Ranges(context.Background(), db.Model(&crashRow{}), crashRanges, chunk.Size(crashChunk), chunk.Checkpoint(crashName))
		default:
			rep, err = chunk.Run(context.Background(), db.DB, crashWork, chunk.Size(crashChunk), chunk.Checkpoint(crashName))
		}
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Resumed || rep.RowsDone != crashRows {
			t.Fatalf("final run %+v, want a resumed run ending at %d rows", rep, crashRows)
		}
		var wrong int64
		if err := db.Model(&crashRow{}).Where("counter <> 1").Count(&wrong).Error; err != nil || wrong != 0 {
			t.Fatalf("%d counters are not exactly 1 (err %v)", wrong, err)
		}
	})
}

// killChildTimeout bounds how long killChild waits for the child to reach its
// kill point.
const killChildTimeout = 2 * time.Minute

// killChild starts the child at point and SIGKILLs it when it says so, or —
// for "async" — as soon as its checkpoints have advanced 5,000 rows. It kills
// the child and fails t when neither happens within killChildTimeout.
func killChild(t *testing.T, db *dbtest.DB, point, mode string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashDialect+"="+db.Dialect, envCrashDSN+"="+db.DSN, envCrashPoint+"="+point)
	cmd.Env = append(cmd.Env, envCrashMode+"="+mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan string, 1)
	ready := make(chan struct{})
	go func() {
		var out strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == crashReady {
				close(ready)
			}
			out.WriteString(sc.Text() + "\n")
		}
		exited <- out.String()
	}()
	// A child that never reaches its kill point (a hung run, a lock wait)
	// must fail the test, not hang it: past killChildTimeout it is killed.
	limit := time.After(killChildTimeout)
	giveUp := func() {
		_ = cmd.Process.Kill()
		out := <-exited
		_ = cmd.Wait()
		t.Fatalf("child at %s did not reach its kill point within %s; killed it:\n%s", point, killChildTimeout, out)
	}
	if point == "async" {
		var start int64
		if err := db.Raw(crashDoneQuery, crashName, crashName+"/%").Scan(&start).Error; err != nil {
			t.Fatal(err)
		}
		for {
			var done int64
			err := db.Raw(crashDoneQuery, crashName, crashName+"/%").Scan(&done).Error
			if err == nil && done >= start+5000 {
				break
			}
			select {
			case out := <-exited:
				t.Fatalf("child exited before the kill:\n%s", out)
			case <-limit:
				giveUp()
			case <-time.After(time.Millisecond):
			}
		}
	} else {
		select {
		case <-ready:
		case out := <-exited:
			t.Fatalf("child at %s exited before the kill point:\n%s", point, out)
		case <-limit:
			giveUp()
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child at %s: got %v, want killed", point, err)
	}
}

// crashDoneQuery sums the rows done of the run's checkpoint and of its
// workers' checkpoints (a parallel run's own row counts only at the end).
const crashDoneQuery = "SELECT COALESCE(SUM(rows_done), 0) FROM gormup_checkpoints WHERE name = ? OR name LIKE ?"

// checkCrashInvariant asserts that the checkpoints and the counters agree:
// as many counters at 1 as rows done, none above, and for a sequential run
// exactly rows 1..done. It returns done.
func checkCrashInvariant(t *testing.T, db *gorm.DB, parallel bool) int64 {
	t.Helper()
	// One statement, so one snapshot: the killed child's last COMMIT may
	// still be landing on the server when the parent reads, and separate
	// reads of the checkpoints and the counters could straddle it.
	var got struct{ Done, Ones, Others, MaxOne int64 }
	q := "SELECT (" + crashDoneQuery + ") AS done," +
		" (SELECT COUNT(*) FROM crash_rows WHERE counter = 1) AS ones," +
		" (SELECT COUNT(*) FROM crash_rows WHERE counter NOT IN (0, 1)) AS others," +
		" (SELECT COALESCE(MAX(id), 0) FROM crash_rows WHERE counter = 1) AS max_one"
	if err := db.Raw(q, crashName, crashName+"/%").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	done, ones, others, maxOne := got.Done, got.Ones, got.Others, got.MaxOne
	if done == 0 || ones != done || others != 0 || (!parallel && (done%crashChunk != 0 || maxOne != done)) {
		t.Fatalf("checkpoints say %d rows done; %d counters at 1 (highest id %d), %d at other values", done, ones, maxOne, others)
	}
	return done
}
