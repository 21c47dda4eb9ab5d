package sqltext

import (
	"strings"
)

// lineComment reports whether the "--" at i starts a comment: always, but
// on MySQL only when a space or control character (or the end) follows.
func (l *lexer) lineComment(i int) bool {
	if l.f != MySQL {
		return true
	}
	return i+2 >= len(l.src) || l.src[i+2] <= ' '
}

func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func digitsEnd(s string, j int) int {
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j
}

// blockComment skips the /* comment at i and returns the index after it;
// comments nest on PostgreSQL and SQL Server. On MySQL, /*! and /*M! open an executable comment whose content is lexed.
func (l *lexer) blockComment(i int) (int, error) {
	s := l.src
	if l.f == MySQL {
		rest := s[i+2:]
		marker := 0
		switch {
		case strings.HasPrefix(rest, "!"):
			marker = 1
		case strings.HasPrefix(rest, "M!"):
			marker = 2
		}
		if marker > 0 {
			j := i + 2 + marker
			if k := digitsEnd(s, j); k > j {
				return 0, l.fail(i, "a versioned executable comment (%s), which runs or not depending on the server version", s[i:k])
			}
			if l.execDepth > 0 {
				return 0, l.fail(i, "a nested executable comment")
			}
			l.execDepth++
			return j, nil
		}
	}
	depth := 0
	for j := i; j+1 < len(s); j++ {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			if depth == 0 || l.f == Postgres || l.f == SQLServer {
				depth++
			}
			j++
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	if l.f == SQLite {
		return len(s), nil // SQLite: an open comment runs to the end
	}
	return 0, l.fail(i, "unterminated /* comment")
}

// quoted reads a string literal whose content starts at body (its opening
// quote q is at body-1, its prefix starts at pos), emits it and returns the
// index after it.
func (l *lexer) quoted(pos, body int, q byte, escapes bool) (int, error) {
	s := l.src
	var b strings.Builder
	for j := body; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\' && escapes && j+1 < len(s):
			j++
			b.WriteByte(unescape(s[j]))
		case c == q:
			if j+1 < len(s) && s[j+1] == q {
				b.WriteByte(q)
				j++
				continue
			}
			l.emit(String, b.String(), -1, pos, j+1)
			return j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return 0, l.fail(pos, "unterminated string")
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	case 'b':
		return '\b'
	case 'Z':
		return 26
	}
	return c
}

// ident reads a quoted identifier opening at i and closed by closer (doubled
// to stand for itself, except SQLite's ]), emits it and returns the index
// after it.
func (l *lexer) ident(i int, closer byte) (int, error) {
	s := l.src
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != closer {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == closer && (closer != ']' || l.f == SQLServer) {
			b.WriteByte(closer)
			j++
			continue
		}
		l.emit(Ident, b.String(), -1, i, j+1)
		return j + 1, nil
	}
	return 0, l.fail(i, "unterminated quoted identifier")
}

// dollar reads a PostgreSQL dollar-quoted string at i; ok is false when the
// $ opens none.
func (l *lexer) dollar(i int) (end int, ok bool, err error) {
	s := l.src
	j := i + 1
	for j < len(s) && isIdentByte(s[j]) && s[j] != '$' {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		return 0, false, nil
	}
	tag := s[i : j+1]
	k := strings.Index(s[j+1:], tag)
	if k < 0 {
		return 0, false, l.fail(i, "unterminated dollar-quoted string %s", tag)
	}
	l.emit(String, s[j+1:j+1+k], -1, i, j+1+k+len(tag))
	return j + 1 + k + len(tag), true, nil
}

// number reads a numeric literal at i (digits, a fraction, an exponent, or a
// 0x hexadecimal) and returns the index after it.
func (l *lexer) number(i int) int {
	s := l.src
	j := i
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j = i + 2
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j]|0x20 >= 'a' && s[j]|0x20 <= 'f') {
			j++
		}
	} else {
		j = digitsEnd(s, j)
		if j < len(s) && s[j] == '.' {
			j = digitsEnd(s, j+1)
		}
		if j < len(s) && s[j]|0x20 == 'e' {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if e := digitsEnd(s, k); e > k {
				j = e
			}
		}
	}
	l.emit(Number, s[i:j], -1, i, j)
	return j
}
