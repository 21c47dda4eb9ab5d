package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// The tour is documentation: it must run, end to end, on every database.
func TestTourRuns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		var out bytes.Buffer
		if err := run(context.Background(), db.DSN, &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		text := out.String()
		for i, s := range steps {
			if !strings.Contains(text, s.title) {
				t.Errorf("output lacks step %d (%s)", i+1, s.title)
			}
		}
		if !strings.HasSuffix(strings.TrimSpace(text), "Each step has a full program under examples/.") {
			t.Errorf("tour did not finish:\n%s", text)
		}
	})
}
