// Command chunked processes a table in chunks with chunk.Run: one
// transaction per chunk, a checkpoint advanced in the same transaction, a
// terminal progress bar, and a resume after Ctrl-C that processes every row
// exactly once.
//
//	go run ./examples/chunked                       # embedded SQLite, interrupts itself once
//	go run ./examples/chunked -dsn sqlite:/tmp/c.db -interrupt-after 0
//	                                                # press Ctrl-C, then run the same command again
//
// Ctrl-C (SIGINT) cancels the context: the chunk in flight rolls back, the
// committed ones stay, and the next run with the same checkpoint name goes on
// after the last committed key.
//
// The run is polite: its chunk size adapts so each chunk's transaction takes
// about -target (chunk.TargetChunkTime), and it is throttled
// (chunk.Throttle): it holds between chunks while the file named by
// -hold-file exists (a stand-in for a replica-lag check such as
// chunk.PostgresReplicas) or while another process has paused it with
// chunk.Pause(ctx, db, "credit-interest"). The progress bar shows the chunk
// size in use; holds are printed with their reason.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/schollz/progressbar/v3"
	"gorm.io/gorm"
)

// Entry is a ledger row; the run credits interest once per row.
type Entry struct {
	ID       int64 `gorm:"primaryKey;autoIncrement:false"`
	Account  string
	Amount   int64
	Credited int // how many times the run processed the row: must end at 1
}

const checkpointName = "credit-interest"

// pacing holds the flags of the adaptive size and the throttle.
var pacing struct {
	target   time.Duration
	holdFile string
}

// pacingOptions returns the options of a polite run: adaptive size and a
// throttle that holds while the hold file exists (and, through the
// checkpoint name, while the run is paused with chunk.Pause).
func pacingOptions(out io.Writer) []chunk.RunOption {
	var opts []chunk.RunOption
	if pacing.target > 0 {
		opts = append(opts, chunk.TargetChunkTime(pacing.target))
	}
	hold := chunk.CheckFunc(func(context.Context) (chunk.Hold, error) {
		if pacing.holdFile == "" {
			return chunk.Hold{}, nil
		}
		if _, err := os.Stat(pacing.holdFile); err == nil {
			return chunk.Hold{Held: true, Reason: "hold file " + pacing.holdFile + " exists"}, nil
		}
		return chunk.Hold{}, nil
	})
	onHold := chunk.Callbacks{OnHold: func(_ context.Context, c chunk.Info, reason string, held time.Duration) {
		fmt.Fprintf(out, "held before chunk %d for %s: %s\n", c.Index, held.Round(time.Second), reason)
	}}
	return append(opts, chunk.Throttle(hold), chunk.MaxHold(time.Hour), chunk.Hooks(onHold))
}

func main() {
	dsn := exampledb.DSNFlag()
	rows := flag.Int("rows", 20000, "rows to seed when the table is empty")
	size := flag.Int("size", 500, "rows per chunk (one transaction each)")
	delay := flag.Duration("delay", 10*time.Millisecond, "pause per chunk, so there is time to press Ctrl-C")
	interruptAfter := flag.Int("interrupt-after", 8, "send ourselves SIGINT after this many chunks, then resume (0: never)")
	flag.DurationVar(&pacing.target, "target", 100*time.Millisecond, "chunk time the size adapts to (0: fixed -size)")
	flag.StringVar(&pacing.holdFile, "hold-file", os.TempDir()+"/gormup-chunked.hold", "hold the run between chunks while this file exists")
	flag.Parse()
	if err := run(*dsn, *rows, *size, *delay, *interruptAfter, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chunked:", err)
		os.Exit(1)
	}
}

func run(dsn string, rows, size int, delay time.Duration, interruptAfter int, out io.Writer) error {
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "chunked run on %s\n", name)
	if err := seed(db, rows); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		// Ctrl-C cancels ctx; a second Ctrl-C kills the program as usual.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		selfInterrupt := 0
		if attempt == 1 {
			selfInterrupt = interruptAfter
		}
		rep, err := process(ctx, db, size, delay, selfInterrupt, out)
		stop()
		var ce *chunk.ChunkError
		switch {
		case err == nil && rep.AlreadyDone:
			fmt.Fprintf(out, "checkpoint %q is already done (%d rows); pass a fresh -dsn to start over\n", checkpointName, rep.RowsDone)
		case err == nil:
			fmt.Fprintf(out, "done: %d rows in %d chunks this run, %d in all (%d retries)\n", rep.Rows, rep.Chunks, rep.RowsDone, rep.Retries)
		case errors.Is(err, context.Canceled) && errors.As(err, &ce):
			fmt.Fprintf(out, "interrupted: %d rows committed, chunk %d rolled back; resuming after key %v\n", ce.RowsDone, ce.Index, ce.ResumeAfter)
			if selfInterrupt == 0 {
				fmt.Fprintln(out, "run the same command again to resume")
				return nil
			}
			continue
		default:
			return err
		}
		return verify(db, out)
	}
}

// seed creates the table and fills it when it is empty, so that a second
// invocation on the same -dsn resumes instead of starting over.
func seed(db *gorm.DB, n int) error {
	if err := db.AutoMigrate(&Entry{}); err != nil {
		return err
	}
	var count int64
	if err := db.Model(&Entry{}).Count(&count).Error; err != nil || count > 0 {
		return err
	}
	rows := make([]Entry, n)
	for i := range rows {
		rows[i] = Entry{ID: int64(i + 1), Account: fmt.Sprintf("acct-%03d", i%250), Amount: int64(1000 + i%97)}
	}
	return db.CreateInBatches(rows, 500).Error
}

// process runs (or resumes) the checkpointed run with a progress bar.
func process(ctx context.Context, db *gorm.DB, size int, delay time.Duration, interruptAfter int, out io.Writer) (chunk.Report, error) {
	// The bar is made at the first progress report, which carries the total
	// (CountTotal) and the rows done by earlier runs; it shows this run's
	// rows, so that its rate is this run's.
	var bar *progressbar.ProgressBar
	var before int64
	desc := "crediting"
	defer func() {
		if bar != nil {
			_ = bar.Exit()
			fmt.Fprintln(os.Stderr)
		}
	}()
	chunks, lastRows := 0, 0
	interrupt := chunk.Callbacks{AfterCommit: func(ctx context.Context, c chunk.Info) {
		chunks, lastRows = chunks+1, c.Rows
		if interruptAfter > 0 && chunks == interruptAfter {
			selfInterrupt()
		}
	}}
	opts := append(pacingOptions(out),
		chunk.Size(size), chunk.Checkpoint(checkpointName), chunk.CountTotal(), chunk.Hooks(interrupt),
		chunk.OnProgress(func(p chunk.Progress) {
			if bar == nil {
				before = p.Done - int64(lastRows)
				if before > 0 {
					desc = fmt.Sprintf("crediting (resumed after %d rows)", before)
				}
				bar = progressbar.NewOptions64(p.Total-before,
					progressbar.OptionSetDescription(desc),
					progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionShowCount(),
					progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("rows"),
					progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(50*time.Millisecond),
				)
			}
			bar.Describe(fmt.Sprintf("%s, %d rows/chunk, held %s", desc, p.Size, p.Held.Round(time.Second)))
			_ = bar.Set64(p.Done - before)
		}))
	return chunk.Run(ctx, db.Model(&Entry{}), func(tx *gorm.DB, part []Entry) error {
		ids := make([]int64, len(part))
		for i, e := range part {
			ids[i] = e.ID
		}
		err := tx.Model(&Entry{}).Where("id IN ?", ids).
			Updates(map[string]any{"amount": gorm.Expr("amount + amount / 100"), "credited": gorm.Expr("credited + 1")}).Error
		if err != nil {
			return err
		}
		// Stand-in for slower work; a Ctrl-C here rolls this chunk back.
		select {
		case <-time.After(delay):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, opts...)
}

// selfInterrupt sends this process SIGINT, as Ctrl-C would.
func selfInterrupt() {
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(os.Interrupt)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chunked: cannot signal myself:", err)
	}
}

// verify checks that every row was processed exactly once.
func verify(db *gorm.DB, out io.Writer) error {
	var wrong, total int64
	if err := db.Model(&Entry{}).Where("credited <> 1").Count(&wrong).Error; err != nil {
		return err
	}
	if err := db.Model(&Entry{}).Count(&total).Error; err != nil {
		return err
	}
	if wrong != 0 {
		return fmt.Errorf("%d of %d rows were not processed exactly once", wrong, total)
	}
	fmt.Fprintf(out, "every one of the %d rows was processed exactly once\n", total)
	return nil
}
