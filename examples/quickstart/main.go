// Command quickstart is a guided tour of gormup. It runs with no setup on
// embedded SQLite; -dsn runs the same tour on PostgreSQL, MySQL/MariaDB or
// SQL Server.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"gorm.io/gorm"
)

// step is one stop of the tour.
type step struct {
	title string
	run   func(ctx context.Context, db *gorm.DB, out io.Writer) error
}

// steps is the tour, in order. Each capability adds its stop here.
var steps = []step{
	{"Connect: what gormup knows about your database", stepDialect},
	{"Update: change one row safely, write only what changed", stepUpdater},
	{"Read: load only the columns a DTO needs", stepProjection},
	{"Bulk: one guarded UPDATE, then per-row values set-based", stepBatch},
	{"Indexes: check tag indexes, get advice, declare one in code", stepIndex},
	{"Plugins: Guard refuses unbounded writes, Audit records changes, Stats counts", stepHooks},
	{"Chunks: resumable runs with a checkpoint, set-based ranges, UpdateEach", stepRun},
}

func main() {
	dsn := exampledb.DSNFlag()
	flag.Parse()
	if err := run(context.Background(), *dsn, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "gormup quickstart on %s\n", name)
	if err := setup(ctx, db); err != nil {
		return fmt.Errorf("setting up the demo table: %w", err)
	}
	for i, s := range steps {
		fmt.Fprintf(out, "\n%d. %s\n", i+1, s.title)
		if err := s.run(ctx, db, out); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
	}
	fmt.Fprintln(out, "\nDone. Each step has a full program under examples/.")
	return nil
}
