package sqltext

import (
	"fmt"
	"strconv"
	"strings"
)

// Family is a set of lexical rules; see the package documentation.
type Family uint8

// The families Lex knows. The zero Family is SQLite's rules, which are the
// closest to the SQL standard.
const (
	SQLite Family = iota
	Postgres
	MySQL // MySQL and MariaDB
	SQLServer
)

// FamilyOf returns the family of a GORM dialector name (Dialector.Name()):
// "postgres", "mysql", "sqlserver"; anything else lexes as SQLite.
func FamilyOf(dialector string) Family {
	switch dialector {
	case "postgres", "pgx":
		return Postgres
	case "mysql":
		return MySQL
	case "sqlserver":
		return SQLServer
	}
	return SQLite
}

// Kind is the kind of a Token.
type Kind uint8

// Token kinds.
const (
	Word   Kind = iota + 1 // a bare identifier or keyword
	Ident                  // a quoted identifier; Text is unquoted
	Number                 // a numeric literal
	String                 // a string literal; Text is its decoded content
	Param                  // a bind parameter: ?, $n, @pn, :name, @name
	Op                     // a comparison operator: = <> < <= > >= <=> (!= and == are normalised)
	Punct                  // ( ) [ ] , ; .
	Other                  // any other operator character or sequence (+, ::, ||, ...)
)

// Token is one lexical element of SQL text.
type Token struct {
	Kind Kind
	// Text is the keyword or identifier as written (unquoted for Ident), the
	// decoded content of a String, the operator or punctuation.
	Text string
	// Arg is a Param's 0-based position among the statement's bind variables,
	// or -1 when it has none (a named parameter or user variable).
	Arg int
	// Pos and End delimit the token in the lexed text.
	Pos, End int
	// Quote is the opening quote of an Ident (", `, [) or a String (', ", $).
	Quote byte
}

// Is reports whether t is the bare keyword w (case-insensitive).
func (t Token) Is(w string) bool { return t.Kind == Word && strings.EqualFold(t.Text, w) }

// IsPunct reports whether t is the punctuation p.
func (t Token) IsPunct(p string) bool { return t.Kind == Punct && t.Text == p }

// Error says where and why text could not be lexed.
type Error struct {
	Pos int    // byte offset in the text
	Msg string // what was not understood
}

func (e *Error) Error() string { return fmt.Sprintf("%s at offset %d", e.Msg, e.Pos) }

// Lex splits sql into tokens with the rules of family f. Comments are
// dropped (MySQL's executable comments are lexed as text); ?-parameters are
// numbered in order of appearance, $n and @pn by their number.
func Lex(sql string, f Family) ([]Token, error) {
	l := &lexer{src: sql, f: f}
	if err := l.run(); err != nil {
		return nil, err
	}
	return l.out, nil
}

type lexer struct {
	src       string
	f         Family
	out       []Token
	nextArg   int
	execDepth int // open MySQL executable comments
}

func (l *lexer) emit(k Kind, text string, arg, pos, end int) {
	t := Token{Kind: k, Text: text, Arg: arg, Pos: pos, End: end}
	if k == Ident || k == String {
		t.Quote = l.src[pos]
	}
	l.out = append(l.out, t)
}

func (l *lexer) fail(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isIdentByte reports whether c may continue an identifier; bytes of
// non-ASCII characters always may.
func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func (l *lexer) run() error {
	s := l.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isSpace(c):
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--") && l.lineComment(i):
			i = lineEnd(s, i)
		case c == '#' && l.f == MySQL:
			i = lineEnd(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end, err := l.blockComment(i)
			if err != nil {
				return err
			}
			i = end
		case c == '*' && l.execDepth > 0 && strings.HasPrefix(s[i:], "*/"):
			l.execDepth--
			i += 2
		case c == '\'':
			end, err := l.quoted(i, i+1, '\'', l.f == MySQL)
			if err != nil {
				return err
			}
			i = end
		case c == '"':
			var err error
			if l.f == MySQL {
				i, err = l.quoted(i, i+1, '"', true)
			} else {
				i, err = l.ident(i, '"')
			}
			if err != nil {
				return err
			}
		case c == '`' && l.f != Postgres:
			end, err := l.ident(i, '`')
			if err != nil {
				return err
			}
			i = end
		case c == '[' && (l.f == SQLServer || l.f == SQLite):
			end, err := l.ident(i, ']')
			if err != nil {
				return err
			}
			i = end
		case c == '$' && l.f == Postgres && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := digitsEnd(s, i+1)
			n, _ := strconv.Atoi(s[i+1 : j])
			l.emit(Param, s[i:j], n-1, i, j)
			i = j
		case c == '$' && l.f == Postgres && (i == 0 || !isIdentByte(s[i-1])):
			end, ok, err := l.dollar(i)
			if err != nil {
				return err
			}
			if !ok {
				l.emit(Other, "$", -1, i, i+1)
				end = i + 1
			}
			i = end
		case c == '?':
			j := i + 1
			if l.f == SQLite {
				j = digitsEnd(s, j)
			}
			if j > i+1 {
				n, _ := strconv.Atoi(s[i+1 : j])
				l.emit(Param, s[i:j], n-1, i, j)
			} else if l.f == Postgres && j < len(s) && (s[j] == '|' || s[j] == '&' || s[j] == '-') {
				l.emit(Other, s[i:j+1], -1, i, j+1) // jsonb ?| ?& and geometric ?-
				j++
			} else {
				l.emit(Param, "?", l.nextArg, i, j)
				l.nextArg++
			}
			i = j
		case (c == '@' || c == ':' && l.f == SQLite) && i+1 < len(s) && (isIdentStart(s[i+1]) || s[i+1] == '@'):
			j := i + 1
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '@') {
				j++
			}
			arg := -1
			if c == '@' && (s[i+1] == 'p' || s[i+1] == 'P') {
				if n, err := strconv.Atoi(s[i+2 : j]); err == nil {
					arg = n - 1
				}
			}
			l.emit(Param, s[i:j], arg, i, j)
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			i = l.number(i)
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			// Prefixed strings: E'..' (PostgreSQL, escapes), N'..', X'..',
			// B'..', U&'..', _charset'..' (MySQL).
			if j < len(s) && s[j] == '\'' {
				word := strings.ToUpper(s[i:j])
				switch {
				case word == "E" && l.f == Postgres:
					end, err := l.quoted(i, j+1, '\'', true)
					if err != nil {
						return err
					}
					i = end
					continue
				case word == "N" || word == "X" || word == "B" || l.f == MySQL && word[0] == '_':
					end, err := l.quoted(i, j+1, '\'', l.f == MySQL)
					if err != nil {
						return err
					}
					i = end
					continue
				}
			}
			if l.f == Postgres && strings.EqualFold(s[i:j], "U") && strings.HasPrefix(s[j:], "&'") {
				end, err := l.quoted(i, j+2, '\'', false)
				if err != nil {
					return err
				}
				i = end
				continue
			}
			l.emit(Word, s[i:j], -1, i, j)
			i = j
		case c == '(' || c == ')' || c == ',' || c == ';' || c == '.' || c == '[' || c == ']':
			l.emit(Punct, string(c), -1, i, i+1)
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			for j < len(s) && (s[j] == '=' || s[j] == '<' || s[j] == '>') {
				j++
			}
			op := s[i:j]
			switch op {
			case "==":
				op = "="
			case "!=":
				op = "<>"
			}
			l.emit(Op, op, -1, i, j)
			i = j
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			l.emit(Other, "::", -1, i, i+2)
			i += 2
		case c == '|' && i+1 < len(s) && s[i+1] == '|':
			l.emit(Other, "||", -1, i, i+2)
			i += 2
		default:
			l.emit(Other, string(c), -1, i, i+1)
			i++
		}
	}
	if l.execDepth > 0 {
		return l.fail(len(s), "unterminated executable comment")
	}
	return nil
}

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
