package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// guardSQL is the table the raw-SQL Guard tests write; guardOther is its
// neighbour, which no statement may change.
type guardSQL struct {
	ID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Name string `gorm:"size:40"`
	Qty  *int
}

type guardOther struct {
	ID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Name string `gorm:"size:40"`
}

func intp(v int) *int { return &v }

// guardSQLSeed: ids 1..10, names a, Name, c..j, qty id*10 except NULL for 5
// and 10.
func guardSQLSeed() []guardSQL {
	names := []string{"a", "Name", "c", "d", "e", "f", "g", "h", "i", "j"}
	rows := make([]guardSQL, 10)
	for i := range rows {
		rows[i] = guardSQL{ID: int64(i + 1), Name: names[i], Qty: intp((i + 1) * 10)}
	}
	rows[4].Qty, rows[9].Qty = nil, nil
	return rows
}

var guardOtherSeed = []guardOther{{ID: 1, Name: "x"}, {ID: 2, Name: "y"}, {ID: 3, Name: "z"}}

// guardSQLCase is one raw statement: refused (want nil) or accepted, writing
// exactly the rows want lists (qty set to -1, or deleted).
type guardSQLCase struct {
	sql  string
	vars []any
	want []int64
	raw  bool // run with Raw(...).Rows instead of Exec
}

// accepted lists, per dialect, legitimate statements and the rows each
// writes: ranges, IN lists, subqueries, joins that bound the target, IS NULL,
// LIKE 'prefix%', strings in each dialect's quoting.
func accepted(dialect string) []guardSQLCase {
	u := func(cond string, want ...int64) guardSQLCase {
		return guardSQLCase{sql: "UPDATE guard_sqls SET qty = -1 WHERE " + cond, want: want}
	}
	all := func(ids ...int64) []int64 { return ids }
	cases := []guardSQLCase{
		u("id = 1", 1),
		u("id <> 1", 2, 3, 4, 5, 6, 7, 8, 9, 10),
		u("id < 3", 1, 2),
		u("id <= 3", 1, 2, 3),
		u("id > 8", 9, 10),
		u("id >= 9", 9, 10),
		u("3 = id", 3),
		u("id BETWEEN 2 AND 4", 2, 3, 4),
		u("id NOT BETWEEN 2 AND 9", 1, 10),
		u("id IN (1, 3, 5)", 1, 3, 5),
		u("id NOT IN (1, 2, 3, 4, 5, 6, 7, 8)", 9, 10),
		u("name = 'c'", 3),
		u("name LIKE 'd%'", 4),
		u("name LIKE 'b%' OR id = 4", 4),
		u("qty IS NULL", 5, 10),
		u("id IN (SELECT id FROM guard_others)", 1, 2, 3),
		u("id = (SELECT MAX(id) FROM guard_others)", 3),
		u("guard_sqls.id = 4", 4),
		u("(id = 1 OR id = 2)", 1, 2),
		u("name = 'a' OR name = 'c'", 1, 3),
		u("id = 1 OR qty IS NULL", 1, 5, 10),
		u("1=1 AND id = 5", 5),
		u("id > 2 AND id < 5", 3, 4),
		u("((id = 7))", 7),
		u("qty >= 50 AND qty < 70", 6),
		u("name = 'e' AND qty IS NULL", 5),
		u("id = 4 + 4", 8),
		u("id = ABS(-9)", 9),
		u("id % 4 = 0", 4, 8),
		u("/* a comment */ id = 6 -- and another", 6),
		u("id IN (SELECT o.id FROM guard_others o WHERE o.name = 'y')", 2),
		{sql: "UPDATE guard_sqls SET qty = -1 WHERE id = ?", vars: []any{6}, want: all(6)},
		{sql: "UPDATE guard_sqls SET qty = -1 WHERE id IN ?", vars: []any{[]int64{7, 8}}, want: all(7, 8)},
		{sql: "UPDATE guard_sqls SET qty = -1 WHERE name LIKE ?", vars: []any{"N%"}, want: all(2)},
		{sql: "DELETE FROM guard_sqls WHERE id = 10", want: all(10)},
	}
	if dialect != dbtest.MySQL { // the MySQL driver runs one statement per Exec unless multiStatements
		cases = append(cases, guardSQLCase{sql: "UPDATE guard_sqls SET qty = -1 WHERE id = 1; UPDATE guard_sqls SET qty = -1 WHERE id = 2", want: all(1, 2)})
	}
	switch dialect {
	case dbtest.Postgres:
		cases = append(cases,
			u(`"name" = 'c'`, 3),
			u(`name = E'c'`, 3),
			u(`name = $$c$$`, 3),
			u(`name = $é$c$é$`, 3),
			u(`id = ANY(ARRAY[1, 2])`, 1, 2),
			u(`id = $1`, 4).withVars(4),
			u(`id = 1 RETURNING id`, 1),
			guardSQLCase{sql: `UPDATE guard_sqls AS g SET qty = -1 WHERE g.id = 2`, want: all(2)},
			guardSQLCase{sql: `UPDATE guard_sqls SET qty = -1 FROM guard_others o WHERE guard_sqls.id = o.id`, want: all(1, 2, 3)},
			guardSQLCase{sql: `UPDATE guard_sqls SET qty = -1 FROM (VALUES (4, 'x')) AS v(id, n) WHERE guard_sqls.id = v.id`, want: all(4)},
			guardSQLCase{sql: `DELETE FROM guard_sqls USING guard_others o WHERE guard_sqls.id = o.id`, want: all(1, 2, 3)},
			guardSQLCase{sql: `WITH x AS (SELECT id FROM guard_others) UPDATE guard_sqls SET qty = -1 WHERE id IN (SELECT id FROM x)`, want: all(1, 2, 3)},
			guardSQLCase{sql: `WITH u AS (UPDATE guard_sqls SET qty = -1 WHERE id = 2 RETURNING id) SELECT count(*) FROM u`, want: all(2), raw: true},
		)
	case dbtest.MySQL:
		cases = append(cases,
			u("`name` = 'c'", 3),
			u(`name = "Name"`, 2),
			u(`name = "it\"s" OR id = 3`, 3),
			u("id = 1 /*! AND id < 5 */", 1),
			u("id = 3 --1", 4), // 3 - (-1): MySQL's --1 is not a comment
			u("id > 5 ORDER BY id LIMIT 2", 6, 7),
			guardSQLCase{sql: "UPDATE guard_sqls g SET g.qty = -1 WHERE g.id = 2", want: all(2)},
			guardSQLCase{sql: "UPDATE guard_sqls JOIN guard_others o ON guard_sqls.id = o.id SET guard_sqls.qty = -1", want: all(1, 2, 3)},
			guardSQLCase{sql: "UPDATE guard_sqls JOIN (SELECT 4 AS id) v ON guard_sqls.id = v.id SET qty = -1", want: all(4)},
		)
	case dbtest.SQLite:
		cases = append(cases,
			u(`"name" = 'c'`, 3),
			u("[name] = 'c'", 3),
			u("`name` = 'c'", 3),
			u(`id = 1 RETURNING id`, 1),
			guardSQLCase{sql: `UPDATE guard_sqls AS g SET qty = -1 WHERE g.id = 2`, want: all(2)},
			guardSQLCase{sql: `UPDATE guard_sqls SET qty = -1 FROM guard_others o WHERE guard_sqls.id = o.id`, want: all(1, 2, 3)},
			guardSQLCase{sql: `WITH x AS (SELECT id FROM guard_others) UPDATE guard_sqls SET qty = -1 WHERE id IN (SELECT id FROM x)`, want: all(1, 2, 3)},
		)
	}
	return cases
}

func (c guardSQLCase) withVars(vars ...any) guardSQLCase {
	c.vars = vars
	return c
}

// refused lists, per dialect, statements that write every row when run
// (each class of issue 13), which Guard must refuse.
func refused(dialect string) []guardSQLCase {
	r := func(sql string, vars ...any) guardSQLCase { return guardSQLCase{sql: sql, vars: vars} }
	u := func(cond string) guardSQLCase { return r("UPDATE guard_sqls SET qty = -1 WHERE " + cond) }
	cases := []guardSQLCase{
		r("UPDATE guard_sqls SET qty = -1"),
		r("DELETE FROM guard_sqls"),
		u("1=1"),
		u("(1)=(1)"),
		u("1 IN (1)"),
		u("guard_sqls.id = id"),
		u("NOT (id IS NULL)"),
		u("qty IS NULL OR qty IS NOT NULL"),
		u("id IS NOT NULL"),
		u("id = id + 0"),
		u("id < 5 OR id >= 5"),
		u("name LIKE '%'"),
		u("id - id = 0"),
		u("coalesce(qty, 0) >= 0"),
		u("id % 2 = 0 OR id % 2 = 1"),
		u("? = ?").withVars(1, 1),
		// AND binds tighter than OR: each is "1=1 OR (…)", every row.
		u("1 = 1 OR id = 5 AND name = 'x'"),
		u("id = 5 AND name = 'x' OR 1 = 1"),
		u("1 = 1 OR id = 5 AND qty IS NULL"),
		r("DELETE FROM guard_sqls WHERE 1 = 1"),
		r("UPDATE guard_sqls SET qty = -1 WHERE id = 1; DELETE FROM guard_sqls WHERE 2 > 1"),
	}
	switch dialect {
	case dbtest.Postgres:
		cases = append(cases,
			u("ARRAY[id] = ARRAY[id]"),
			r("UPDATE guard_sqls SET name = $é$ WHERE id = 1 $é$"),
			r(`UPDATE guard_sqls SET name = E'\' WHERE id = 1 --' WHERE 1=1`),
			u("current_user = current_user"),
			u("id <> ALL(ARRAY[]::int[])"),
			r("UPDATE guard_sqls SET qty = -1 FROM (SELECT 1 AS id) o WHERE o.id = 1"),
			r("UPDATE guard_sqls SET qty = -1 FROM (SELECT 1 AS zz) o WHERE zz = 1"),
			r("UPDATE guard_sqls SET qty = -1 FROM guard_sqls AS o WHERE guard_sqls.id = o.id"),
			r("DELETE FROM guard_sqls USING guard_others o WHERE o.id = 1"),
			r("WITH u AS (UPDATE guard_sqls SET qty = -1 RETURNING id) SELECT count(*) FROM u"),
			guardSQLCase{sql: "WITH u AS (UPDATE guard_sqls SET qty = -1 RETURNING id) SELECT count(*) FROM u", raw: true},
			r("EXPLAIN ANALYZE UPDATE guard_sqls SET qty = -1"),
			r("MERGE INTO guard_sqls g USING guard_others o ON o.id = 1 WHEN MATCHED THEN UPDATE SET qty = -1"),
			r("DO $$ BEGIN UPDATE guard_sqls SET qty = -1; END $$"),
		)
	case dbtest.MySQL:
		cases = append(cases,
			u(`"id" = "id"`),
			u("id = 1 /*! OR 1=1 */"),
			r("UPDATE guard_sqls SET qty = -1 /*M! WHERE 1=1 */"),
			u("id = 1 /*!10000 OR 1=1 */"),
			u("id = 1 --1\nOR 1=1"),
			r(`UPDATE guard_sqls SET name = "x\" WHERE id = 1 -- " WHERE 1=1`),
			r("UPDATE guard_sqls, guard_others o SET guard_sqls.qty = -1 WHERE o.id = 1"),
			r("UPDATE guard_sqls JOIN guard_others o ON o.id = 1 SET guard_sqls.qty = -1"),
			r("UPDATE guard_sqls JOIN guard_others o ON guard_sqls.id = o.id OR 1=1 SET guard_sqls.qty = -1"),
			r("UPDATE guard_sqls JOIN guard_others o ON 1 = 1 OR guard_sqls.id = o.id AND guard_sqls.qty IS NULL SET guard_sqls.qty = -1"),
			r("ANALYZE UPDATE guard_sqls SET qty = -1"),
			r("DELETE guard_sqls FROM guard_sqls JOIN guard_others o ON o.id = 1"),
		)
	case dbtest.SQLite:
		cases = append(cases,
			r("UPDATE guard_sqls SET qty = -1 /* WHERE id = 1"),
			u(`"nocol" = 'nocol'`),
			r("UPDATE guard_sqls SET qty = -1 FROM (SELECT 1 AS id) o WHERE o.id = 1"),
			r("UPDATE guard_sqls SET qty = -1 FROM (SELECT 1 AS zz) o WHERE zz = 1"),
			r("WITH u AS (SELECT 1) UPDATE guard_sqls SET qty = -1"),
		)
	}
	return cases
}

func guardSQLSetup(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &guardSQL{}, &guardOther{})
	dbtest.Seed(t, db.DB, guardSQLSeed())
	dbtest.Seed(t, db.DB, guardOtherSeed)
	if err := db.Use(&hooks.Guard{}); err != nil {
		t.Fatal(err)
	}
}

// changedRows reads both tables back and returns the ids of guard_sqls
// rows that differ from the seed; it fails when guard_others changed.
func changedRows(t *testing.T, tx *gorm.DB) []int64 {
	t.Helper()
	var rows []guardSQL
	if err := tx.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[int64]guardSQL{}
	for _, r := range rows {
		got[r.ID] = r
	}
	var changed []int64
	for _, s := range guardSQLSeed() {
		r, ok := got[s.ID]
		if !ok || r.Name != s.Name || (r.Qty == nil) != (s.Qty == nil) || r.Qty != nil && *r.Qty != *s.Qty {
			changed = append(changed, s.ID)
		}
	}
	var others []guardOther
	if err := tx.Order("id").Find(&others).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(others, guardOtherSeed) {
		t.Errorf("neighbour table = %+v, want %+v", others, guardOtherSeed)
	}
	return changed
}

var errRollback = errors.New("rollback")

// runGuardSQL runs c in a transaction that is rolled back, and returns the
// rows it changed and the statement's error.
func runGuardSQL(t *testing.T, db *gorm.DB, c guardSQLCase) ([]int64, error) {
	t.Helper()
	var runErr error
	var changed []int64
	err := db.Transaction(func(tx *gorm.DB) error {
		if c.raw {
			rows, err := tx.Raw(c.sql, c.vars...).Rows()
			if err == nil {
				for rows.Next() {
				}
				err = errors.Join(rows.Err(), rows.Close())
			}
			runErr = err
		} else {
			runErr = tx.Exec(c.sql, c.vars...).Error
		}
		if runErr != nil && !errors.Is(runErr, hooks.ErrUnboundedWrite) {
			return runErr
		}
		changed = changedRows(t, tx)
		return errRollback
	})
	if !errors.Is(err, errRollback) && !errors.Is(err, runErr) {
		t.Fatalf("transaction: %v", err)
	}
	return changed, runErr
}

// TestGuardReadsSQLLikeTheServer runs every refused class and the list of
// legitimate statements on every configured database: refused statements
// change no row, accepted ones exactly the rows their condition selects.
func TestGuardReadsSQLLikeTheServer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSQLSetup(t, db)
		t.Run("accepted", func(t *testing.T) {
			cases := accepted(db.Dialect)
			if len(cases) < 30 {
				t.Fatalf("%d legitimate statements, want at least 30", len(cases))
			}
			for _, c := range cases {
				t.Run(c.sql, func(t *testing.T) {
					changed, err := runGuardSQL(t, db.DB, c)
					if err != nil {
						t.Fatalf("refused a bounded statement: %v", err)
					}
					if !slices.Equal(changed, c.want) {
						t.Errorf("changed rows %v, want %v", changed, c.want)
					}
				})
			}
		})
		t.Run("refused", func(t *testing.T) {
			for _, c := range refused(db.Dialect) {
				t.Run(c.sql, func(t *testing.T) {
					changed, err := runGuardSQL(t, db.DB, c)
					var ue *hooks.UnboundedWriteError
					if !errors.Is(err, hooks.ErrUnboundedWrite) || !errors.As(err, &ue) {
						t.Fatalf("err = %v, want *UnboundedWriteError", err)
					}
					if len(changed) != 0 {
						t.Errorf("refused statement changed rows %v", changed)
					}
					if !strings.Contains(err.Error(), "AllowUnbounded") {
						t.Errorf("message %q does not say how to allow it", err)
					}
				})
			}
		})
	})
}

// TestGuardAllowUnboundedTravels checks the escape hatch: a reusable session
// (no WHERE carried from one statement to the next), and a context that
// reaches gorm.G chains, whose refusal message says to use it.
func TestGuardAllowUnboundedTravels(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSQLSetup(t, db)
		ctx := context.Background()
		all := hooks.AllowUnbounded(db.DB)
		mustOK(t, all.Model(&guardSQL{}).Where("id = ?", 1).Update("name", "one"))
		res := all.Model(&guardSQL{}).Update("name", "every")
		mustOK(t, res)
		if res.RowsAffected != 10 {
			t.Errorf("second statement on the session: %d rows, want 10 (no WHERE inherited)", res.RowsAffected)
		}
		// gorm.G starts a new statement from the ctx of each call.
		_, err := gorm.G[guardSQL](all).Where("1 = 1").Update(ctx, "name", "g")
		if !errors.Is(err, hooks.ErrUnboundedWrite) || !strings.Contains(err.Error(), "AllowUnboundedContext") {
			t.Errorf("gorm.G without the context: err = %v, want a refusal naming AllowUnboundedContext", err)
		}
		n, err := gorm.G[guardSQL](db.DB).Where("1 = 1").Update(hooks.AllowUnboundedContext(ctx), "name", "g")
		if err != nil || n != 10 {
			t.Errorf("gorm.G under AllowUnboundedContext: %d rows, %v; want 10, nil", n, err)
		}
		if err := db.WithContext(hooks.AllowUnboundedContext(ctx)).Exec("UPDATE guard_sqls SET qty = 1 WHERE 1=1").Error; err != nil {
			t.Errorf("Exec under AllowUnboundedContext: %v", err)
		}
		var names []string
		if err := db.Model(&guardSQL{}).Distinct().Pluck("name", &names).Error; err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names) != "[g]" {
			t.Errorf("names = %v, want [g]", names)
		}
		// Nothing leaked to db itself.
		if err := db.Model(&guardSQL{}).Where("1 = 1").Update("name", "x").Error; !errors.Is(err, hooks.ErrUnboundedWrite) {
			t.Errorf("db after AllowUnbounded: err = %v, want ErrUnboundedWrite", err)
		}
	})
}
