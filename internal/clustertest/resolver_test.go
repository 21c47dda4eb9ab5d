package clustertest

import (
	"path/filepath"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/txn"
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

	// Transactions: GORM begins on the statement's pool, which dbresolver.Read
	// or an earlier read through the same chain may have set to the replica.
	// Primary, and so RunTx, begin on the source.
	inTx := func(begin *gorm.DB) string {
		t.Helper()
		var owner string
		if err := begin.Transaction(func(tx *gorm.DB) error {
			owner = rawOwner(tx)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return owner
	}
	// used returns a chain that read through dbresolver, which leaves the
	// replica's pool on its statement.
	used := func() *gorm.DB {
		q := db.Model(&Account{}).Where("id = ?", 1)
		var n int64
		if err := q.Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return q
	}
	runTx := func(begin *gorm.DB) string {
		t.Helper()
		var owner string
		if _, err := txn.RunTx(t.Context(), begin, txn.RetryPolicy{}, func(tx *gorm.DB) error {
			owner = rawOwner(tx)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return owner
	}
	txTests := []struct {
		name string
		got  string
		want string
	}{
		{"Transaction", inTx(db), "source"},
		{"Transaction after dbresolver.Read", inTx(db.Clauses(dbresolver.Read)), "replica"},
		{"Transaction on a chain that read", inTx(used()), "replica"},
		{"Primary, Transaction after dbresolver.Read", inTx(dialect.Primary(db.Clauses(dbresolver.Read))), "source"},
		{"Primary, Transaction on a chain that read", inTx(dialect.Primary(used())), "source"},
		{"RunTx after dbresolver.Read", runTx(db.Clauses(dbresolver.Read)), "source"},
		{"RunTx on a chain that read", runTx(used()), "source"},
	}
	for _, tt := range txTests {
		if tt.got != tt.want {
			t.Errorf("%s: read %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestPrimaryOnNewDBSession checks that dialect.Primary on a NewDB session
// starts from a fresh statement, as GORM's chain methods do, instead of
// reviving the model and conditions the session dropped.
func TestPrimaryOnNewDBSession(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	dbtest.Migrate(t, db, &Account{}, &Ledger{})
	dbtest.MustExec(t, db.DB, "INSERT INTO accounts (id, owner) VALUES (1, 'a'), (2, 'b')")
	caller := db.Model(&Account{}).Where("id = ?", 1)
	clean := dialect.Primary(caller.Session(&gorm.Session{NewDB: true}))
	if err := clean.Create(&Ledger{ID: 7, AccountID: 2}).Error; err != nil {
		t.Fatalf("Create on Primary of a NewDB session: %v", err)
	}
	var n int64
	if err := clean.Model(&Account{}).Count(&n).Error; err != nil || n != 2 {
		t.Fatalf("Count on Primary of a NewDB session: %d, %v; want 2 (no condition of the caller)", n, err)
	}
}
