package main

import (
	"bytes"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// The example is documentation: it must run to completion on every database.
func TestExampleRuns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {

		var out bytes.Buffer
		if err := run(db.DSN, 500, 50, 0, 0, &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		if out.Len() == 0 {
			t.Fatal("the example printed nothing")
		}
	})
}
