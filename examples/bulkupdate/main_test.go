package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// The example is documentation: it must run to completion on every database.
func TestExampleRuns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		var out bytes.Buffer
		if err := run(ctx, db.DSN, 600, 50, &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		if out.Len() == 0 {
			t.Fatal("the example printed nothing")
		}
	})
}
