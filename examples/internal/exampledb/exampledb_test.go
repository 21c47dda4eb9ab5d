package exampledb

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

type leftover struct {
	ID   int64
	Note string
}

// With a server DSN the example works in a schema/database of its own, never
// in the one the DSN names, and cleanup drops it: afterwards the caller's
// database holds exactly what it held before (nothing) and the example's own
// is gone.
func TestServerRunLeavesNothingBehind(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if dbtest.IsSQLite(db.Target) {
			t.Skip("SQLite: see TestSQLitePathMustBeNew")
		}
		ex, name, cleanup, err := Open(DSN(db))
		if err != nil {
			t.Fatal(err)
		}
		if name != db.Dialect {
			t.Fatalf("display name %q, want %q", name, db.Dialect)
		}
		current := map[string]string{
			dbtest.Postgres:  "SELECT current_schema()",
			dbtest.MySQL:     "SELECT DATABASE()",
			dbtest.SQLServer: "SELECT DB_NAME()",
		}[db.Dialect]
		var own string
		if err := ex.Raw(current).Scan(&own).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(own, "gormup_example_") {
			t.Fatalf("the example works in %q, want a gormup_example_ schema/database of its own", own)
		}
		if err := ex.AutoMigrate(&leftover{}); err != nil {
			t.Fatal(err)
		}
		if err := ex.Create(&leftover{ID: 1, Note: "x"}).Error; err != nil {
			t.Fatal(err)
		}
		cleanup()
		if db.Migrator().HasTable(&leftover{}) {
			t.Fatal("the example's table appeared in the caller's database")
		}
		exists := map[string]string{
			dbtest.Postgres:  "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
			dbtest.MySQL:     "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
			dbtest.SQLServer: "SELECT COUNT(*) FROM sys.databases WHERE name = ?",
		}[db.Dialect]
		var n int64
		if err := db.Raw(exists, own).Scan(&n).Error; err != nil || n != 0 {
			t.Fatalf("%s still exists after cleanup (count %d, %v)", own, n, err)
		}
	})
}

// sqlite:PATH writes only to a new file, kept for inspection, or reopens one
// an example created; any other existing file — a SQLite database of yours,
// or not SQLite at all — is refused before it is opened for writing, unchanged
// byte for byte.
func TestSQLitePathMustBeNew(t *testing.T) {
	for _, scheme := range []string{"sqlite", "sqlite3"} {
		t.Run(scheme, func(t *testing.T) {
			dir := t.TempDir()
			notSQLite := filepath.Join(dir, "notes.txt")
			if err := os.WriteFile(notSQLite, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			mine := filepath.Join(dir, "mine.db")
			// A database of the user's: same engine, no marker table.
			user := dbtest.OpenDSN(t, map[string]string{"sqlite": dbtest.SQLitePureGo, "sqlite3": dbtest.SQLite}[scheme], "file:"+mine)
			if err := user.AutoMigrate(&leftover{}); err != nil {
				t.Fatal(err)
			}
			if sqlDB, err := user.DB(); err == nil {
				sqlDB.Close()
			}
			for _, path := range []string{notSQLite, mine} {
				before, _ := os.ReadFile(path)
				if _, _, _, err := Open(scheme + ":" + path); err == nil || !strings.Contains(err.Error(), "exists") {
					t.Fatalf("%s: got %v, want a refusal naming the existing file", path, err)
				}
				if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Fatalf("%s changed although refused", path)
				}
			}
			fresh := filepath.Join(dir, "new.db")
			for run := range 2 { // new, then reopened: the example made it
				db, name, cleanup, err := Open(scheme + ":" + fresh)
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				if name != scheme {
					t.Fatalf("display name %q, want %q", name, scheme)
				}
				if err := db.AutoMigrate(&leftover{}); err != nil {
					t.Fatal(err)
				}
				if err := db.Create(&leftover{Note: "x"}).Error; err != nil {
					t.Fatal(err)
				}
				var n int64
				if err := db.Model(&leftover{}).Count(&n).Error; err != nil || n != int64(run+1) {
					t.Fatalf("run %d: %d rows (%v), want %d: the file is kept between runs", run, n, err, run+1)
				}
				cleanup()
			}
		})
	}
}

// The default is pure-Go SQLite in a temporary directory that cleanup removes.
func TestDefaultIsPureGoSQLiteInATempDir(t *testing.T) {
	db, name, cleanup, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimPrefix(strings.TrimPrefix(fmtType(sqlDB.Driver()), "*"), "sqlite."); name != "sqlite" || got != "Driver" {
		t.Fatalf("name %q, driver %s; want sqlite through github.com/glebarez/sqlite", name, fmtType(sqlDB.Driver()))
	}
	var file string
	if err := db.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file).Error; err != nil {
		t.Fatal(err)
	}
	cleanup()
	if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
		t.Fatalf("%s left behind (%v)", filepath.Dir(file), err)
	}
}

func fmtType(v any) string { return reflect.TypeOf(v).String() }
