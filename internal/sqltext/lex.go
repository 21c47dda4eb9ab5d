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
