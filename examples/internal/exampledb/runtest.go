package exampledb

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// RunsEverywhere is the test every example program has: its run function must
// complete, printing something, on every database dbtest configures (each in
// a database of its own).
func RunsEverywhere(t *testing.T, run func(ctx context.Context, dsn string, out io.Writer) error) {
	t.Helper()
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		var out bytes.Buffer
		if err := run(context.Background(), DSN(db), &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		if out.Len() == 0 {
			t.Fatal("the example printed nothing")
		}
	})
}

// DSN is the -dsn value that runs an example on db, through the driver db was
// opened with (sqlite: the pure-Go one, sqlite3: mattn/go-sqlite3).
func DSN(db *dbtest.DB) string {
	switch db.Target {
	case dbtest.SQLitePureGo:
		return "sqlite:" + db.DSN
	case dbtest.SQLite:
		return "sqlite3:" + db.DSN
	}
	return db.DSN
}
