package where

import (
	"strings"

	"github.com/gormup/gormup/internal/dialect"
)

// sanitize rewrites raw SQL into the subset tokenize reads: comments become
// a space, string literals of every form become '...' literals with doubled
// quotes and their decoded content. It also returns the text of each
// top-level statement (split at ';' outside parentheses, empty ones
// dropped). ok is false when the text cannot be lexed reliably: an
// unterminated string, quoted identifier or comment.
func sanitize(sql string, lex dialect.Lexing) (clean string, parts []string, ok bool) {
	var b strings.Builder
	b.Grow(len(sql))
	depth, partStart := 0, 0
	endPart := func() {
		if p := b.String()[partStart:]; strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"), c == '#' && lex.HashComments:
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				end = len(sql) - i
			}
			b.WriteByte(' ')
			i += end
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end, ok := blockCommentEnd(sql, i, lex.DollarQuotes)
			if !ok {
				return "", nil, false
			}
			b.WriteByte(' ')
			i = end
		case c == '\'':
			escapes := lex.BackslashEscapes
			if lex.DollarQuotes && isEPrefix(sql, i) {
				escapes = true
				s := b.String()
				b.Reset()
				b.WriteString(s[:len(s)-1]) // drop the E of E'...'
			}
			body, end, ok := quoted(sql, i, escapes)
			if !ok {
				return "", nil, false
			}
			writeLiteral(&b, body)
			i = end
		case c == '$' && lex.DollarQuotes:
			tag, ok := dollarTag(sql, i)
			if !ok {
				b.WriteByte(c)
				i++
				continue
			}
			end := strings.Index(sql[i+len(tag):], tag)
			if end < 0 {
				return "", nil, false
			}
			writeLiteral(&b, sql[i+len(tag):i+len(tag)+end])
			i += len(tag) + end + len(tag)
		case c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			end := strings.IndexByte(sql[i+1:], closer)
			if end < 0 {
				return "", nil, false
			}
			b.WriteString(sql[i : i+end+2])
			i += end + 2
		default:
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			case ';':
				if depth <= 0 {
					endPart()
					b.WriteByte(c)
					partStart = b.Len()
					i++
					continue
				}
			}
			b.WriteByte(c)
			i++
		}
	}
	endPart()
	return b.String(), parts, true
}

// quoted reads the '...' literal starting at sql[start] and returns its
// decoded body and the index after it. escapes makes a backslash escape the
// next character.
func quoted(sql string, start int, escapes bool) (string, int, bool) {
	var body strings.Builder
	for j := start + 1; j < len(sql); j++ {
		switch c := sql[j]; {
		case c == '\\' && escapes && j+1 < len(sql):
			j++
			body.WriteByte(sql[j])
		case c == '\'':
			if j+1 < len(sql) && sql[j+1] == '\'' {
				body.WriteByte('\'')
				j++
				continue
			}
			return body.String(), j + 1, true
		default:
			body.WriteByte(c)
		}
	}
	return "", 0, false
}

// writeLiteral writes body as a '...' literal, doubling its quotes.
func writeLiteral(b *strings.Builder, body string) {
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(body, "'", "''"))
	b.WriteByte('\'')
}

// isEPrefix reports whether the quote at sql[i] opens a PostgreSQL E'...'
// string: it follows an E that is not the end of a longer word.
func isEPrefix(sql string, i int) bool {
	if i == 0 || (sql[i-1] != 'E' && sql[i-1] != 'e') {
		return false
	}
	return i == 1 || !isWordByte(sql[i-2])
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// dollarTag returns the $tag$ (or $$) opening a PostgreSQL dollar-quoted
// string at sql[i]; $1 placeholders and $ inside words are not tags.
func dollarTag(sql string, i int) (string, bool) {
	if i > 0 && isWordByte(sql[i-1]) {
		return "", false
	}
	j := i + 1
	for j < len(sql) && (sql[j] == '_' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z' ||
		j > i+1 && sql[j] >= '0' && sql[j] <= '9') {
		j++
	}
	if j < len(sql) && sql[j] == '$' {
		return sql[i : j+1], true
	}
	return "", false
}

// blockCommentEnd returns the index after the /* ... */ comment starting at
// sql[start]; nested comments count when nest is set (PostgreSQL).
func blockCommentEnd(sql string, start int, nest bool) (int, bool) {
	depth := 0
	for j := start; j+1 < len(sql); j++ {
		switch {
		case sql[j] == '/' && sql[j+1] == '*':
			if depth == 0 || nest {
				depth++
			}
			j++
		case sql[j] == '*' && sql[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}
