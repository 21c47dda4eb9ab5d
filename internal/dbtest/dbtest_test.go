package dbtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// recordingTB captures how Open ends a test without ending this one.
type recordingTB struct {
	testing.TB
	mu      sync.Mutex
	skipped string
	failed  string
}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Helper() {}

func openRecorded(t *testing.T, dialect string) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dbtest.Open(r, dialect)
	}()
	<-done
	return r
}

func TestOpenSkipsUnsetDialectByName(t *testing.T) {
	t.Setenv(dbtest.EnvMySQL, "")
	r := openRecorded(t, dbtest.MySQL)
	if !strings.Contains(r.skipped, "GORMUP_TEST_MYSQL not set") || r.failed != "" {
		t.Fatalf("skipped %q, failed %q; want a skip naming GORMUP_TEST_MYSQL", r.skipped, r.failed)
	}
}

func TestOpenFailsOnUnreachableServer(t *testing.T) {
	for dialect, dsn := range map[string]string{
		dbtest.MySQL:    "root@tcp(127.0.0.1:1)/test?parseTime=true&timeout=2s",
		dbtest.Postgres: "host=127.0.0.1 port=1 user=postgres dbname=test sslmode=disable connect_timeout=2",
	} {
		t.Run(dialect, func(t *testing.T) {
			t.Setenv(dbtest.EnvVar(dialect), dsn)
			r := openRecorded(t, dialect)
			if r.skipped != "" || !strings.Contains(r.failed, dbtest.EnvVar(dialect)) {
				t.Fatalf("skipped %q, failed %q; want a failure naming %s", r.skipped, r.failed, dbtest.EnvVar(dialect))
			}
		})
	}
}

type isolated struct {
	ID   int64
	Note string
}

// Two databases opened for the same test are separate: a table created in
// one does not exist in the other.
func TestOpenIsolatesEachDatabase(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		other := dbtest.Open(t, db.Dialect)
		dbtest.Migrate(t, db, &isolated{})
		dbtest.Seed(t, db.DB, []isolated{{ID: 1, Note: "mine"}})
		if other.Migrator().HasTable(&isolated{}) {
			t.Fatalf("%s: the second database sees the first one's table", db.Dialect)
		}
		// Reopen reaches the same isolated database through its DSN.
		var got isolated
		if err := dbtest.Reopen(t, db).First(&got, 1).Error; err != nil || got.Note != "mine" {
			t.Fatalf("Reopen: got %+v, %v", got, err)
		}
	})
}

func TestCaptureRecordsStatements(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &isolated{})
		cdb, rec := dbtest.Capture(db.DB)
		if err := cdb.Create(&isolated{ID: 7, Note: "x"}).Error; err != nil {
			t.Fatal(err)
		}
		if err := cdb.Model(&isolated{}).Where("id = ?", 7).Update("note", "y").Error; err != nil {
			t.Fatal(err)
		}
		updates := rec.Matching("UPDATE")
		if len(updates) != 1 || !strings.Contains(updates[0], "note") || !strings.Contains(updates[0], "7") {
			t.Fatalf("recorded UPDATEs = %q", updates)
		}
		if n := len(rec.Matching("INSERT")); n != 1 {
			t.Fatalf("recorded %d INSERTs, want 1", n)
		}
	})
}
