package where_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/sqltext"
	"github.com/gormup/gormup/internal/where"
)

const (
	lexMySQL     = sqltext.MySQL
	lexPostgres  = sqltext.Postgres
	lexPlain     = sqltext.SQLite
	lexSQLServer = sqltext.SQLServer
)

// TestCheckRaw pins the reader on one statement per shape, in each family's
// lexical rules. The live tests (hooks) run the same classes on the servers.
func TestCheckRaw(t *testing.T) {
	cases := []struct {
		name      string
		sql       string
		vars      []any
		lex       sqltext.Family
		want      where.Reason // 0: bounded or not checked
		wantTable string
	}{
		{"select", "SELECT * FROM t", nil, lexPlain, 0, ""},
		{"insert", "INSERT INTO t (a) VALUES (1)", nil, lexPlain, 0, ""},
		{"ddl", "CREATE TABLE t (id int)", nil, lexPlain, 0, ""},
		{"bounded update", "UPDATE t SET a = ? WHERE id = ?", []any{1, 2}, lexPlain, 0, ""},
		{"bounded delete", "DELETE FROM t WHERE id = $1", []any{2}, lexPostgres, 0, ""},
		{"update no where", "UPDATE t SET a = 1", nil, lexPlain, where.Missing, "t"},
		{"lower case", "update accounts set a = 1", nil, lexPlain, where.Missing, "accounts"},
		{"delete no where", "DELETE FROM t", nil, lexPlain, where.Missing, "t"},
		{"quoted table", `DELETE FROM "app"."t"`, nil, lexPostgres, where.Missing, "app.t"},
		{"backquoted table", "UPDATE LOW_PRIORITY IGNORE `t` SET a = 1", nil, lexMySQL, where.Missing, "t"},
		{"top", "UPDATE TOP (10) [t] SET a = 1", nil, lexPlain, where.Missing, "t"},
		{"sqlite or replace", "UPDATE OR REPLACE t SET a = 1", nil, lexPlain, where.Missing, "t"},
		{"1=1", "UPDATE t SET a = 1 WHERE 1=1", nil, lexPlain, where.NoBound, "t"},
		{"TRUE", "DELETE FROM t WHERE TRUE", nil, lexPlain, where.NoBound, "t"},
		{"bound tautology", "DELETE FROM t WHERE ? = ?", []any{"x", "x"}, lexPlain, where.NoBound, "t"},
		{"pk not null", "DELETE FROM t WHERE id IS NOT NULL", nil, lexPlain, where.NoBound, "t"},
		{"where then order by", "DELETE FROM t WHERE 1=1 ORDER BY id LIMIT 10", nil, lexMySQL, where.NoBound, "t"},
		{"returning", "UPDATE t SET a = 1 WHERE id = 3 RETURNING *", nil, lexPostgres, 0, ""},
		{"where in subquery only", "UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)", nil, lexPlain, where.Missing, "t"},
		{"where in string only", "UPDATE t SET a = 'x WHERE id = 1'", nil, lexPlain, where.Missing, "t"},
		{"where in line comment", "UPDATE t SET a = 1 -- WHERE id = 1", nil, lexPlain, where.Missing, "t"},
		{"where in block comment", "UPDATE t SET a = 1 /* WHERE id = 1 */", nil, lexPlain, where.Missing, "t"},
		{"where in hash comment", "UPDATE t SET a = 1 # WHERE id = 1", nil, lexMySQL, where.Missing, "t"},
		{"nested comment postgres", "UPDATE t SET a = 1 /* a /* b */ WHERE id = 1 */", nil, lexPostgres, where.Missing, "t"},
		{"backslash quote mysql", `UPDATE t SET a = 'it\'s; WHERE id = 1'`, nil, lexMySQL, where.Missing, "t"},
		{"backslash is literal elsewhere", `UPDATE t SET a = 'C:\' WHERE id = 1`, nil, lexPostgres, 0, ""},
		{"E string postgres", `UPDATE t SET a = E'it\'s WHERE id = 1'`, nil, lexPostgres, where.Missing, "t"},
		{"dollar quote postgres", "UPDATE t SET a = $$ WHERE id = 1 $$", nil, lexPostgres, where.Missing, "t"},
		{"tagged dollar quote", "UPDATE t SET a = $x$ ; WHERE id = 1 $x$", nil, lexPostgres, where.Missing, "t"},
		{"placeholder not a dollar quote", "UPDATE t SET a = $1 WHERE id = $2", []any{1, 2}, lexPostgres, 0, ""},
		{"hash is xor in postgres", "UPDATE t SET a = a # 1 WHERE id = 1", nil, lexPostgres, 0, ""},
		{"second statement unbounded", "UPDATE t SET a = 1 WHERE id = 1; DELETE FROM u", nil, lexPlain, where.Missing, "u"},
		{"second statement uses later vars", "UPDATE t SET a = ? WHERE id = ?; DELETE FROM u WHERE ? = ?", []any{1, 2, 3, 3}, lexPlain, where.NoBound, "u"},
		{"second statement: values only", "UPDATE t SET a = ? WHERE id = ?; DELETE FROM u WHERE ? = ?", []any{1, 1, 3, 4}, lexPlain, where.NoBound, "u"},
		{"trailing semicolon", "DELETE FROM t WHERE id = 1;", nil, lexPlain, 0, ""},
		{"cte update", "WITH x AS (SELECT id FROM u WHERE id > 1) UPDATE t SET a = 1", nil, lexPostgres, where.Missing, "t"},
		{"cte bounded", "WITH x AS (SELECT id FROM u) DELETE FROM t WHERE id IN (SELECT id FROM x)", nil, lexPostgres, 0, ""},
		{"cte select", "WITH x AS (DELETE FROM u RETURNING id) SELECT * FROM x", nil, lexPostgres, where.Missing, "u"},
		{"mysql join bulk update", "UPDATE `t` JOIN (SELECT ? AS id, ? AS a UNION ALL SELECT ?, ?) v ON `t`.`id` = v.id SET `t`.`a` = v.a", []any{1, 2, 3, 4}, lexMySQL, 0, ""},
		{"mysql inner join", "UPDATE t INNER JOIN u ON t.id = u.t_id SET t.a = u.a", nil, lexMySQL, 0, ""},
		{"mysql left join", "UPDATE t LEFT JOIN u ON t.id = u.t_id SET t.a = 1", nil, lexMySQL, where.Missing, "t"},
		{"mysql join vacuous on", "UPDATE t JOIN u ON 1=1 SET t.a = 1", nil, lexMySQL, where.NoBound, "t"},
		{"sqlserver bulk update", "UPDATE [t] SET [a] = v.a FROM [t] JOIN (VALUES (@p1, @p2)) AS v(id, a) ON [t].[id] = v.id", []any{1, 2}, lexSQLServer, 0, ""},
		{"postgres bulk update", "UPDATE t SET a = v.a FROM (VALUES ($1::bigint, $2::bigint)) AS v(id, a) WHERE t.id = v.id", []any{1, 2}, lexPostgres, 0, ""},
		{"postgres update from without where", "UPDATE t SET a = v.a FROM (VALUES (1, 2)) AS v(id, a)", nil, lexPostgres, where.Missing, "t"},
		{"mysql multi-table delete", "DELETE t FROM t JOIN u ON t.id = u.t_id", nil, lexMySQL, where.NotUnderstood, ""},
		{"unterminated string", "UPDATE t SET a = 'oops", nil, lexPlain, where.NotUnderstood, ""},
		{"sqlite comment runs to the end", "UPDATE t SET a = 1 /* WHERE id = 1", nil, lexPlain, where.Missing, "t"},
		{"empty", "", nil, lexPlain, 0, ""},
		{"only semicolons", " ; ; ", nil, lexPlain, 0, ""},

		// Lexing that disagrees with the server (issue 13).
		{"mysql double-quoted string", `UPDATE t SET a = 1 WHERE "id" = "id"`, nil, lexMySQL, where.NoBound, "t"},
		{"mysql double-quoted string compared", `UPDATE t SET a = 1 WHERE name = "Name"`, nil, lexMySQL, 0, ""},
		{"mysql backslash in double quotes", `UPDATE t SET a = "x\" WHERE id = 1 -- " WHERE 1 = 2`, nil, lexMySQL, where.NoBound, "t"},
		{"mysql executable comment", "UPDATE t SET a = 1 WHERE id = 1 /*! OR 1=1 */", nil, lexMySQL, where.NoBound, "t"},
		{"mariadb executable comment", "UPDATE t SET a = 1 /*M! WHERE 1=1 */", nil, lexMySQL, where.NoBound, "t"},
		{"mysql versioned comment", "UPDATE t SET a = 1 WHERE id = 1 /*!50000 OR 1=1 */", nil, lexMySQL, where.NotUnderstood, ""},
		{"mysql --x is minus minus", "UPDATE t SET a = 1 WHERE id = 1 --1\nOR 1=1", nil, lexMySQL, where.NoBound, "t"},
		{"mysql -- comment", "UPDATE t SET a = 1 WHERE id = 1 -- OR 1=1", nil, lexMySQL, 0, ""},
		{"postgres array brackets", `UPDATE t SET a = 1 WHERE ARRAY[id] = ARRAY[id]`, nil, lexPostgres, where.NoBound, "t"},
		{"postgres array value", `UPDATE t SET a = 1 WHERE id = ANY(ARRAY[1, 2])`, nil, lexPostgres, 0, ""},
		{"postgres non-ascii dollar tag", "UPDATE t SET a = $é$ x $é$ WHERE 1=1", nil, lexPostgres, where.NoBound, "t"},
		{"postgres non-ascii dollar tag hides where", "UPDATE t SET a = $é$ WHERE id = 1 $é$", nil, lexPostgres, where.Missing, "t"},
		{"postgres E string", `UPDATE t SET a = E'\' WHERE id = 1 --' WHERE 1=1`, nil, lexPostgres, where.NoBound, "t"},
		{"sqlserver N string", "UPDATE [t] SET [a] = N'x]' WHERE [id] = 1", nil, lexSQLServer, 0, ""},
		{"sqlserver bracket identifier", "UPDATE [t] SET [a] = 1 WHERE [x]]y] = [x]]y]", nil, lexSQLServer, where.NoBound, "t"},
		// Writes wrapped in another statement.
		{"cte update select", "WITH u AS (UPDATE t SET a = 1 RETURNING id) SELECT * FROM u", nil, lexPostgres, where.Missing, "t"},
		{"cte update bounded", "WITH u AS (UPDATE t SET a = 1 WHERE id = 1 RETURNING id) SELECT * FROM u", nil, lexPostgres, 0, ""},
		{"explain analyze", "EXPLAIN ANALYZE UPDATE t SET a = 1", nil, lexPostgres, where.Missing, "t"},
		{"explain options", "EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t WHERE 1=1", nil, lexPostgres, where.NoBound, "t"},
		{"mariadb analyze", "ANALYZE UPDATE t SET a = 1", nil, lexMySQL, where.Missing, "t"},
		{"analyze table", "ANALYZE TABLE t", nil, lexMySQL, 0, ""},
		{"merge", "MERGE INTO t USING o ON o.id = 1 WHEN MATCHED THEN UPDATE SET a = 1", nil, lexPostgres, where.HiddenWrite, ""},
		{"do block", "DO $$ BEGIN UPDATE t SET a = 1; END $$", nil, lexPostgres, where.HiddenWrite, ""},
		{"prepare as", "PREPARE p AS UPDATE t SET a = 1", nil, lexPostgres, where.Missing, "t"},
		{"mysql prepare from", "PREPARE p FROM 'UPDATE t SET a = 1'", nil, lexMySQL, where.Missing, "t"},
		{"copy", "COPY (UPDATE t SET a = 1 RETURNING id) TO STDOUT", nil, lexPostgres, where.Missing, "t"},
		{"select for update", "SELECT * FROM t WHERE id = 1 FOR UPDATE", nil, lexPostgres, 0, ""},
		{"insert on duplicate key update", "INSERT INTO t (id, a) VALUES (1, 2) ON DUPLICATE KEY UPDATE a = 2", nil, lexMySQL, 0, ""},
		{"insert on conflict do update", "INSERT INTO t (id, a) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET a = 2", nil, lexPostgres, 0, ""},
		// A WHERE that bounds another table.
		{"update from other table", "UPDATE t SET a = 1 FROM (SELECT 1 AS id) o WHERE o.id = 1", nil, lexPostgres, where.NoBound, "t"},
		{"update from bare column of other", "UPDATE t SET a = 1 FROM (SELECT 1 AS zz) o WHERE zz = 1", nil, lexPostgres, where.NoBound, "t"},
		{"delete using other", "DELETE FROM t USING o WHERE o.id = 1", nil, lexPostgres, where.NoBound, "t"},
		{"delete using bounded", "DELETE FROM t USING o WHERE t.id = o.id AND o.flag", nil, lexPostgres, 0, ""},
		{"mysql comma multi-table", "UPDATE t, o SET t.a = 1 WHERE o.id = 1", nil, lexMySQL, where.NoBound, "t"},
		{"mysql join on other", "UPDATE t JOIN o ON o.id = 1 SET t.a = 1", nil, lexMySQL, where.NoBound, "t"},
		{"mysql multi-table writes other", "UPDATE t JOIN o ON t.id = o.id SET o.a = 1", nil, lexMySQL, where.NotUnderstood, "t"},
		{"self join", "UPDATE t SET a = 1 FROM t AS o WHERE t.id = o.id", nil, lexPostgres, where.NoBound, "t"},
		{"cte reading the target", "WITH x AS (SELECT id FROM t) UPDATE t SET a = 1 FROM x WHERE t.id = x.id", nil, lexPostgres, where.NoBound, "t"},
		{"cte of another table", "WITH x AS (SELECT id FROM o) UPDATE t SET a = 1 FROM x WHERE t.id = x.id", nil, lexPostgres, 0, ""},
		{"derived from target", "UPDATE t SET a = 1 FROM (SELECT id FROM t) o WHERE t.id = o.id", nil, lexPostgres, where.NoBound, "t"},
		// Always-true conditions outside any list.
		{"(1)=(1)", "UPDATE t SET a = 1 WHERE (1)=(1)", nil, lexPlain, where.NoBound, "t"},
		{"1 IN (1)", "UPDATE t SET a = 1 WHERE 1 IN (1)", nil, lexPlain, where.NoBound, "t"},
		{"t.id = id", "UPDATE t SET a = 1 WHERE t.id = id", nil, lexPlain, where.NoBound, "t"},
		{"NOT (id IS NULL)", "UPDATE t SET a = 1 WHERE NOT (id IS NULL)", nil, lexPlain, where.NoBound, "t"},
		{"IS NULL OR IS NOT NULL", "UPDATE t SET a = 1 WHERE x IS NULL OR x IS NOT NULL", nil, lexPlain, where.NoBound, "t"},
		{"range OR", "UPDATE t SET a = 1 WHERE x < 5 OR x >= 5", nil, lexPlain, where.NoBound, "t"},
		{"function of column", "UPDATE t SET a = 1 WHERE coalesce(x, 0) = coalesce(x, 0)", nil, lexPlain, where.NoBound, "t"},
		{"column plus zero", "UPDATE t SET a = 1 WHERE x = x + 0", nil, lexPlain, where.NoBound, "t"},
		{"current_user", "UPDATE t SET a = 1 WHERE current_user = 'postgres'", nil, lexPostgres, where.NoBound, "t"},
		{"like everything", "UPDATE t SET a = 1 WHERE name LIKE ?", []any{"%%"}, lexPlain, where.NoBound, "t"},
		{"<> ALL", "UPDATE t SET a = 1 WHERE id <> ALL(ARRAY[]::int[])", nil, lexPostgres, where.NoBound, "t"},
		{"sqlite double quotes", `UPDATE t SET a = 1 WHERE "nocol" = 'nocol'`, nil, lexPlain, where.NoBound, "t"},
		{"comparison as an operand", "UPDATE t SET a = 1 WHERE id = 1 IS NOT NULL", nil, lexPostgres, where.NoBound, "t"},
		{"like as an operand", "UPDATE t SET a = 1 WHERE name LIKE 'a%' IS NOT NULL", nil, lexPostgres, where.NoBound, "t"},
		{"mysql || is OR", "UPDATE t SET a = 1 WHERE id = 1 || 1", nil, lexMySQL, where.NoBound, "t"},
		{"mysql && is AND", "UPDATE t SET a = 1 WHERE id = 1 && 1", nil, lexMySQL, where.NoBound, "t"},
		{"postgres || concatenates", "UPDATE t SET a = 1 WHERE name = 'a' || 'b'", nil, lexPostgres, 0, ""},
		{"case value", "UPDATE t SET a = 1 WHERE id = CASE WHEN ? > 1 THEN 2 ELSE 3 END", []any{2}, lexPlain, 0, ""},
		// SQL Server forms (shape only: no server here).
		{"sqlserver top with where", "UPDATE TOP (10) [t] SET [a] = 1 WHERE [id] > 5", nil, lexSQLServer, 0, ""},
		{"sqlserver output", "UPDATE [t] SET [a] = 1 OUTPUT inserted.[id] WHERE [id] = 1", nil, lexSQLServer, 0, ""},
		{"sqlserver delete output", "DELETE FROM [t] OUTPUT deleted.[id] WHERE [id] = 1", nil, lexSQLServer, 0, ""},
		{"sqlserver alias from", "UPDATE a SET a.[x] = 1 FROM [accounts] a WHERE a.[id] = 1", nil, lexSQLServer, 0, ""},
		{"sqlserver hint", "UPDATE [t] SET [x] = 1 FROM [t] WITH (UPDLOCK, ROWLOCK) WHERE [t].[id] = 1", nil, lexSQLServer, 0, ""},
		{"sqlserver delete join", "DELETE t FROM t JOIN o ON t.id = o.id", nil, lexSQLServer, 0, ""},
		{"sqlserver delete join on other", "DELETE t FROM t JOIN o ON o.id = 1", nil, lexSQLServer, where.NoBound, "t"},
		{"sqlserver from other", "UPDATE [t] SET [x] = 1 FROM [o] WHERE [o].[id] = 1", nil, lexSQLServer, where.NoBound, "t"},
		{"correlated subquery without FROM", "UPDATE t SET a = 1 WHERE id IN (SELECT id)", nil, lexPostgres, where.NoBound, "t"},
		{"correlated scalar subquery", "UPDATE t SET a = 1 WHERE id = (SELECT t.id FROM o LIMIT 1)", nil, lexPostgres, where.NoBound, "t"},
		{"values subquery of the row", "UPDATE t SET a = 1 WHERE id IN (VALUES (id))", nil, lexPostgres, where.NoBound, "t"},
		{"values subquery", "UPDATE t SET a = 1 WHERE id IN (VALUES (1), (2))", nil, lexPostgres, 0, ""},
		{"subquery with FROM", "UPDATE t SET a = 1 WHERE id IN (SELECT o.t_id FROM o WHERE o.x = 1)", nil, lexPostgres, 0, ""},
		{"arithmetic over a column", "UPDATE t SET a = 1 WHERE id % 2 = 0", nil, lexPlain, 0, ""},
		{"arithmetic over two columns", "UPDATE t SET a = 1 WHERE id - id = 0", nil, lexPlain, where.NoBound, "t"},
		{"function over a column", "UPDATE t SET a = 1 WHERE coalesce(id, 0) >= 0", nil, lexPlain, where.NoBound, "t"},
		{"arithmetic in an OR", "UPDATE t SET a = 1 WHERE id % 2 = 0 OR id % 2 = 1", nil, lexPlain, where.NoBound, "t"},
		{"equality OR", "UPDATE t SET a = 1 WHERE status = 'a' OR status = 'b'", nil, lexPlain, 0, ""},
		{"equality OR IS NULL", "UPDATE t SET a = 1 WHERE (x = 1 AND y > 2) OR x IS NULL", nil, lexPlain, 0, ""},
		{"where false", "UPDATE t SET id = id WHERE 0", nil, lexPlain, 0, ""},
		{"composite in", "DELETE FROM t WHERE (a, b) IN ((1, 2), (3, 4))", nil, lexPlain, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := where.CheckRaw(tc.sql, tc.vars, tc.lex, where.Facts{})
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("CheckRaw(%q) = %v, want nil", tc.sql, err)
				}
				return
			}
			var e *where.Error
			if !errors.As(err, &e) {
				t.Fatalf("CheckRaw(%q) = %v, want *where.Error", tc.sql, err)
			}
			if e.Reason != tc.want || e.Table != tc.wantTable {
				t.Errorf("CheckRaw(%q): reason %v on table %q (%v), want %v on %q", tc.sql, e.Reason, e.Table, err, tc.want, tc.wantTable)
			}
			if !errors.Is(err, where.ErrUnbounded) {
				t.Errorf("errors.Is(%v, ErrUnbounded) = false", err)
			}
			if e.Condition == "" {
				t.Errorf("Condition is empty, want the offending statement")
			}
		})
	}
}

func TestCheckRawFacts(t *testing.T) {
	pairs := where.Facts{Table: "pairs", Columns: []string{"tenant_id", "code", "note"}}
	var e *where.Error
	if err := where.CheckRaw("DELETE FROM pairs WHERE code IS NOT NULL", nil, lexPlain, pairs); !errors.As(err, &e) || e.Reason != where.NoBound {
		t.Errorf("IS NOT NULL: err = %v, want NoBound", err)
	}
	// A name that is not a column of the model is not a bound.
	if err := where.CheckRaw("DELETE FROM pairs WHERE user = 'x'", nil, lexPlain, pairs); !errors.As(err, &e) || e.Reason != where.NoBound {
		t.Errorf("unknown column: err = %v, want NoBound", err)
	}
	// With the model's columns known, a bare column joins with other tables.
	if err := where.CheckRaw("UPDATE pairs SET note = v.note FROM (VALUES (1, 'x')) AS v(id, note) WHERE code = 'a'", nil, lexPostgres, pairs); err != nil {
		t.Errorf("known bare column with another table: err = %v, want nil", err)
	}
	accounts := where.Facts{Table: "accounts", Columns: []string{"id", "status", "deleted_at"}, SoftDelete: []string{"deleted_at"}}
	err := where.CheckRaw("UPDATE accounts SET status = 'x' WHERE deleted_at IS NULL", nil, lexPlain, accounts)
	if !errors.As(err, &e) || e.Reason != where.SoftDeleteOnly {
		t.Errorf("soft-delete only: err = %v, want SoftDeleteOnly", err)
	}
	// The condition names the offending statement only.
	err = where.CheckRaw("UPDATE a SET x = 1 WHERE id = 1; DELETE FROM b WHERE 1=1", nil, lexPlain, where.Facts{})
	if !errors.As(err, &e) || e.Condition != "DELETE FROM b WHERE 1=1" {
		t.Errorf("Condition = %q, want the second statement", e.Condition)
	}
}
