package index

import (
	"regexp"
	"strings"
)

// scan walks SQL text, calling fn for every byte outside string literals and
// quoted identifiers with the current parenthesis depth; fn returns false to
// stop. It returns the position where it stopped, or len(sql).
func scan(sql string, fn func(i, depth int) bool) int {
	depth := 0
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"', '`':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				return len(sql)
			}
			i += j + 1
			continue
		case '[':
			j := strings.IndexByte(sql[i+1:], ']')
			if j < 0 {
				return len(sql)
			}
			i += j + 1
			continue
		case '(':
			depth++
			if depth == 1 && !fn(i, 0) {
				return i
			}
			continue
		case ')':
			depth--
		}
		if !fn(i, depth) {
			return i
		}
	}
	return len(sql)
}

// keyList returns the text between the parentheses that follow ON table in
// a CREATE INDEX statement, and the text after them.
func keyList(sql string) (list, rest string) {
	open := -1
	scan(sql, func(i, depth int) bool {
		if depth == 0 && sql[i] == '(' {
			open = i
			return false
		}
		return true
	})
	if open < 0 {
		return "", ""
	}
	end := open + 1 + scan(sql[open+1:], func(i, depth int) bool {
		return !(depth < 0)
	})
	if end > len(sql) {
		end = len(sql)
	}
	list = sql[open+1 : min(end, len(sql))]
	if end < len(sql) {
		rest = sql[end+1:]
	}
	return list, rest
}

// splitTop splits s at commas outside parentheses and quotes.
func splitTop(s string) []string {
	var parts []string
	start := 0
	scan(s, func(i, depth int) bool {
		if depth == 0 && s[i] == ',' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(parts, s[start:])
}

var (
	whereRe     = regexp.MustCompile(`(?is)^\s*where\s+(.*)$`)
	keySuffixRe = regexp.MustCompile(`(?is)\s+(collate\s+\S+\s*)?(asc|desc)?\s*$`)
)

// sqliteWhere returns the predicate of a stored CREATE INDEX statement, or ""
// when the index is not partial.
func sqliteWhere(sql string) string {
	_, rest := keyList(sql)
	if m := whereRe.FindStringSubmatch(rest); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// sqliteKey returns the text of key part pos of a stored CREATE INDEX
// statement, without its COLLATE and ASC/DESC suffix.
func sqliteKey(sql string, pos int) string {
	list, _ := keyList(sql)
	parts := splitTop(list)
	if pos >= len(parts) {
		return ""
	}
	p := strings.TrimSpace(parts[pos])
	if loc := keySuffixRe.FindStringIndex(p); loc != nil && loc[0] > 0 {
		p = p[:loc[0]]
	}
	return strings.TrimSpace(p)
}

// castRe matches PostgreSQL's explicit casts as pg_get_expr renders them,
// e.g. ::text, ::character varying, ::timestamp with time zone, ::integer[],
// in lower-cased text with identifier quotes removed.
var castRe = regexp.MustCompile(`::(character varying|timestamp with(out)? time zone|time with(out)? time zone|double precision|bit varying|[a-z_][a-z0-9_]*)(\[\])?`)

// normalize renders SQL text for comparison: identifier quotes and
// whitespace outside string literals removed, letters outside literals
// lower-cased, PostgreSQL casts removed and redundant outer parentheses
// stripped. With dropParens every parenthesis goes, which suits SQL Server's
// fully parenthesised filter definitions.
func normalize(sql string, dropParens bool) string {
	lower := rewrite(sql, func(c byte) string {
		switch {
		case c == '"' || c == '`' || c == '[' || c == ']':
			return ""
		case c == '\t' || c == '\n' || c == '\r':
			return " "
		case c >= 'A' && c <= 'Z':
			return string(c + 'a' - 'A')
		}
		return string(c)
	})
	lower = castRe.ReplaceAllString(lower, "")
	out := rewrite(lower, func(c byte) string {
		if c == ' ' || (dropParens && (c == '(' || c == ')')) {
			return ""
		}
		return string(c)
	})
	for len(out) >= 2 && out[0] == '(' && out[len(out)-1] == ')' && balanced(out[1:len(out)-1]) {
		out = out[1 : len(out)-1]
	}
	return out
}

// rewrite maps every byte of sql outside single-quoted literals through fn.
func rewrite(sql string, fn func(c byte) string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == '\'' {
			j := strings.IndexByte(sql[i+1:], '\'')
			if j < 0 {
				b.WriteString(sql[i:])
				break
			}
			b.WriteString(sql[i : i+j+2])
			i += j + 1
			continue
		}
		b.WriteString(fn(c))
	}
	return b.String()
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
