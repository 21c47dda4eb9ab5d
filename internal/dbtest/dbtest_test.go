package dbtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
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

// The two SQLite targets are the two drivers, and each is the driver its name
// says (a second handle through Reopen uses the same one).
func TestSQLiteTargetsAreTheTwoDrivers(t *testing.T) {
	for target, wantDriver := range map[string]string{
		dbtest.SQLite:       "*sqlite3.SQLiteDriver",
		dbtest.SQLitePureGo: "*sqlite.Driver",
	} {
		t.Run(target, func(t *testing.T) {
			db := dbtest.Open(t, target)
			if db.Dialect != dbtest.SQLite || db.Target != target || db.DB.Dialector.Name() != dbtest.SQLite {
				t.Fatalf("Dialect %q, Target %q, GORM's name %q", db.Dialect, db.Target, db.DB.Dialector.Name())
			}
			for _, h := range []*gorm.DB{db.DB, dbtest.Reopen(t, db)} {
				sqlDB, err := h.DB()
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprintf("%T", sqlDB.Driver()); got != wantDriver {
					t.Fatalf("driver %s, want %s", got, wantDriver)
				}
			}
		})
	}
}

type stamped struct {
	ID int64
	At time.Time
}

// Both SQLite drivers store a time.Time as the same text and read it back as
// the same instant, nanoseconds and zone offset included, so a database
// written through one reads the same through the other.
func TestSQLiteDriversStoreTimesAlike(t *testing.T) {
	zone := time.FixedZone("", -(3*3600 + 30*60))
	times := []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, zone),
		time.Date(1999, 12, 31, 23, 59, 59, 1, zone),
	}
	stored := map[string][]string{}
	for _, target := range []string{dbtest.SQLite, dbtest.SQLitePureGo} {
		db := dbtest.Open(t, target)
		dbtest.Migrate(t, db, &stamped{})
		for i, at := range times {
			if err := db.Create(&stamped{ID: int64(i + 1), At: at}).Error; err != nil {
				t.Fatal(err)
			}
		}
		var texts []string
		if err := db.Raw("SELECT CAST(at AS TEXT) FROM stampeds ORDER BY id").Scan(&texts).Error; err != nil {
			t.Fatal(err)
		}
		stored[target] = texts
		var back []stamped
		if err := db.Order("id").Find(&back).Error; err != nil {
			t.Fatal(err)
		}
		for i, got := range back {
			if !got.At.Equal(times[i]) {
				t.Fatalf("%s: read back %v, want %v", target, got.At, times[i])
			}
			if _, off := got.At.Zone(); off != func() int { _, o := times[i].Zone(); return o }() {
				t.Fatalf("%s: read back offset of %v, want that of %v", target, got.At, times[i])
			}
		}
	}
	if a, b := strings.Join(stored[dbtest.SQLite], "|"), strings.Join(stored[dbtest.SQLitePureGo], "|"); a != b {
		t.Fatalf("stored texts differ:\n mattn:  %s\n purego: %s", a, b)
	}
	if got, want := stored[dbtest.SQLite][0], "2026-01-02 03:04:05.123456789+00:00"; got != want {
		t.Fatalf("stored %q, want %q", got, want)
	}
}
