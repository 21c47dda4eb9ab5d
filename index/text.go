package index

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

// Index text is read with internal/sqltext, the one SQL lexer: SQLite's
// stored CREATE INDEX statements with SQLite's rules (which know all three
// identifier quotes), predicates and expressions with PostgreSQL's (ARRAY[...]
// and ::type[] brackets) or, for SQL Server's filter definitions, with SQL
// Server's ([...] identifiers).
const textFamily = sqltext.SQLite

// keyList returns the tokens of a stored CREATE INDEX statement between the
// parentheses after ON table, and the index of the token after them; ok is
// false when there are none.
func keyList(toks []sqltext.Token) (list []sqltext.Token, after int, ok bool) {
	for i, t := range toks {
		if !t.Is("ON") {
			continue
		}
		for j := i + 1; j < len(toks); j++ {
			if toks[j].IsPunct("(") {
				depth := 0
				for k := j; k < len(toks); k++ {
					switch {
					case toks[k].IsPunct("("):
						depth++
					case toks[k].IsPunct(")"):
						depth--
						if depth == 0 {
							return toks[j+1 : k], k + 1, true
						}
					}
				}
				return nil, 0, false
			}
		}
	}
	return nil, 0, false
}

// sqliteWhere returns the predicate of a stored CREATE INDEX statement, or ""
// when the index is not partial.
func sqliteWhere(sql string) string {
	toks, err := sqltext.Lex(sql, textFamily)
	if err != nil {
		return ""
	}
	_, after, ok := keyList(toks)
	if !ok || after >= len(toks) || !toks[after].Is("WHERE") || after+1 >= len(toks) {
		return ""
	}
	return strings.TrimSpace(sql[toks[after+1].Pos:])
}

// sqliteKey returns the text of key part pos of a stored CREATE INDEX
// statement, without its COLLATE and ASC/DESC suffix.
func sqliteKey(sql string, pos int) string {
	toks, err := sqltext.Lex(sql, textFamily)
	if err != nil {
		return ""
	}
	list, _, ok := keyList(toks)
	if !ok {
		return ""
	}
	var parts [][]sqltext.Token
	depth, start := 0, 0
	for i, t := range list {
		switch {
		case t.IsPunct("("):
			depth++
		case t.IsPunct(")"):
			depth--
		case depth == 0 && t.IsPunct(","):
			parts = append(parts, list[start:i])
			start = i + 1
		}
	}
	parts = append(parts, list[start:])
	if pos >= len(parts) {
		return ""
	}
	p := parts[pos]
	if n := len(p); n > 1 && (p[n-1].Is("ASC") || p[n-1].Is("DESC")) {
		p = p[:n-1]
	}
	if n := len(p); n > 2 && p[n-2].Is("COLLATE") {
		p = p[:n-2]
	}
	if len(p) == 0 {
		return ""
	}
	return strings.TrimSpace(sql[p[0].Pos:p[len(p)-1].End])
}

// castTypes are PostgreSQL's multi-word type names as pg_get_expr renders
// them after ::.
var castTypes = [][]string{
	{"character", "varying"}, {"timestamp", "with", "time", "zone"}, {"timestamp", "without", "time", "zone"},
	{"time", "with", "time", "zone"}, {"time", "without", "time", "zone"}, {"double", "precision"}, {"bit", "varying"},
}

// normalize renders SQL text for comparison: identifier quotes (", [...] and
// MySQL's backquotes) and
// whitespace outside string literals removed, keywords and identifiers
// lower-cased, PostgreSQL casts (::type) removed and redundant outer
// parentheses stripped. With dropParens every parenthesis goes, which suits
// SQL Server's fully parenthesised filter definitions. Text the lexer cannot
// read is compared lower-cased as it is.
func normalize(sql string, dropParens bool) string {
	fam := sqltext.Postgres
	if dropParens {
		fam = sqltext.SQLServer
	}
	toks, err := sqltext.Lex(sql, fam)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(sql))
	}
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == sqltext.Other && t.Text == "::":
			i = skipCast(toks, i+1) - 1
		case t.Kind == sqltext.Word || t.Kind == sqltext.Ident:
			b.WriteString(strings.ToLower(t.Text))
		case t.Kind == sqltext.String:
			b.WriteString("'" + strings.ReplaceAll(t.Text, "'", "''") + "'")
		case dropParens && (t.IsPunct("(") || t.IsPunct(")")), t.Kind == sqltext.Other && t.Text == "`":
			// MySQL's `...` quotes, read as operator characters here
		default:
			b.WriteString(sql[t.Pos:t.End])
		}
	}
	out := b.String()
	for len(out) >= 2 && out[0] == '(' && out[len(out)-1] == ')' && balanced(out[1:len(out)-1]) {
		out = out[1 : len(out)-1]
	}
	return out
}

// skipCast returns the index after the type name starting at toks[i] (and
// a trailing []).
func skipCast(toks []sqltext.Token, i int) int {
	matched := false
	for _, words := range castTypes {
		if i+len(words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range words {
			if !toks[i+k].Is(w) {
				ok = false
				break
			}
		}
		if ok {
			i += len(words)
			matched = true
			break
		}
	}
	if !matched && i < len(toks) && (toks[i].Kind == sqltext.Word || toks[i].Kind == sqltext.Ident) {
		i++
	}
	if i+1 < len(toks) && toks[i].IsPunct("[") && toks[i+1].IsPunct("]") {
		i += 2
	}
	return i
}

// balanced reports whether parentheses in s never close more than they open
// and end balanced.
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
