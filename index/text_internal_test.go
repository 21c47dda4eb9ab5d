package index

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want   string
		dropParens bool
	}{
		{"active", "active", false},
		{"(active = true)", "active=true", false},
		{`"Status"::text = 'Active'::text`, "status='Active'", false},
		{"created_at > '2020-01-01'::timestamp with time zone AND b", "created_at>'2020-01-01'andb", false},
		{"(a OR b) AND (c)", "(aorb)and(c)", false},
		{"lower((email)::text)", "lower((email))", false},
		{"[active]=(1)", "active=1", true},
		{"([status]='a' OR [status]='b')", "status='a'orstatus='b'", true},
		{"x = 'it''s'", "x='it''s'", false},
		{"price::numeric(10,2) > 0", "price(10,2)>0", false},
		{"tags && ARRAY['A'::text, 'b'::character varying]::text[]", "tags&&array['A','b']", false},
		{"(status = ANY (ARRAY['a'::text]))", "status=any(array['a'])", false},
		{"lower(`Email`)", "lower(email)", false},
		{"note = 'x -- not a comment' -- a comment", "note='x -- not a comment'", false},
		{"name = $$Dollar$$", "name='Dollar'", false},
		{"x = 'unterminated", "x = 'unterminated", false},
	}
	for _, c := range cases {
		if got := normalize(c.in, c.dropParens); got != c.want {
			t.Errorf("normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("idx_short", 63); got != "idx_short" {
		t.Errorf("short name changed: %s", got)
	}
	if got := shorten(strings.Repeat("x", 200), 0); len(got) != 200 {
		t.Errorf("no limit: length %d", len(got))
	}
	long := "idx_" + strings.Repeat("a", 70)
	a, b := shorten(long, 63), shorten(long, 63)
	if a != b || len(a) != 63 || !strings.HasPrefix(a, "idx_aaa") || a[54] != '_' {
		t.Errorf("shorten = %q (%d bytes)", a, len(a))
	}
	if other := shorten(long+"b", 63); other == a {
		t.Error("two long names shortened to the same name")
	}
	// A multi-byte character straddling the cut is dropped whole.
	multi := "idx_" + strings.Repeat("é", 40)
	got := shorten(multi, 63)
	if !utf8.ValidString(got) || len(got) > 63 {
		t.Errorf("shorten(multi-byte) = %q (%d bytes)", got, len(got))
	}
}

func TestSQLiteDefinitionParts(t *testing.T) {
	sql := "CREATE UNIQUE INDEX `idx` ON `t`(lower(email) COLLATE NOCASE DESC,`a`, substr(name, 1, 3)) WHERE status IN ('a,b', 'c') AND x"
	for pos, want := range []string{"lower(email)", "`a`", "substr(name, 1, 3)", ""} {
		if got := sqliteKey(sql, pos); got != want {
			t.Errorf("sqliteKey(%d) = %q, want %q", pos, got, want)
		}
	}
	if got, want := sqliteWhere(sql), "status IN ('a,b', 'c') AND x"; got != want {
		t.Errorf("sqliteWhere = %q, want %q", got, want)
	}
	if got := sqliteWhere("CREATE INDEX i ON \"t (x)\" (a)"); got != "" {
		t.Errorf("sqliteWhere(full index) = %q", got)
	}
	if got := sqliteKey("CREATE INDEX i ON \"t (x)\" (a DESC)", 0); got != "a" {
		t.Errorf("sqliteKey with a parenthesised table name = %q", got)
	}
}
