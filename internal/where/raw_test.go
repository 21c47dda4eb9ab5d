package where_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/where"
)

var (
	lexMySQL    = dialect.Lexing{HashComments: true, BackslashEscapes: true}
	lexPostgres = dialect.Lexing{DollarQuotes: true}
	lexPlain    = dialect.Lexing{}
)

func TestCheckRawSQL(t *testing.T) {
	cases := []struct {
		name      string
		sql       string
		vars      []any
		lex       dialect.Lexing
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
		{"second statement bounded by its vars", "UPDATE t SET a = ? WHERE id = ?; DELETE FROM u WHERE ? = ?", []any{1, 1, 3, 4}, lexPlain, 0, ""},
		{"trailing semicolon", "DELETE FROM t WHERE id = 1;", nil, lexPlain, 0, ""},
		{"cte update", "WITH x AS (SELECT id FROM u WHERE id > 1) UPDATE t SET a = 1", nil, lexPostgres, where.Missing, "t"},
		{"cte bounded", "WITH x AS (SELECT id FROM u) DELETE FROM t WHERE id IN (SELECT id FROM x)", nil, lexPostgres, 0, ""},
		{"cte select", "WITH x AS (DELETE FROM u RETURNING id) SELECT * FROM x", nil, lexPostgres, 0, ""},
		{"mysql join bulk update", "UPDATE `t` JOIN (SELECT ? AS id, ? AS a UNION ALL SELECT ?, ?) v ON `t`.`id` = v.id SET `t`.`a` = v.a", []any{1, 2, 3, 4}, lexMySQL, 0, ""},
		{"mysql inner join", "UPDATE t INNER JOIN u ON t.id = u.t_id SET t.a = u.a", nil, lexMySQL, 0, ""},
		{"mysql left join", "UPDATE t LEFT JOIN u ON t.id = u.t_id SET t.a = 1", nil, lexMySQL, where.Missing, "t"},
		{"mysql join vacuous on", "UPDATE t JOIN u ON 1=1 SET t.a = 1", nil, lexMySQL, where.Missing, "t"},
		{"sqlserver bulk update", "UPDATE [t] SET [a] = v.a FROM [t] JOIN (VALUES (@p1, @p2)) AS v(id, a) ON [t].[id] = v.id", []any{1, 2}, lexPlain, 0, ""},
		{"postgres bulk update", "UPDATE t SET a = v.a FROM (VALUES ($1::bigint, $2::bigint)) AS v(id, a) WHERE t.id = v.id", []any{1, 2}, lexPostgres, 0, ""},
		{"postgres update from without where", "UPDATE t SET a = v.a FROM (VALUES (1, 2)) AS v(id, a)", nil, lexPostgres, where.Missing, "t"},
		{"mysql multi-table delete", "DELETE t FROM t JOIN u ON t.id = u.t_id", nil, lexMySQL, 0, ""},
		{"unterminated string", "UPDATE t SET a = 'oops", nil, lexPlain, 0, ""},
		{"unterminated comment", "UPDATE t SET a = 1 /* oops", nil, lexPlain, 0, ""},
		{"empty", "", nil, lexPlain, 0, ""},
		{"only semicolons", " ; ; ", nil, lexPlain, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := where.CheckRawSQL(tc.sql, tc.vars, tc.lex, nil, nil)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("CheckRawSQL(%q) = %v, want nil", tc.sql, err)
				}
				return
			}
			var e *where.Error
			if !errors.As(err, &e) {
				t.Fatalf("CheckRawSQL(%q) = %v, want *where.Error", tc.sql, err)
			}
			if e.Reason != tc.want || e.Table != tc.wantTable {
				t.Errorf("CheckRawSQL(%q): reason %v on table %q, want %v on %q", tc.sql, e.Reason, e.Table, tc.want, tc.wantTable)
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

func TestCheckRawSQLColumns(t *testing.T) {
	// The primary key and soft-delete columns come from the caller.
	err := where.CheckRawSQL("DELETE FROM pairs WHERE code IS NOT NULL", nil, lexPlain, []string{"tenant_id", "code"}, nil)
	var e *where.Error
	if !errors.As(err, &e) || e.Reason != where.NoBound {
		t.Errorf("composite key IS NOT NULL: err = %v, want PrimaryKeyNotNull", err)
	}
	if err := where.CheckRawSQL("DELETE FROM pairs WHERE id IS NOT NULL", nil, lexPlain, []string{"tenant_id", "code"}, nil); err != nil {
		t.Errorf("id is not the key here: err = %v, want nil", err)
	}
	err = where.CheckRawSQL("UPDATE accounts SET status = 'x' WHERE deleted_at IS NULL", nil, lexPlain, nil, []string{"deleted_at"})
	if !errors.As(err, &e) || e.Reason != where.SoftDeleteOnly {
		t.Errorf("soft-delete only: err = %v, want SoftDeleteOnly", err)
	}
	// The condition names the offending statement only.
	err = where.CheckRawSQL("UPDATE a SET x = 1 WHERE id = 1; DELETE FROM b WHERE 1=1", nil, lexPlain, nil, nil)
	if !errors.As(err, &e) || e.Condition != "DELETE FROM b WHERE 1=1" {
		t.Errorf("Condition = %q, want the second statement", e.Condition)
	}
}
