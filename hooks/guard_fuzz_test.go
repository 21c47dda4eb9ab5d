package hooks_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// The fuzz oracle is the database itself. Every input runs against two
// freshly created tables, g (the written table) and o (a neighbour), both
// without keys or NOT NULL constraints and seeded with a few ordinary rows,
// one row of NULLs and one row of random values drawn for this input (an id,
// a name and a number the fuzzer cannot guess). A bound in any accepted shape
// leaves a row unwritten: a comparison, IN, LIKE or BETWEEN is not true for
// the NULL row, IS NULL is not true for the random row, and an OR of
// equalities cannot list the random row's values. So whenever Guard lets a
// statement through and the database runs it, at least one seeded row of each
// table must read back unchanged; a statement that changed or deleted every
// row of a table was unbounded and Guard failed.

// fuzzShapes turns a fuzzed condition into a statement; shape 3 runs the
// input as the whole statement.
func fuzzShapes(dialect string) []string {
	join := "UPDATE g SET mark = g.mark + 1 FROM o WHERE %s"
	if dialect == dbtest.MySQL {
		join = "UPDATE g JOIN o ON %s SET g.mark = g.mark + 1"
	}
	return []string{"UPDATE g SET mark = mark + 1 WHERE %s", "DELETE FROM g WHERE %s", join, "%s"}
}

// fuzzRow is a row of g or o as read back.
type fuzzRow struct {
	ID   *int64
	Name *string
	N    *int64
	Mark int64
}

func (r fuzzRow) String() string {
	f := func(p any) string {
		switch v := p.(type) {
		case *int64:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *string:
			if v != nil {
				return *v
			}
		}
		return "NULL"
	}
	return f(r.ID) + "|" + f(r.Name) + "|" + f(r.N) + "|" + fmt.Sprint(r.Mark)
}

// fuzzCreate creates g and o afresh.
func fuzzCreate(t testing.TB, db *gorm.DB) {
	t.Helper()
	for _, table := range []string{"g", "o"} {
		for _, s := range []string{
			"DROP TABLE IF EXISTS " + table,
			"CREATE TABLE " + table + " (id bigint, name varchar(64), n bigint, mark bigint NOT NULL DEFAULT 0)",
		} {
			if err := db.Exec(s).Error; err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// fuzzSeed fills g and o (in tx) and returns their rows as seeded; ok is
// false when the tables are not there as created.
func fuzzSeed(t testing.TB, tx *gorm.DB) (seeded map[string][]string, ok bool) {
	t.Helper()
	id := rand.Int64N(900_000_000) + 100_000_000
	name := fmt.Sprintf("%c%d", rune(0x4e00+rand.IntN(0x5000)), rand.Int64())
	n := rand.Int64N(1_000_000_000) - 2_000_000_000
	seeded = map[string][]string{}
	for _, table := range []string{"g", "o"} {
		if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
			return nil, false
		}
		err := tx.Exec("INSERT INTO "+table+" (id, name, n) VALUES (1, 'a', 10), (2, 'b', 20), (3, 'Name', 30), "+
			"(NULL, NULL, NULL), (?, ?, ?)", id, name, n).Error
		if err != nil {
			return nil, false
		}
		seeded[table] = fuzzRead(t, tx, table)
		if len(seeded[table]) != 5 {
			return nil, false
		}
	}
	return seeded, true
}

func fuzzRead(t testing.TB, db *gorm.DB, table string) []string {
	t.Helper()
	var rows []fuzzRow
	if err := db.Raw("SELECT id, name, n, mark FROM " + table).Scan(&rows).Error; err != nil {
		return nil // the statement dropped or altered the table: no row left as seeded
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	return out
}

// fuzzCheck runs one input on db (Guard installed) in a transaction rolled
// back, and returns an error when the database ran a statement that changed
// every seeded row of g or o.
func fuzzCheck(t testing.TB, db *gorm.DB, dialect string, shape uint8, cond string) error {
	shapes := fuzzShapes(dialect)
	stmt := fmt.Sprintf(shapes[int(shape)%len(shapes)], cond)
	allowed := db.WithContext(hooks.AllowUnboundedContext(context.Background()))
	tx := allowed.Begin()
	defer tx.Rollback()
	seeded, ok := fuzzSeed(t, tx)
	if !ok { // an earlier input dropped or altered a table
		tx.Rollback()
		fuzzCreate(t, allowed)
		tx = allowed.Begin()
		defer tx.Rollback()
		if seeded, ok = fuzzSeed(t, tx); !ok {
			t.Fatal("cannot seed g and o")
		}
	}
	if err := tx.WithContext(context.Background()).Exec(stmt).Error; err != nil {
		return nil // refused by Guard, or rejected by the database
	}
	for _, table := range []string{"g", "o"} {
		after := map[string]bool{}
		for _, r := range fuzzRead(t, tx, table) {
			after[r] = true
		}
		kept := 0
		for _, r := range seeded[table] {
			if after[r] {
				kept++
			}
		}
		if kept == 0 {
			return fmt.Errorf("%s: Guard let through %q, which changed every row of %s", dialect, stmt, table)
		}
	}
	return nil
}

// TestFuzzOracleCatchesUnboundedWrites proves the oracle can fail: without
// Guard, unbounded statements are reported, bounded ones are not.
func TestFuzzOracleCatchesUnboundedWrites(t *testing.T) {
	db := dbtest.Memory()
	fuzzCreate(t, db)
	for _, c := range []struct {
		shape   uint8
		cond    string
		flagged bool
	}{
		{0, "1=1", true}, {1, "id IS NULL OR id IS NOT NULL", true}, {2, "o.id = 1", true}, {3, "UPDATE o SET n = 1", true},
		{0, "id = 1", false}, {1, "id > 2", false}, {2, "g.id = o.id", false}, {0, "id IS NULL", false},
	} {
		err := fuzzCheck(t, db, dbtest.SQLite, c.shape, c.cond)
		if (err != nil) != c.flagged {
			t.Errorf("shape %d %q: oracle = %v, want flagged %v", c.shape, c.cond, err, c.flagged)
		}
	}
}

// fuzzSeeds are conditions from every class of issue 13, refused and
// accepted.
var fuzzSeeds = []string{
	"1 = 1 OR id = 1 AND name = 'a'", "id = 1 AND name = 'a' OR 1 = 1", "id = 1", "id <> 1", "id > 1", "id IN (1, 2)", "id NOT IN (1)", "name = 'a'", "name LIKE 'a%'",
	"name LIKE '%'", "id IS NULL", "id IS NOT NULL", "id BETWEEN 1 AND 3", "1=1", "(1)=(1)", "1 IN (1)",
	"g.id = id", "NOT (id IS NULL)", "id IS NULL OR id IS NOT NULL", "id < 5 OR id >= 5", "id = 1 OR id IS NULL",
	"id = id + 0", "coalesce(id, 0) = coalesce(id, 0)", "TRUE", "0", "id IN (SELECT id FROM o)",
	"g.id = o.id", "o.id = 1", `"id" = "id"`, `name = "Name"`, "id = 1 /*! OR 1=1 */", "id = 1 --1\nOR 1=1",
	"id = 1 /* OR 1=1", "id = 1 -- OR 1=1", "ARRAY[id] = ARRAY[id]", "id <> ALL(ARRAY[]::int[])",
	"1=0; UPDATE g SET mark = 2", "id = 1; DELETE FROM o", "id = 1 OR 1=1", "name = 'a' OR name = 'b' OR name IS NULL",
	"id IS DISTINCT FROM 5", "id <=> NULL", "NOT id = 1", "(id, name) IN ((1, 'a'))", "id = ANY(ARRAY[1])",
	"WITH u AS (UPDATE g SET mark = 1 RETURNING id) SELECT 1", "current_user = current_user",
	"`id` = `id`", "id % 2 = 0", "id - id = 0", "coalesce(n, 0) >= 0", "id * 0 = 0 OR id IS NULL", "[id] = [id]", "id = 1 AND 1=1", "-id = -id", "id = (SELECT max(id) FROM g)",
}

func FuzzGuardBounded(f *testing.F) {
	fuzzing := false
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		fuzzing = true
	}
	type target struct {
		dialect string
		db      *gorm.DB
	}
	var targets []target
	mem := dbtest.Memory()
	targets = append(targets, target{dbtest.SQLite, mem})
	if !fuzzing { // the seed corpus also runs on every configured server
		for _, d := range []string{dbtest.Postgres, dbtest.MySQL} {
			if os.Getenv(dbtest.EnvVar(d)) != "" {
				targets = append(targets, target{d, dbtest.Open(f, d).DB})
			}
		}
	}
	for _, tg := range targets {
		if err := tg.db.Use(&hooks.Guard{}); err != nil {
			f.Fatal(err)
		}
		fuzzCreate(f, tg.db.WithContext(hooks.AllowUnboundedContext(context.Background())))
	}
	for _, s := range fuzzSeeds {
		for shape := range uint8(4) {
			f.Add(shape, s)
		}
	}
	for _, s := range []string{"UPDATE g SET mark = 1", "UPDATE o SET mark = 1 WHERE 1=1", "DELETE FROM g USING o WHERE o.id = 1",
		"EXPLAIN ANALYZE UPDATE g SET mark = 1", "MERGE INTO g USING o ON o.id = 1 WHEN MATCHED THEN UPDATE SET mark = 1",
		"UPDATE g, o SET g.mark = 1 WHERE o.id = 1", "ANALYZE UPDATE g SET mark = 1"} {
		f.Add(uint8(3), s)
	}
	f.Fuzz(func(t *testing.T, shape uint8, cond string) {
		if strings.ContainsRune(cond, 0) {
			return
		}
		for _, tg := range targets {
			if err := fuzzCheck(t, tg.db, tg.dialect, shape, cond); err != nil {
				t.Fatal(err)
			}
		}
	})
}
