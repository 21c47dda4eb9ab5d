package where

import (
	"strings"

	"github.com/gormup/gormup/internal/dialect"
)

// CheckRawSQL reports whether every UPDATE and DELETE statement in sql — one
// or several statements separated by ';', as handed to db.Exec — bounds the
// rows it touches. It returns the *Error of the first statement that does
// not, and nil otherwise. Statements that are neither UPDATE nor DELETE
// (SELECT, INSERT, DDL) are not checked; a WITH clause in front of an UPDATE
// or DELETE is skipped.
//
// Comments are removed first and string literals decoded with the dialect's
// rules (lex): a WHERE hidden in a comment does not count, and a ';' or
// keyword inside a string does not either. A statement is bounded when its
// WHERE is (analysed as CheckSQL does), or when it joins its table with an
// inner JOIN ... ON whose condition is not vacuous — the per-row bulk UPDATE
// forms of MySQL (UPDATE t JOIN (...) v ON ... SET ...) and SQL Server
// (UPDATE t SET ... FROM t JOIN (VALUES ...) v ON ...) have no WHERE.
//
// Text that cannot be lexed reliably — an unterminated string, quoted
// identifier or comment — is not checked: CheckRawSQL returns nil and the
// database reports the syntax error. primaryKeys and softDelete are as for
// CheckSQL (nil primaryKeys means "id").
func CheckRawSQL(sql string, vars []any, lex dialect.Lexing, primaryKeys, softDelete []string) error {
	clean, parts, ok := sanitize(sql, lex)
	if !ok {
		return nil
	}
	cols := columns{pk: lowerSet(primaryKeys), soft: lowerSet(softDelete)}
	if primaryKeys == nil {
		cols.pk = map[string]bool{"id": true}
	}
	toks := tokenize(clean)
	for i, stmt := range splitTokens(toks) {
		err := checkRawStatement(stmt, vars, cols)
		if err == nil {
			continue
		}
		if i < len(parts) {
			err.Condition = strings.TrimSpace(parts[i])
		}
		return err
	}
	return nil
}

// checkRawStatement checks one statement's tokens; nil when bounded or not
// an UPDATE or DELETE.
func checkRawStatement(toks []token, vars []any, cols columns) *Error {
	toks = skipWith(toks)
	if len(toks) == 0 || !(toks[0].isWord("UPDATE") || toks[0].isWord("DELETE")) {
		return nil
	}
	table := rawTable(toks)
	whereToks, hasWhere := topLevelWhere(toks)
	var whereErr *Error
	if !hasWhere {
		whereErr = &Error{Reason: Missing}
	} else if err := analyseTokens(whereToks, vars, cols); err != nil {
		whereErr = err.(*Error)
	}
	if whereErr == nil || boundedByJoin(toks, vars, cols) {
		return nil
	}
	whereErr.Table = table
	return whereErr
}

// skipWith drops a leading WITH clause (common table expressions), returning
// the tokens from the first top-level statement verb on.
func skipWith(toks []token) []token {
	if len(toks) == 0 || !toks[0].isWord("WITH") {
		return toks
	}
	depth := 0
	for i, t := range toks {
		switch {
		case t.kind == tokPunct && t.text == "(":
			depth++
		case t.kind == tokPunct && t.text == ")":
			depth--
		case depth == 0 && i > 0 && (t.isWord("UPDATE") || t.isWord("DELETE") || t.isWord("SELECT") ||
			t.isWord("INSERT") || t.isWord("MERGE")):
			return toks[i:]
		}
	}
	return nil
}

// rawTable returns the table an UPDATE or DELETE names first.
func rawTable(toks []token) string {
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokWord {
			switch strings.ToUpper(t.text) {
			case "LOW_PRIORITY", "IGNORE", "QUICK", "FROM", "ONLY", "OR", "REPLACE", "ROLLBACK", "ABORT", "FAIL":
				continue
			case "TOP":
				for i+1 < len(toks) && !(toks[i+1].kind == tokPunct && toks[i+1].text == ")") {
					i++
				}
				i++
				continue
			}
		}
		if t.kind != tokWord && t.kind != tokIdent {
			return ""
		}
		name := t.text
		for i+2 < len(toks) && toks[i+1].kind == tokPunct && toks[i+1].text == "." {
			i += 2
			name += "." + toks[i].text
		}
		return name
	}
	return ""
}

// topLevelWhere returns the condition after the statement's top-level WHERE,
// up to GROUP BY, ORDER BY, LIMIT, RETURNING, OUTPUT, a ";" or the end; ok is
// false when there is no top-level WHERE.
func topLevelWhere(toks []token) ([]token, bool) {
	depth, start := 0, -1
	for i, t := range toks {
		switch {
		case t.kind == tokPunct && t.text == "(":
			depth++
		case t.kind == tokPunct && t.text == ")":
			depth--
		case depth == 0 && start < 0 && t.isWord("WHERE"):
			start = i + 1
		case depth == 0 && start >= 0 && (t.isWord("ORDER") || t.isWord("LIMIT") || t.isWord("RETURNING") ||
			t.isWord("OUTPUT") || t.isWord("GROUP") || (t.kind == tokPunct && t.text == ";")):
			return toks[start:i], true
		}
	}
	if start < 0 {
		return nil, false
	}
	return toks[start:], true
}

// joinEnd are the words that end a top-level ON condition.
var joinEnd = []string{"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "STRAIGHT_JOIN", "NATURAL",
	"SET", "WHERE", "ORDER", "LIMIT", "OUTPUT", "RETURNING", "ON"}

// boundedByJoin reports whether a top-level inner JOIN ... ON with a
// condition that is not vacuous restricts the rows of the statement.
func boundedByJoin(toks []token, vars []any, cols columns) bool {
	depth := 0
	inner := false // the last top-level JOIN keeps only matching rows
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokPunct && t.text == "(":
			depth++
		case t.kind == tokPunct && t.text == ")":
			depth--
		case depth != 0:
		case t.isWord("JOIN") || t.isWord("STRAIGHT_JOIN"):
			inner = i == 0 || !(toks[i-1].isWord("LEFT") || toks[i-1].isWord("RIGHT") || toks[i-1].isWord("FULL") ||
				toks[i-1].isWord("OUTER") || toks[i-1].isWord("CROSS") || toks[i-1].isWord("NATURAL"))
		case t.isWord("ON") && inner:
			end, d := i+1, 0
			for ; end < len(toks); end++ {
				u := toks[end]
				if u.kind == tokPunct && u.text == "(" {
					d++
				} else if u.kind == tokPunct && u.text == ")" {
					d--
				} else if d == 0 && (u.kind == tokPunct && u.text == "," || isAnyWord(u, joinEnd)) {
					break
				}
			}
			if end > i+1 && analyseTokens(toks[i+1:end], vars, cols) == nil {
				return true
			}
			inner = false
		}
	}
	return false
}

func isAnyWord(t token, words []string) bool {
	for _, w := range words {
		if t.isWord(w) {
			return true
		}
	}
	return false
}

// splitTokens splits toks at top-level ';', dropping empty statements.
func splitTokens(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.kind == tokPunct && t.text == "(":
			depth++
		case t.kind == tokPunct && t.text == ")":
			depth--
		case depth <= 0 && t.kind == tokPunct && t.text == ";":
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}
