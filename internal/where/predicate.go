package where

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

// bound reports whether term restricts a column of the written table.
func (s *scope) bound(term []token) bool {
	term = stripParens(term)
	if len(term) == 1 && (term[0].Is("FALSE") || term[0].Kind == sqltext.Number && strings.Trim(term[0].Text, "0.") == "") {
		return true // FALSE or 0: no row
	}
	if alts := split(term, "OR"); len(alts) > 1 {
		return s.everyAlternative(alts)
	}
	ok, _ := s.predicate(term)
	return ok
}

// everyAlternative reports whether every alternative has an equality bound
// among its AND terms.
func (s *scope) everyAlternative(alts [][]token) bool {
	for _, a := range alts {
		found := false
		for _, c := range conjuncts(a) {
			c = stripParens(c)
			if inner := split(c, "OR"); len(inner) > 1 {
				found = s.everyAlternative(inner)
			} else {
				_, found = s.predicate(c)
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// predicate reads one comparison: ok when it is a bound on a column of the
// written table, eq when that bound is an equality with plain values.
func (s *scope) predicate(t []token) (ok, eq bool) {
	p := -1
	topLevel(t, func(i int) bool {
		if t[i].Kind == sqltext.Op || t[i].Is("IS") || t[i].Is("IN") || t[i].Is("LIKE") || t[i].Is("ILIKE") ||
			t[i].Is("BETWEEN") || t[i].Is("NOT") {
			p = i
			return false
		}
		return true
	})
	if p <= 0 {
		return false, false
	}
	left, rest := t[:p], t[p+1:]
	op := t[p]
	switch {
	case op.Kind == sqltext.Op:
		switch op.Text {
		case "=", "<>", "<", "<=", ">", ">=", "<=>":
		default:
			return false, false
		}
		isEq := op.Text == "=" || op.Text == "<=>"
		if isEq && (s.quotedString(left, rest) || s.quotedString(rest, left)) {
			return true, true
		}
		if _, c := s.column(left, true); c && s.value(rest, false) {
			return true, isEq && s.value(rest, true)
		}
		if _, c := s.column(rest, true); c && s.value(left, false) {
			return true, isEq && s.value(left, true)
		}
		// id % 2 = 0: arithmetic over one column, never an equality of an OR.
		return s.arithmetic(left) && s.value(rest, false) || s.arithmetic(rest) && s.value(left, false), false
	case op.Is("IS"):
		name, c := s.column(left, true)
		if !c {
			return false, false
		}
		switch {
		case len(rest) == 1 && rest[0].Is("NULL"):
			return !s.soft[name], !s.soft[name]
		case len(rest) > 3 && rest[0].Is("NOT") && rest[1].Is("DISTINCT") && rest[2].Is("FROM"):
			return s.value(rest[3:], false), s.value(rest[3:], true)
		}
		return false, false
	}
	neg := op.Is("NOT")
	if neg {
		if len(rest) == 0 {
			return false, false
		}
		op, rest = rest[0], rest[1:]
	}
	switch {
	case op.Is("IN"):
		return s.in(left, rest, neg)
	case op.Is("LIKE") || op.Is("ILIKE"):
		if _, c := s.column(left, true); !c {
			return false, false
		}
		pat := rest
		if e := split(rest, "ESCAPE"); len(e) == 2 {
			pat = e[0]
		}
		if !s.value(pat, false) || s.anyPattern(pat) {
			return false, false
		}
		return true, !neg && s.prefixPattern(pat)
	case op.Is("BETWEEN"):
		parts := split(rest, "AND")
		if _, c := s.column(left, true); !(c || s.arithmetic(left)) || len(parts) != 2 || !s.value(parts[0], false) || !s.value(parts[1], false) {
			return false, false
		}
		return true, false
	}
	return false, false
}

// arithmetic reports whether toks combine exactly one column of the written
// table with values through + - * / % and casts, which keep NULL NULL (a
// function such as coalesce(C, 0) may not, and is not accepted).
func (s *scope) arithmetic(toks []token) bool {
	columns := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == sqltext.Number || t.Kind == sqltext.String || t.Kind == sqltext.Param:
		case t.IsPunct("(") || t.IsPunct(")"):
		case t.Kind == sqltext.Other && strings.Contains("+-*/%", t.Text) && len(t.Text) == 1:
		case t.Kind == sqltext.Other && t.Text == "::":
			if i+1 < len(toks) && toks[i+1].Kind == sqltext.Word {
				i++ // the type
			}
		case t.Kind == sqltext.Word || t.Kind == sqltext.Ident:
			_, n := reference(toks, i)
			if n < len(toks) && toks[n].IsPunct("(") {
				return false
			}
			if _, ok := s.column(toks[i:n], true); !ok {
				return false
			}
			columns++
			i = n - 1
		default:
			return false
		}
	}
	return columns == 1
}

// quotedString reports whether a is SQLite's "x" (a column of the written
// table, or the string 'x' when no such column exists) and b a string that
// differs from x, so that a = b holds for no row in the second reading.
func (s *scope) quotedString(a, b []token) bool {
	if s.fam != sqltext.SQLite || s.cols != nil || len(a) != 1 || a[0].Kind != sqltext.Ident || a[0].Quote != '"' || s.hasOthers() {
		return false
	}
	v, ok := s.patternOf(b)
	return ok && v != a[0].Text
}

// in reads left [NOT] IN list.
func (s *scope) in(left, list []token, neg bool) (ok, eq bool) {
	if len(list) < 2 || !list[0].IsPunct("(") || closing(list, 0) != len(list)-1 {
		return false, false
	}
	inner := list[1 : len(list)-1]
	tuple := false
	if _, c := s.column(left, true); !c {
		l := stripParens(left)
		if len(l) == len(left) {
			return false, false
		}
		for _, part := range splitComma(l) {
			if _, c := s.column(part, true); !c {
				return false, false
			}
		}
		tuple = true
	}
	if len(inner) > 0 && isQuery(inner[0]) {
		return !neg && s.subquery(inner), false
	}
	if len(inner) == 0 {
		return !neg, !neg // IN (): no row; NOT IN () (SQLite): every row
	}
	eq = !neg
	for _, v := range splitComma(inner) {
		if tuple && (len(v) == 0 || !v[0].IsPunct("(")) {
			return false, false
		}
		if !s.value(v, false) {
			return false, false
		}
		eq = eq && s.value(v, true)
	}
	return true, eq
}

// subquery reports whether q, a subquery, is trusted as a value: it is not
// visibly correlated with the written row — a SELECT without FROM must
// select values (SELECT id alone is the row's own id), a VALUES list must hold
// values, and a SELECT list must not name the written table's columns by
// their qualifier (SELECT t.id FROM o).
func (s *scope) subquery(q []token) bool {
	switch {
	case q[0].Is("VALUES"):
		return s.value(q[1:], false)
	case q[0].Is("SELECT"):
		from := clauseEnd(q, 1, "FROM")
		if from == len(q) {
			return s.value(q[1:], false)
		}
		for i := 1; i < from; i++ {
			if parts, n := reference(q, i); len(parts) > 1 && s.targets[strings.Join(parts[:len(parts)-1], ".")] {
				return false
			} else if n > i {
				i = n - 1
			}
		}
	}
	return true
}

func isQuery(t token) bool {
	return t.Is("SELECT") || t.Is("WITH") || t.Is("VALUES") || t.Is("TABLE")
}

// patternOf returns the string a LIKE pattern is, when it is one literal or
// bound parameter.
func (s *scope) patternOf(pat []token) (string, bool) {
	pat = stripParens(pat)
	if len(pat) != 1 {
		return "", false
	}
	switch pat[0].Kind {
	case sqltext.String:
		return pat[0].Text, true
	case sqltext.Param:
		if a := pat[0].Arg; a >= 0 && a < len(s.vars) {
			switch v := s.vars[a].(type) {
			case string:
				return v, true
			case []byte:
				return string(v), true
			}
		}
	}
	return "", false
}

// anyPattern reports whether pat is known to match every string ('%').
func (s *scope) anyPattern(pat []token) bool {
	p, ok := s.patternOf(pat)
	return ok && strings.Trim(p, "%") == "" && p != ""
}

// prefixPattern reports whether pat is known to start with a fixed,
// non-empty prefix.
func (s *scope) prefixPattern(pat []token) bool {
	p, ok := s.patternOf(pat)
	return ok && p != "" && p[0] != '%' && p[0] != '_' && p[0] != '\\' && p[0] != '['
}
