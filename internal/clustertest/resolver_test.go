package clustertest

import (
	"path/filepath"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// TestPrimaryWithDBResolver checks dialect.Primary against the real plugin
// with no server: the source and the replica are two SQLite files holding
// different rows, so the row read says which one answered. It runs
// everywhere and fails if dbresolver renames the setting Primary relies on.
func TestPrimaryWithDBResolver(t *testing.T) {
	dir := t.TempDir()
	sourceDSN := "file:" + filepath.Join(dir, "source.db") + "?_busy_timeout=5000"
	replicaDSN := "file:" + filepath.Join(dir, "replica.db") + "?_busy_timeout=5000"
	for dsn, owner := range map[string]string{sourceDSN: "source", replicaDSN: "replica"} {
		db := dbtest.OpenDSN(t, dbtest.SQLite, dsn)
		if err := db.AutoMigrate(&Account{}); err != nil {
			t.Fatal(err)
		}
		dbtest.MustExec(t, db, "INSERT INTO accounts (id, owner) VALUES (1, ?)", owner)
	}
	db := dbtest.OpenDSN(t, dbtest.SQLite, sourceDSN)
	if err := db.AutoMigrate(&Ledger{}); err != nil { // on the source only
		t.Fatal(err)
	}
	if err := db.Use(dbresolver.Register(dbresolver.Config{
		Replicas: []gorm.Dialector{dbtest.Dialector(dbtest.SQLite, replicaDSN)},
	})); err != nil {
		t.Fatal(err)
	}
	readOwner := func(q *gorm.DB) string {
		t.Helper()
		var owner string
		if err := q.Model(&Account{}).Where("id = ?", 1).Pluck("owner", &owner).Error; err != nil {
			t.Fatal(err)
		}
		return owner
	}
	rawOwner := func(q *gorm.DB) string {
		t.Helper()
		var owner string
		if err := q.Raw("SELECT owner FROM accounts WHERE id = 1").Scan(&owner).Error; err != nil {
			t.Fatal(err)
		}
		return owner
	}
	// HasTable is a SELECT on sqlite_master: only the source has ledgers.
	hasLedgers := func(q *gorm.DB) string {
		if q.Migrator().HasTable(&Ledger{}) {
			return "source"
		}
		return "replica"
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"plain read", readOwner(db), "replica"},
		{"raw read", rawOwner(db), "replica"},
		{"dbresolver.Write", readOwner(db.Clauses(dbresolver.Write)), "source"},
		{"Primary", readOwner(dialect.Primary(db)), "source"},
		{"Primary raw", rawOwner(dialect.Primary(db)), "source"},
		{"Primary over dbresolver.Read", readOwner(dialect.Primary(db.Clauses(dbresolver.Read))), "source"},
		{"Primary, then Where", readOwner(dialect.Primary(db).Where("owner <> ''")), "source"},
		{"Primary, reused", readOwner(dialect.Primary(db)), "source"},
		{"Primary, then NewDB", readOwner(dialect.Primary(db).Session(&gorm.Session{NewDB: true})), "replica"},
		{"Migrator", hasLedgers(db), "replica"},
		{"Primary's Migrator", hasLedgers(dialect.Primary(db)), "source"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: read %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
