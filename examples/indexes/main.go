// Command indexes shows the index package on a job queue table: the indexes
// declared by tags are checked and created, advice says which index a
// chunked bulk update needs, the update is timed without and with it, a
// drifted index is found and repaired, and a partial index is created where
// the database has them (and refused, not silently widened, on MySQL).
//
//	go run ./examples/indexes                  # embedded SQLite, 200,000 jobs
//	go run ./examples/indexes -rows 1000000
//	go run ./examples/indexes -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/index"
	"gorm.io/gorm"
)

// Job is a queue entry. Its tags declare the index a chunked update over
// one status needs: the status, then the primary key the chunks follow.
type Job struct {
	ID        int64     `gorm:"primaryKey;autoIncrement:false;index:idx_jobs_status_id,priority:2"`
	Status    string    `gorm:"size:16;index:idx_jobs_status_id,priority:1"`
	Queue     string    `gorm:"size:32"`
	CreatedAt time.Time `gorm:"index"`
	Attempts  int64
	Payload   string `gorm:"size:128"`
}

// jobTable creates the table without its indexes, as an old migration did.
type jobTable struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	Status    string `gorm:"size:16"`
	Queue     string `gorm:"size:32"`
	CreatedAt time.Time
	Attempts  int64
	Payload   string `gorm:"size:128"`
}

func (jobTable) TableName() string { return "jobs" }

func main() {
	dsn := exampledb.DSNFlag()
	rows := flag.Int("rows", 200_000, "jobs to seed; 1 in 1,000 is stuck")
	flag.Parse()
	if err := run(context.Background(), *dsn, *rows, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "indexes:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, n int, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "indexes on %s, %d jobs\n", name, n)
	if err := seed(ctx, db, n); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}

	// 1. What the tags declare, against the database.
	report, err := index.Diff(ctx, db, []any{&Job{}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n1. Diff before Ensure\n%s", indent(report))

	// 2. Advice for the nightly retry of stuck jobs, chunked along the key.
	advice, err := index.Advise(ctx, db, &Job{}, "status", "id")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n2. Advise(status, id)\n   %s\n", advice)
	before, err := retryStuck(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   chunked update without the index: %s\n", before)

	// 3. Ensure creates what is missing; a second run changes nothing.
	for i := range 2 {
		if report, err = index.Ensure(ctx, db, []any{&Job{}}); err != nil {
			return err
		}
		fmt.Fprintf(out, "\n3.%d Ensure\n%s", i+1, indent(report))
	}
	covered, err := index.Covers(ctx, db, &Job{}, "status", "id")
	if err != nil {
		return err
	}
	after, err := retryStuck(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   Covers(status, id) = %v; chunked update with the index: %s\n", covered, after)

	// 4. Someone rebuilt the index by hand, in the wrong order.
	if err := db.Migrator().DropIndex(&Job{}, "idx_jobs_status_id"); err != nil {
		return err
	}
	if err := db.Exec("CREATE INDEX idx_jobs_status_id ON jobs (id, status)").Error; err != nil {
		return err
	}
	if report, err = index.Ensure(ctx, db, []any{&Job{}}); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n4. Ensure after a manual change (reported, left alone)\n%s", indent(report))
	if report, err = index.Ensure(ctx, db, []any{&Job{}}, index.Repair()); err != nil {
		return err
	}
	fmt.Fprintf(out, "   Ensure with Repair\n%s", indent(report))

	// 5. A partial index for another team's model, declared in code.
	failed := index.On(&jobTable{}, index.Def{Name: "idx_jobs_failed_queue", Columns: []string{"queue"}, Where: "status = 'failed'"})
	report, err = index.Ensure(ctx, db, []any{&Job{}, failed})
	fmt.Fprintf(out, "\n5. Partial index declared in code\n")
	var unsupported *index.UnsupportedError
	switch {
	case errors.As(err, &unsupported):
		fmt.Fprintf(out, "   refused, nothing created: %v\n", err)
	case err != nil:
		return err
	default:
		fmt.Fprint(out, indent(report))
	}
	return nil
}

// retryStuck bumps the attempts of every stuck job in chunks of 1,000 rows
// and reports the rate.
func retryStuck(ctx context.Context, db *gorm.DB) (string, error) {
	start := time.Now()
	n, err := batch.Update(ctx, db.Model(&Job{}).Where("status = ?", "stuck"),
		map[string]any{"attempts": gorm.Expr("attempts + 1")}, batch.Size(1000), batch.CommitEach())
	if err != nil {
		return "", err
	}
	el := time.Since(start)
	return fmt.Sprintf("%d rows in %v (%.0f rows/s)", n, el.Round(time.Millisecond), float64(n)/el.Seconds()), nil
}

func seed(ctx context.Context, db *gorm.DB, n int) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&jobTable{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&jobTable{}); err != nil {
		return err
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batchRows = 1000
	return db.Transaction(func(tx *gorm.DB) error {
		rows := make([]jobTable, 0, batchRows)
		for i := 1; i <= n; i++ {
			status := "done"
			switch {
			case i%1000 == 1:
				status = "stuck"
			case i%100 == 0:
				status = "failed"
			}
			rows = append(rows, jobTable{ID: int64(i), Status: status, Queue: fmt.Sprintf("q%d", i%7),
				CreatedAt: base.Add(time.Duration(i) * time.Second), Payload: fmt.Sprintf("%0100d", i)})
			if len(rows) == batchRows || i == n {
				if err := tx.CreateInBatches(rows, 100).Error; err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	})
}

// indent renders a report indented under its heading.
func indent(r index.Report) string {
	var s string
	for _, ix := range r.Indexes {
		s += fmt.Sprintf("   %s: %s", ix.Name, ix.Status)
		for _, d := range ix.Differences {
			s += fmt.Sprintf(" (%s)", d)
		}
		s += "\n"
	}
	return s
}
