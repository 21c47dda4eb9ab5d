package where

import (
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tokWord   tokKind = iota + 1 // bare identifier or keyword
	tokIdent                     // quoted identifier ("x", `x`, [x])
	tokNumber                    // numeric literal
	tokString                    // string literal
	tokParam                     // bind placeholder
	tokOp                        // comparison operator
	tokPunct                     // ( ) , ; .
	tokOther                     // anything else (arithmetic, casts, ...)
)

type token struct {
	kind tokKind
	text string // unquoted identifier, literal body or operator
	arg  int    // placeholder index (0-based), -1 for ?-style before numbering
}

func (t token) isWord(w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// tokenize splits SQL into tokens. ?-placeholders are numbered in order of
// appearance; $n and @pn use their own number.
func tokenize(sql string) []token {
	var out []token
	next := 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for j < len(sql) {
				if sql[j] == '\'' {
					if j+1 < len(sql) && sql[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(sql[j])
				j++
			}
			out = append(out, token{kind: tokString, text: b.String()})
			i = j + 1
		case c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := strings.IndexByte(sql[i+1:], closer)
			if j < 0 {
				j = len(sql) - i - 1
			}
			out = append(out, token{kind: tokIdent, text: sql[i+1 : i+1+j]})
			i += j + 2
		case c == '?':
			out = append(out, token{kind: tokParam, arg: next})
			next++
			i++
		case (c == '$' || c == '@') && i+1 < len(sql):
			j := i + 1
			if c == '@' && j < len(sql) && (sql[j] == 'p' || sql[j] == 'P') {
				j++
			}
			k := j
			for k < len(sql) && sql[k] >= '0' && sql[k] <= '9' {
				k++
			}
			if k == j {
				out = append(out, token{kind: tokOther, text: string(c)})
				i++
				continue
			}
			n, _ := strconv.Atoi(sql[j:k])
			out = append(out, token{kind: tokParam, arg: n - 1})
			i = k
		case c >= '0' && c <= '9':
			j := i
			for j < len(sql) && (sql[j] >= '0' && sql[j] <= '9' || sql[j] == '.') {
				j++
			}
			out = append(out, token{kind: tokNumber, text: sql[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(sql) && (sql[j] == '_' || sql[j] == '$' || sql[j] >= 'a' && sql[j] <= 'z' ||
				sql[j] >= 'A' && sql[j] <= 'Z' || sql[j] >= '0' && sql[j] <= '9') {
				j++
			}
			out = append(out, token{kind: tokWord, text: sql[i:j]})
			i = j
		case c == '(' || c == ')' || c == ',' || c == ';' || c == '.':
			out = append(out, token{kind: tokPunct, text: string(c)})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			for j < len(sql) && (sql[j] == '=' || sql[j] == '<' || sql[j] == '>') {
				j++
			}
			op := sql[i:j]
			if op == "==" {
				op = "="
			}
			if op == "!=" {
				op = "<>"
			}
			out = append(out, token{kind: tokOp, text: op})
			i = j
		default:
			out = append(out, token{kind: tokOther, text: string(c)})
			i++
		}
	}
	return out
}
