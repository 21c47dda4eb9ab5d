package sqltext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/sqltext"
)

// render shows tokens compactly: kind letter and text.
func render(toks []sqltext.Token) string {
	kinds := map[sqltext.Kind]string{sqltext.Word: "w", sqltext.Ident: "i", sqltext.Number: "n", sqltext.String: "s",
		sqltext.Param: "p", sqltext.Op: "o", sqltext.Punct: "", sqltext.Other: "x"}
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = kinds[t.Kind] + ":" + t.Text
	}
	return strings.Join(parts, " ")
}

func TestLex(t *testing.T) {
	cases := []struct {
		name string
		fam  sqltext.Family
		sql  string
		want string
	}{
		{"mysql double quotes are strings", sqltext.MySQL, `name = "Na\"me"`, `w:name o:= s:Na"me`},
		{"mysql backslash escapes", sqltext.MySQL, `'it\'s'`, `s:it's`},
		{"mysql executable comment", sqltext.MySQL, "a /*! OR b */ c", "w:a w:OR w:b w:c"},
		{"mariadb executable comment", sqltext.MySQL, "a /*M! OR b */", "w:a w:OR w:b"},
		{"mysql --x is minus minus", sqltext.MySQL, "1 --1", "n:1 x:- x:- n:1"},
		{"mysql -- comment", sqltext.MySQL, "1 -- x\n2", "n:1 n:2"},
		{"mysql hash comment", sqltext.MySQL, "1 # x\n2", "n:1 n:2"},
		{"mysql backquotes", sqltext.MySQL, "`a``b`", "i:a`b"},
		{"mysql introducer", sqltext.MySQL, "_utf8mb4'x'", "s:x"},
		{"postgres array brackets", sqltext.Postgres, "ARRAY[id]", "w:ARRAY :[ w:id :]"},
		{"postgres non-ascii dollar tag", sqltext.Postgres, "$é$ a ' b $é$ c", "s: a ' b  w:c"},
		{"postgres dollar", sqltext.Postgres, "$$x$$ $1", "s:x p:$1"},
		{"postgres E string", sqltext.Postgres, `E'\'' x`, "s:' w:x"},
		{"postgres standard string", sqltext.Postgres, `'C:\' x`, `s:C:\ w:x`},
		{"postgres nested comments", sqltext.Postgres, "a /* x /* y */ z */ b", "w:a w:b"},
		{"postgres double quotes", sqltext.Postgres, `"a""b"`, `i:a"b`},
		{"postgres cast", sqltext.Postgres, "a::int[]", "w:a x::: w:int :[ :]"},
		{"postgres hash is an operator", sqltext.Postgres, "a # b", "w:a x:# w:b"},
		{"sqlite open comment runs to the end", sqltext.SQLite, "a /* b", "w:a"},
		{"sqlite brackets", sqltext.SQLite, "[a b]", "i:a b"},
		{"sqlite numbered parameter", sqltext.SQLite, "?2 ?", "p:?2 p:?"},
		{"sqlserver brackets", sqltext.SQLServer, "[a]]b]", "i:a]b"},
		{"sqlserver nested comments", sqltext.SQLServer, "a /* x /* y */ WHERE */ b", "w:a w:b"},
		{"sqlserver N string", sqltext.SQLServer, "N'x''y'", "s:x'y"},
		{"sqlserver parameters", sqltext.SQLServer, "@p1 @name", "p:@p1 p:@name"},
		{"operators", sqltext.SQLite, "a != b == c <=> d", "w:a o:<> w:b o:= w:c o:<=> w:d"},
		{"numbers", sqltext.SQLite, "1.5e3 .5 0x1F", "n:1.5e3 n:.5 n:0x1F"},
		{"non-ascii identifier", sqltext.SQLite, "größe = 1", "w:größe o:= n:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			toks, err := sqltext.Lex(c.sql, c.fam)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(toks); got != c.want {
				t.Errorf("Lex(%q) = %s, want %s", c.sql, got, c.want)
			}
		})
	}
}

func TestLexRefuses(t *testing.T) {
	for _, c := range []struct {
		fam sqltext.Family
		sql string
	}{
		{sqltext.SQLite, "'open"},
		{sqltext.Postgres, "a /* open"},
		{sqltext.Postgres, "a /* x /* y */ still open"},
		{sqltext.Postgres, "$t$ open"},
		{sqltext.MySQL, "a /*!50000 versioned */"},
		{sqltext.MySQL, "a /*! open"},
		{sqltext.MySQL, `"open`},
		{sqltext.SQLServer, "[open"},
	} {
		_, err := sqltext.Lex(c.sql, c.fam)
		var e *sqltext.Error
		if !errors.As(err, &e) || e.Msg == "" {
			t.Errorf("Lex(%q) = %v, want *sqltext.Error", c.sql, err)
		}
	}
}

func TestFamilyOf(t *testing.T) {
	for name, want := range map[string]sqltext.Family{"postgres": sqltext.Postgres, "mysql": sqltext.MySQL,
		"sqlserver": sqltext.SQLServer, "sqlite": sqltext.SQLite, "other": sqltext.SQLite} {
		if got := sqltext.FamilyOf(name); got != want {
			t.Errorf("FamilyOf(%q) = %v, want %v", name, got, want)
		}
	}
}
