package index_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// activeEmail is a partial unique index: one active account per email.
var activeEmail = index.Def{Name: "idx_accounts_active_email", Columns: []string{"email"}, Unique: true, Where: "active = true"}

// lowerEmail is an expression index.
var lowerEmail = index.Def{Name: "idx_accounts_lower_email", Keys: []index.Key{{Expression: "lower(email)"}}}

func TestPartialIndexWhereSupportedAndRefusedOnMySQL(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		bare(t, db)
		statusActive := index.Def{Name: "idx_accounts_status_active", Columns: []string{"status"}, Where: "status = 'active'"}
		decl := index.On(&accountTable{}, activeEmail, statusActive)
		r, err := index.Ensure(ctx, db.DB, []any{decl, &account{}})
		if db.Dialect == dbtest.MySQL {
			var unsupported *index.UnsupportedError
			if !errors.As(err, &unsupported) || !errors.Is(err, index.ErrUnsupported) {
				t.Fatalf("err = %v, want an *UnsupportedError", err)
			}
			if unsupported.Feature != "where" || unsupported.Index != "idx_accounts_active_email" || unsupported.Table != "accounts" || unsupported.Dialect != "mariadb" {
				t.Errorf("error = %+v", unsupported)
			}
			if len(r.Indexes) != 0 {
				t.Errorf("report = %v, want none", r)
			}
			// Nothing at all was created, not even the model's valid indexes.
			for _, name := range []string{"idx_accounts_active_email", "idx_accounts_status_active", "idx_accounts_email"} {
				noIndex(t, db.DB, "accounts", name)
			}
			if _, err := index.Diff(ctx, db.DB, []any{decl}); !errors.Is(err, index.ErrUnsupported) {
				t.Errorf("Diff err = %v, want ErrUnsupported", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		want := "idx_accounts_active_email=created idx_accounts_status_active=created idx_accounts_email=created idx_accounts_status_created=created"
		if got := statuses(r); got != want {
			t.Fatalf("Ensure: %s, want %s", got, want)
		}
		wantDef := map[string]string{
			dbtest.SQLite:   "CREATE UNIQUE INDEX `idx_accounts_active_email` ON `accounts`(`email`) WHERE active = true",
			dbtest.Postgres: "CREATE UNIQUE INDEX idx_accounts_active_email ON accounts USING btree (email) WHERE (active = true)",
		}[db.Dialect]
		if got := definition(t, db, "idx_accounts_active_email"); got != wantDef {
			t.Errorf("definition = %s, want %s", got, wantDef)
		}
		// The condition is enforced: duplicates among inactive rows only.
		dbtest.MustExec(t, db.DB, "DROP INDEX idx_accounts_email")
		dbtest.Seed(t, db.DB, []accountTable{{ID: 1, Email: "a@x", Active: false}, {ID: 2, Email: "a@x", Active: false}, {ID: 3, Email: "a@x", Active: true}})
		if err := db.Create(&accountTable{ID: 4, Email: "a@x", Active: true}).Error; err == nil {
			t.Error("a second active a@x was inserted: the partial unique index is not enforced")
		}

		// PostgreSQL renders "active = true" as "active" and "status = 'active'"
		// as "status::text = 'active'::text": both still match. The second is
		// recognised without any DDL; the first by building it on a scratch table.
		cdb, rec := dbtest.Capture(db.DB)
		r, err = index.Ensure(ctx, cdb, []any{index.On(&accountTable{}, statusActive)})
		if err != nil {
			t.Fatal(err)
		}
		// Indexes of the table this call does not declare are listed as such.
		want = "idx_accounts_status_active=present idx_accounts_active_email=undeclared idx_accounts_status_created=undeclared"
		if got := statuses(r); got != want {
			t.Fatalf("second Ensure: %s, want %s", got, want)
		}
		noDDL(t, rec)
		r, err = index.Diff(ctx, db.DB, []any{index.On(&accountTable{}, activeEmail)})
		if err != nil {
			t.Fatal(err)
		}
		if ix, _ := r.Find("accounts", "idx_accounts_active_email"); ix.Status != index.Present {
			t.Fatalf("Diff: %+v", ix)
		}
	})
}

func TestExpressionIndex(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		bare(t, db)
		decl := index.On(&accountTable{}, lowerEmail)
		r, err := index.Ensure(ctx, db.DB, []any{decl})
		if db.Dialect == dbtest.MySQL {
			var unsupported *index.UnsupportedError
			if !errors.As(err, &unsupported) || unsupported.Feature != "expression" {
				t.Fatalf("err = %v, want an *UnsupportedError for expression", err)
			}
			noIndex(t, db.DB, "accounts", "idx_accounts_lower_email")
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_lower_email=created" {
			t.Fatalf("Ensure: %s", got)
		}
		wantDef := map[string]string{
			dbtest.SQLite:   "CREATE INDEX `idx_accounts_lower_email` ON `accounts`(lower(email))",
			dbtest.Postgres: "CREATE INDEX idx_accounts_lower_email ON accounts USING btree (lower((email)::text))",
		}[db.Dialect]
		if got := definition(t, db, "idx_accounts_lower_email"); got != wantDef {
			t.Errorf("definition = %s, want %s", got, wantDef)
		}
		cdb, rec := dbtest.Capture(db.DB)
		r, err = index.Ensure(ctx, cdb, []any{decl})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_lower_email=present" {
			t.Fatalf("second Ensure: %s (%v)", got, r.Indexes[0].Differences)
		}
		noDDL(t, rec)

		// Another expression under the same name is drift.
		r, err = index.Diff(ctx, db.DB, []any{index.On(&accountTable{}, index.Def{Name: "idx_accounts_lower_email", Keys: []index.Key{{Expression: "upper(email)"}}})})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != "idx_accounts_lower_email=drifted" || r.Indexes[0].Differences[0].Kind != index.KindColumns {
			t.Fatalf("Diff with upper(email): %s %v", got, r.Indexes[0].Differences)
		}
	})
}

// shortened computes the documented shortening independently.
func shortened(name string, limit int) string {
	sum := sha256.Sum256([]byte(name))
	return name[:limit-9] + "_" + hex.EncodeToString(sum[:])[:8]
}

func TestLongNamesAreShortenedDeterministically(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		bare(t, db)
		long := "idx_accounts_" + strings.Repeat("status_and_created_at_", 4) // 101 bytes
		decl := index.On(&accountTable{}, index.Def{Name: long, Columns: []string{"status", "created_at"}})
		want := map[string]string{
			dbtest.SQLite:   long,
			dbtest.Postgres: shortened(long, 63),
			dbtest.MySQL:    shortened(long, 64),
		}[db.Dialect]
		r, err := index.Ensure(ctx, db.DB, []any{decl})
		if err != nil {
			t.Fatal(err)
		}
		ix := r.Indexes[0]
		if ix.Name != want || ix.Declared != long || ix.Status != index.Created {
			t.Fatalf("report = %+v, want name %s created", ix, want)
		}
		if (len(ix.Warnings) == 1) != (want != long) {
			t.Errorf("warnings = %q", ix.Warnings)
		}
		wantIndex(t, db.DB, "accounts", want, false, "status", "created_at")
		cdb, rec := dbtest.Capture(db.DB)
		r, err = index.Ensure(ctx, cdb, []any{decl})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != want+"=present" {
			t.Fatalf("second Ensure: %s", got)
		}
		noDDL(t, rec)
	})
}

func TestConcurrentlyOnPostgres(t *testing.T) {
	db := ownPostgresDatabase(t)
	ctx := context.Background()
	bare(t, db)
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := index.Ensure(ctx, tx, []any{&account{}}, index.Concurrently())
		return err
	})
	if !errors.Is(err, index.ErrConcurrentlyInTransaction) {
		t.Fatalf("err = %v, want ErrConcurrentlyInTransaction", err)
	}
	noIndex(t, db.DB, "accounts", "idx_accounts_email")
	noIndex(t, db.DB, "accounts", "idx_accounts_status_created")

	cdb, rec := dbtest.Capture(db.DB)
	r, err := index.Ensure(ctx, cdb, []any{&account{}}, index.Concurrently())
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r); got != "idx_accounts_email=created idx_accounts_status_created=created" {
		t.Fatalf("Ensure: %s", got)
	}
	if got := rec.Matching("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS"); len(got) != 1 {
		t.Errorf("statements = %q, want one unique concurrent build", rec.Statements())
	}
	if got := rec.Matching("CREATE INDEX CONCURRENTLY IF NOT EXISTS"); len(got) != 1 {
		t.Errorf("statements = %q, want one concurrent build", rec.Statements())
	}
}

// concurrentTag declares CONCURRENTLY in its tag.
type concurrentTag struct {
	ID     int64  `gorm:"primaryKey"`
	Status string `gorm:"size:32;index:idx_accounts_status,option:CONCURRENTLY"`
}

func (concurrentTag) TableName() string { return "accounts" }

func TestTagConcurrentlyInTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		bare(t, db)
		var r index.Report
		err := db.Transaction(func(tx *gorm.DB) error {
			var err error
			r, err = index.Ensure(context.Background(), tx, []any{&concurrentTag{}})
			return err
		})
		switch db.Dialect {
		case dbtest.Postgres:
			if !errors.Is(err, index.ErrConcurrentlyInTransaction) {
				t.Fatalf("err = %v, want ErrConcurrentlyInTransaction", err)
			}
			noIndex(t, db.DB, "accounts", "idx_accounts_status")
		case dbtest.MySQL:
			// Any DDL would commit the caller's transaction.
			if !errors.Is(err, index.ErrDDLInTransaction) {
				t.Fatalf("err = %v, want ErrDDLInTransaction", err)
			}
			noIndex(t, db.DB, "accounts", "idx_accounts_status")
		default:
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(r); got != "idx_accounts_status=created" {
				t.Fatalf("Ensure: %s", got)
			}
			if w := r.Indexes[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "CONCURRENTLY left out") {
				t.Errorf("warnings = %q", w)
			}
			wantIndex(t, db.DB, "accounts", "idx_accounts_status", false, "status")
		}
	})
}

func TestRepairConcurrentlyOnPostgres(t *testing.T) {
	db := ownPostgresDatabase(t)
	bare(t, db)
	dbtest.MustExec(t, db.DB, "CREATE INDEX idx_accounts_status_created ON accounts (status)")
	cdb, rec := dbtest.Capture(db.DB)
	r, err := index.Ensure(context.Background(), cdb, []any{&account{}}, index.Repair(), index.Concurrently())
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r); got != "idx_accounts_email=created idx_accounts_status_created=repaired" {
		t.Fatalf("Ensure: %s", got)
	}
	if got := rec.Matching(`DROP INDEX CONCURRENTLY "idx_accounts_status_created"`); len(got) != 1 {
		t.Errorf("statements = %q, want one concurrent drop", rec.Statements())
	}
	if got, want := definition(t, db, "idx_accounts_status_created"), "CREATE INDEX idx_accounts_status_created ON accounts USING btree (status, created_at DESC)"; got != want {
		t.Errorf("definition = %s, want %s", got, want)
	}
}

func TestPostgresRejectsADeclarationItCannotBuild(t *testing.T) {
	// A database of its own: pg_class is per database, so the scratch-table
	// count below sees no other test's session.
	db := ownPostgresDatabase(t)
	bare(t, db)
	dbtest.MustExec(t, db.DB, "CREATE INDEX idx_accounts_x ON accounts (status) WHERE active")
	// Textually different conditions are compared as the server renders
	// them; a condition naming no column of the table is a *DefError.
	_, err := index.Diff(context.Background(), db.DB, []any{index.On(&accountTable{}, index.Def{Name: "idx_accounts_x", Columns: []string{"status"}, Where: "nope = 1"})})
	var def *index.DefError
	if !errors.As(err, &def) || def.Index != "idx_accounts_x" || def.Err == nil || !errors.Is(err, index.ErrInvalidDef) {
		t.Fatalf("err = %v, want a *DefError carrying PostgreSQL's error", err)
	}
	// The scratch table was rolled back.
	var n int64
	if err := db.Raw("SELECT count(*) FROM pg_class WHERE relname = 'gormup_index_scratch'").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("scratch tables left: %d, %v", n, err)
	}
}

func TestMySQLRepairInTransactionIsRefused(t *testing.T) {
	db := dbtest.Open(t, dbtest.MySQL)
	dbtest.Migrate(t, db, &account{})
	dbtest.MustExec(t, db.DB, "DROP INDEX idx_accounts_status_created ON accounts")
	dbtest.MustExec(t, db.DB, "CREATE INDEX idx_accounts_status_created ON accounts (status)")
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := index.Ensure(context.Background(), tx, []any{&account{}}, index.Repair())
		return err
	})
	if !errors.Is(err, index.ErrDDLInTransaction) {
		t.Fatalf("err = %v, want ErrDDLInTransaction", err)
	}
	if got := definition(t, db, "idx_accounts_status_created"); got != "status" {
		t.Errorf("definition = %s, want the drifted one left alone", got)
	}
	// Without repair there is nothing to write: the transaction is fine.
	err = db.Transaction(func(tx *gorm.DB) error {
		r, err := index.Ensure(context.Background(), tx, []any{&account{}})
		if err == nil && statuses(r) != "idx_accounts_email=present idx_accounts_status_created=drifted" {
			t.Errorf("Ensure in a transaction: %s", statuses(r))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHashTypeOnMariaDBIsNotDrift(t *testing.T) {
	db := dbtest.Open(t, dbtest.MySQL)
	bare(t, db)
	decl := index.On(&accountTable{}, index.Def{Name: "idx_accounts_status_hash", Columns: []string{"status"}, Type: "hash"})
	for _, want := range []index.Status{index.Created, index.Present} {
		r, err := index.Ensure(context.Background(), db.DB, []any{decl})
		if err != nil {
			t.Fatal(err)
		}
		if ix := r.Indexes[0]; ix.Status != want || len(ix.Warnings) != 1 {
			t.Fatalf("Ensure = %+v, want %s with a warning", ix, want)
		}
	}
}

func TestFulltextOnMariaDB(t *testing.T) {
	db := dbtest.Open(t, dbtest.MySQL)
	dbtest.MustExec(t, db.DB, "CREATE TABLE fulltext_accounts (id bigint PRIMARY KEY, bio text, name varchar(64))")
	for _, want := range []string{"idx_bio=created", "idx_bio=present"} {
		r, err := index.Ensure(context.Background(), db.DB, []any{&fulltextAccount{}})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != want {
			t.Fatalf("Ensure: %s, want %s", got, want)
		}
	}
	var kind string
	if err := db.Raw("SELECT index_type FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'idx_bio'").Row().Scan(&kind); err != nil || kind != "FULLTEXT" {
		t.Fatalf("index_type = %q, %v; want FULLTEXT", kind, err)
	}
	// A plain index under that name is drift of type.
	dbtest.MustExec(t, db.DB, "DROP INDEX idx_bio ON fulltext_accounts")
	dbtest.MustExec(t, db.DB, "CREATE INDEX idx_bio ON fulltext_accounts (bio(20))")
	r, err := index.Diff(context.Background(), db.DB, []any{&fulltextAccount{}})
	if err != nil {
		t.Fatal(err)
	}
	want := []index.Difference{{Kind: index.KindLength, Want: "bio", Got: "bio(20)"}, {Kind: index.KindType, Want: "fulltext", Got: "btree"}}
	if got := r.Indexes[0].Differences; !slices.Equal(got, want) {
		t.Fatalf("differences = %v, want %v", got, want)
	}
}

// archivedAccount lives in another PostgreSQL schema, named by qualifiedTable.
type archivedAccount struct {
	ID     int64  `gorm:"primaryKey"`
	Status string `gorm:"size:32;index:idx_archive_status,where:status <> 'purged'"`
}

func TestSchemaQualifiedTableOnPostgres(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "gormup_archive_" + hex.EncodeToString(b[:])
	dbtest.MustExec(t, db.DB, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	table := schema + ".accounts"
	dbtest.MustExec(t, db.DB, "CREATE TABLE "+table+" (id bigint PRIMARY KEY, status varchar(32))")
	qualified := db.Table(table)
	for _, want := range []string{"idx_archive_status=created", "idx_archive_status=present"} {
		r, err := index.Ensure(context.Background(), qualified, []any{&archivedAccount{}})
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(r); got != want {
			t.Fatalf("Ensure: %s, want %s", got, want)
		}
	}
	var def string
	if err := db.Raw("SELECT indexdef FROM pg_indexes WHERE schemaname = ? AND indexname = 'idx_archive_status'", schema).Row().Scan(&def); err != nil {
		t.Fatal(err)
	}
	if want := "CREATE INDEX idx_archive_status ON " + table + " USING btree (status) WHERE ((status)::text <> 'purged'::text)"; def != want {
		t.Errorf("definition = %s, want %s", def, want)
	}
	ok, err := index.Covers(context.Background(), qualified, &archivedAccount{}, "id")
	if err != nil || !ok {
		t.Errorf("Covers(id) = %v, %v", ok, err)
	}
}
