package where

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

// statement checks one statement (no ';'): nil when it writes no rows or is
// proved bounded.
func statement(toks []token, s *scope) *Error {
	toks = stripParens(toks)
	if len(toks) == 0 {
		return nil
	}
	head := strings.ToUpper(toks[0].Text)
	if toks[0].Kind != sqltext.Word {
		head = ""
	}
	switch head {
	case "UPDATE":
		return update(toks, s)
	case "DELETE":
		return deleteStmt(toks, s)
	case "WITH":
		return with(toks, s)
	case "EXPLAIN", "DESCRIBE", "DESC", "ANALYZE":
		for i := 1; i < len(toks); i++ {
			switch {
			case toks[i].IsPunct("("):
				if j := closing(toks, i); j > 0 {
					i = j
				}
			case isStatementHead(toks[i]):
				return statement(toks[i:], s)
			}
		}
		return nil
	case "COPY":
		if len(toks) > 1 && toks[1].IsPunct("(") {
			if j := closing(toks, 1); j > 0 {
				return statement(toks[2:j], s)
			}
		}
		return nil
	case "PREPARE":
		return prepare(toks, s)
	case "MERGE", "DO", "EXECUTE", "EXEC", "CALL", "HANDLER":
		if mentionsWrite(toks) {
			return &Error{Reason: HiddenWrite, Detail: head + " naming UPDATE or DELETE is not followed"}
		}
		return nil
	case "CREATE", "ALTER", "DROP", "GRANT", "REVOKE", "COMMENT", "RENAME":
		return nil // DDL writes no rows
	}
	// Anything else (SELECT, INSERT, SET, ...) writes no rows unless it holds
	// an UPDATE or DELETE somewhere the reader cannot follow.
	if i := strayWrite(toks); i >= 0 {
		return &Error{Reason: HiddenWrite, Detail: "an " + strings.ToUpper(toks[i].Text) + " inside " + orWord(head, "a statement") + " is not followed"}
	}
	return nil
}

func orWord(w, alt string) string {
	if w == "" {
		return alt
	}
	return "a " + w + " statement"
}

func isStatementHead(t token) bool {
	for _, w := range []string{"UPDATE", "DELETE", "WITH", "SELECT", "INSERT", "REPLACE", "MERGE", "VALUES", "TABLE"} {
		if t.Is(w) {
			return true
		}
	}
	return false
}

// mentionsWrite reports whether toks name UPDATE or DELETE, as keywords or
// inside strings.
func mentionsWrite(toks []token) bool {
	for _, t := range toks {
		if t.Kind == sqltext.Word || t.Kind == sqltext.String {
			u := strings.ToUpper(t.Text)
			if strings.Contains(u, "UPDATE") || strings.Contains(u, "DELETE") {
				return true
			}
		}
	}
	return false
}

// strayWrite returns the index of an UPDATE or DELETE keyword that is not one
// of the known non-writing uses (FOR UPDATE, ON DUPLICATE KEY UPDATE, ON
// CONFLICT DO UPDATE, ON UPDATE/DELETE of a foreign key, OUTPUT deleted.x),
// or -1.
func strayWrite(toks []token) int {
	for i, t := range toks {
		if !t.Is("UPDATE") && !t.Is("DELETE") {
			continue
		}
		if i+1 < len(toks) && toks[i+1].IsPunct(".") {
			continue // SQL Server's deleted.x
		}
		if i > 0 {
			p := toks[i-1]
			if p.Is("FOR") || p.Is("KEY") || p.Is("DO") || p.Is("ON") {
				continue
			}
		}
		return i
	}
	return -1
}

// with follows a WITH clause: every common table expression and the main
// statement are checked.
func with(toks []token, s *scope) *Error {
	i := 1
	if i < len(toks) && toks[i].Is("RECURSIVE") {
		i++
	}
	for {
		// name [(columns)] AS [NOT] [MATERIALIZED] ( body )
		name, n := reference(toks, i)
		if n == i {
			return &Error{Reason: NotUnderstood, Detail: "a WITH clause without a name"}
		}
		i = n
		if i < len(toks) && toks[i].IsPunct("(") {
			if j := closing(toks, i); j > 0 {
				i = j + 1
			}
		}
		for i < len(toks) && (toks[i].Is("AS") || toks[i].Is("NOT") || toks[i].Is("MATERIALIZED")) {
			i++
		}
		if i >= len(toks) || !toks[i].IsPunct("(") {
			return &Error{Reason: NotUnderstood, Detail: "a WITH clause whose body is not parenthesised"}
		}
		j := closing(toks, i)
		if j < 0 {
			return &Error{Reason: NotUnderstood, Detail: "unbalanced parentheses"}
		}
		if e := statement(toks[i+1:j], newScope(s.fam, s.facts, s.vars)); e != nil {
			return e
		}
		s.ctes[strings.Join(name, ".")] = toks[i+1 : j]
		i = j + 1
		if i < len(toks) && toks[i].IsPunct(",") {
			i++
			continue
		}
		break
	}
	// The main statement; the CTEs it joins are derived tables (see addOther).
	return statement(toks[i:], s)
}

// prepare follows PREPARE name AS statement (PostgreSQL) and PREPARE name
// FROM 'statement' (MySQL).
func prepare(toks []token, s *scope) *Error {
	for i := 1; i < len(toks); i++ {
		switch {
		case toks[i].Is("AS"):
			return statement(toks[i+1:], s)
		case toks[i].Is("FROM"):
			if i+2 == len(toks) && toks[i+1].Kind == sqltext.String {
				if err := CheckRaw(toks[i+1].Text, nil, s.fam, s.facts); err != nil {
					return err.(*Error)
				}
				return nil
			}
			if mentionsWrite(toks) || i+1 < len(toks) && toks[i+1].Kind == sqltext.Param {
				return &Error{Reason: HiddenWrite, Detail: "PREPARE from a variable is not followed"}
			}
			return nil
		}
	}
	return nil
}
