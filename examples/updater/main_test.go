package main

import (
	"context"
	"io"
	"testing"

	"github.com/gormup/gormup/examples/internal/exampledb"
)

// The example is documentation: it must run to completion on every database.
func TestExampleRuns(t *testing.T) {
	exampledb.RunsEverywhere(t, func(ctx context.Context, dsn string, out io.Writer) error {
		return run(ctx, dsn, 4, 10, out)
	})
}
