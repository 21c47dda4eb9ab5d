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

// sqlite:PATH writes only to a new file, kept for inspection; an existing file
// is refused before it is opened, untouched.
func TestSQLitePathMustBeNew(t *testing.T) {
	for _, scheme := range []string{"sqlite", "sqlite3"} {
		t.Run(scheme, func(t *testing.T) {
			dir := t.TempDir()
			existing := filepath.Join(dir, "mine.db")
			if err := os.WriteFile(existing, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := Open(scheme + ":" + existing); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Fatalf("got %v, want a refusal naming the existing file", err)
			}
			if got, _ := os.ReadFile(existing); string(got) != "precious" {
				t.Fatalf("existing file now holds %q", got)
			}
			fresh := filepath.Join(dir, "new.db")
			db, name, cleanup, err := Open(scheme + ":" + fresh)
			if err != nil {
				t.Fatal(err)
			}
			if name != scheme {
				t.Fatalf("display name %q, want %q", name, scheme)
			}
			if err := db.AutoMigrate(&leftover{}); err != nil {
				t.Fatal(err)
			}
			cleanup()
			if _, err := os.Stat(fresh); err != nil {
				t.Fatalf("the new file was not kept: %v", err)
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
