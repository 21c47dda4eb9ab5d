package where

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

// clauseEnd returns the index of the first top-level keyword of ends at or
// after from, or len(toks).
func clauseEnd(toks []token, from int, ends ...string) int {
	end := len(toks)
	topLevel(toks[from:], func(i int) bool {
		for _, w := range ends {
			if toks[from+i].Is(w) {
				end = from + i
				return false
			}
		}
		return true
	})
	return end
}

// tableRef is one entry of a table list.
type tableRef struct {
	name    string  // possibly qualified name; "" for a derived table
	alias   string  // "" when none
	body    []token // a derived table's tokens
	derived bool
}

// notAlias are the words that may follow a table reference and are not its
// alias.
var notAlias = wordSet("SET JOIN INNER LEFT RIGHT FULL CROSS STRAIGHT_JOIN NATURAL OUTER ON USING WHERE FROM " +
	"WITH OUTPUT RETURNING ORDER LIMIT PARTITION LATERAL")

// readTable reads a table reference at toks[i]: [ONLY|LATERAL] name [*] or
// function(...) or ( ... ), then [AS] alias [(columns)] and a SQL Server
// WITH (hints).
func readTable(toks []token, i int) (tableRef, int, bool) {
	var r tableRef
	for i < len(toks) && (toks[i].Is("ONLY") || toks[i].Is("LATERAL")) {
		i++
	}
	if i >= len(toks) {
		return r, i, false
	}
	if toks[i].IsPunct("(") {
		j := closing(toks, i)
		if j < 0 {
			return r, i, false
		}
		r.derived, r.body, i = true, toks[i+1:j], j+1
	} else {
		parts, n := reference(toks, i)
		if n == i {
			return r, i, false
		}
		start := i
		i = n
		if i < len(toks) && toks[i].IsPunct("(") {
			j := closing(toks, i)
			if j < 0 {
				return r, i, false
			}
			r.derived, r.body, i = true, toks[start:j+1], j+1
		} else {
			r.name = strings.Join(parts, ".")
		}
	}
	if i < len(toks) && toks[i].Kind == sqltext.Other && toks[i].Text == "*" {
		i++ // PostgreSQL: t * (descendant tables)
	}
	if i < len(toks) && toks[i].Is("AS") {
		i++
	}
	if i < len(toks) && (toks[i].Kind == sqltext.Ident || toks[i].Kind == sqltext.Word && !notAlias[strings.ToUpper(toks[i].Text)]) {
		r.alias = toks[i].Text
		i++
		if i < len(toks) && toks[i].IsPunct("(") {
			if j := closing(toks, i); j > 0 {
				i = j + 1
			}
		}
	}
	if i+1 < len(toks) && toks[i].Is("WITH") && toks[i+1].IsPunct("(") {
		if j := closing(toks, i+1); j > 0 {
			i = j + 1 // SQL Server table hints
		}
	}
	return r, i, true
}

// tableList reads a FROM/USING list or the join chain after the written
// table, up to end: each table is added to s (as the target when isTarget
// says so), and the ON conditions of inner joins are returned.
func tableList(toks []token, i, end int, s *scope, first bool, isTarget func(tableRef) bool) ([][]token, *Error) {
	var on [][]token
	inner := true
	for i < end {
		if !first {
			switch {
			case toks[i].IsPunct(","):
				inner = true
				i++
			default:
				join := i
				for i < end && !toks[i].Is("JOIN") && !toks[i].Is("STRAIGHT_JOIN") {
					i++
				}
				if i >= end {
					return nil, &Error{Reason: NotUnderstood, Detail: "a table list it cannot read"}
				}
				inner = true
				for _, t := range toks[join:i] {
					if t.Is("LEFT") || t.Is("RIGHT") || t.Is("FULL") || t.Is("OUTER") || t.Is("NATURAL") {
						inner = false
					}
				}
				i++
			}
		}
		first = false
		r, n, ok := readTable(toks[:end], i)
		if !ok {
			return nil, &Error{Reason: NotUnderstood, Detail: "a table reference it cannot read"}
		}
		i = n
		if isTarget(r) {
			s.addTarget(r.name, r.alias)
		} else {
			s.addOther(r.name, r.alias, r.body)
		}
		if i < end && toks[i].Is("ON") {
			stop := i + 1
			for stop < end && !(toks[stop].IsPunct(",") || toks[stop].Is("JOIN") || toks[stop].Is("INNER") ||
				toks[stop].Is("LEFT") || toks[stop].Is("RIGHT") || toks[stop].Is("FULL") || toks[stop].Is("CROSS") ||
				toks[stop].Is("NATURAL") || toks[stop].Is("STRAIGHT_JOIN")) {
				if toks[stop].IsPunct("(") {
					if j := closing(toks, stop); j > 0 {
						stop = j
					}
				}
				stop++
			}
			if inner {
				on = append(on, toks[i+1:stop])
			}
			i = stop
		} else if i < end && toks[i].Is("USING") {
			i++
			if i < end && toks[i].IsPunct("(") {
				if j := closing(toks, i); j > 0 {
					i = j + 1
				}
			}
		}
	}
	return on, nil
}

// update proves an UPDATE bounded.
func update(toks []token, s *scope) *Error {
	i := 1
modifiers:
	for i < len(toks) {
		switch {
		case toks[i].Is("LOW_PRIORITY") || toks[i].Is("IGNORE") || toks[i].Is("ONLY"):
			i++
		case toks[i].Is("OR") && i+1 < len(toks):
			i += 2 // SQLite: OR REPLACE, ...
		case toks[i].Is("TOP") && i+1 < len(toks) && toks[i+1].IsPunct("("):
			i = closing(toks, i+1) + 1
			if i < len(toks) && toks[i].Is("PERCENT") {
				i++
			}
		default:
			break modifiers
		}
	}
	set := clauseEnd(toks, i, "SET")
	if set == len(toks) {
		return &Error{Reason: NotUnderstood, Detail: "an UPDATE without SET"}
	}
	t, n, ok := readTable(toks[:set], i)
	if !ok || t.derived {
		return &Error{Reason: NotUnderstood, Detail: "the written table"}
	}
	table := t.name
	s.addTarget(t.name, t.alias)
	// MySQL's UPDATE t JOIN v ON ... SET: the rest of the table list.
	on, err := tableList(toks, n, set, s, false, func(tableRef) bool { return false })
	if err != nil {
		err.Table = table
		return err
	}
	multi := s.hasOthers()
	bodyEnd := clauseEnd(toks, set, "FROM", "WHERE", "RETURNING", "OUTPUT", "ORDER", "LIMIT", "OPTION")
	if e := s.assignments(toks[set+1:bodyEnd], multi); e != nil {
		e.Table = table
		return e
	}
	i = bodyEnd
	if i < len(toks) && toks[i].Is("OUTPUT") {
		i = clauseEnd(toks, i, "FROM", "WHERE")
	}
	if i < len(toks) && toks[i].Is("FROM") {
		end := clauseEnd(toks, i+1, "WHERE", "RETURNING", "ORDER", "LIMIT", "OPTION")
		isTarget := func(r tableRef) bool {
			// SQL Server's UPDATE t ... FROM t JOIN ...: the same table.
			return s.fam == sqltext.SQLServer && !r.derived &&
				(s.targets[strings.ToLower(r.alias)] || r.alias == "" && s.targets[strings.ToLower(r.name)])
		}
		more, err := tableList(toks, i+1, end, s, true, isTarget)
		if err != nil {
			err.Table = table
			return err
		}
		on = append(on, more...)
		i = end
	}
	return finish(toks, i, s, on, table)
}

// finish proves the WHERE at toks[i] (if any) together with on.
func finish(toks []token, i int, s *scope, on [][]token, table string) *Error {
	var cond []token
	if i < len(toks) && toks[i].Is("WHERE") {
		end := clauseEnd(toks, i+1, "RETURNING", "ORDER", "LIMIT", "OPTION")
		cond = toks[i+1 : end]
		if len(cond) == 0 {
			return &Error{Reason: NotUnderstood, Detail: "an empty WHERE", Table: table}
		}
	}
	for name := range s.others {
		if s.targets[name] && !s.tainted[name] {
			return &Error{Reason: NotUnderstood, Detail: "two tables named " + name, Table: table}
		}
	}
	if e := s.prove(cond, on); e != nil {
		e.Table = table
		return e
	}
	return nil
}

// assignments checks that an UPDATE's SET writes only the written table:
// with other tables in the UPDATE's own table list (MySQL multi-table
// UPDATE), every assigned column must be qualified with the written table.
func (s *scope) assignments(set []token, multi bool) *Error {
	for _, a := range splitComma(set) {
		eq := -1
		topLevel(a, func(i int) bool {
			if a[i].Kind == sqltext.Op && a[i].Text == "=" {
				eq = i
				return false
			}
			return true
		})
		if eq <= 0 {
			return &Error{Reason: NotUnderstood, Detail: "a SET assignment it cannot read"}
		}
		parts, n := reference(a, 0)
		if n != eq {
			if a[0].IsPunct("(") {
				continue // (a, b) = (...): PostgreSQL row assignment to the target
			}
			return &Error{Reason: NotUnderstood, Detail: "a SET assignment it cannot read"}
		}
		if len(parts) > 1 {
			if q := strings.Join(parts[:len(parts)-1], "."); !s.targets[q] {
				return &Error{Reason: NotUnderstood, Detail: "a multi-table UPDATE writing " + q + " too"}
			}
		} else if multi {
			for name := range s.base {
				if s.others[name] {
					return &Error{Reason: NotUnderstood, Detail: "a multi-table UPDATE whose SET " + parts[0] + " may write another table"}
				}
			}
		}
	}
	return nil
}

// deleteStmt proves a DELETE bounded.
func deleteStmt(toks []token, s *scope) *Error {
	i := 1
	for i < len(toks) && (toks[i].Is("LOW_PRIORITY") || toks[i].Is("QUICK") || toks[i].Is("IGNORE")) {
		i++
	}
	if i < len(toks) && toks[i].Is("TOP") && i+1 < len(toks) && toks[i+1].IsPunct("(") {
		i = closing(toks, i+1) + 1
		if i < len(toks) && toks[i].Is("PERCENT") {
			i++
		}
	}
	if i < len(toks) && toks[i].Is("FROM") {
		i++
	} else if s.fam != sqltext.SQLServer {
		return &Error{Reason: NotUnderstood, Detail: "a multi-table DELETE"}
	}
	end := clauseEnd(toks, i, "USING", "WHERE", "RETURNING", "OUTPUT", "FROM", "ORDER", "LIMIT", "OPTION", "PARTITION")
	t, n, ok := readTable(toks[:end], i)
	if !ok || t.derived || n != end {
		return &Error{Reason: NotUnderstood, Detail: "the table a DELETE removes rows from"}
	}
	table := t.name
	s.addTarget(t.name, t.alias)
	i = end
	if i < len(toks) && toks[i].Is("PARTITION") {
		if i+1 < len(toks) && toks[i+1].IsPunct("(") {
			i = closing(toks, i+1) + 1
		}
	}
	if i < len(toks) && toks[i].Is("OUTPUT") {
		i = clauseEnd(toks, i, "FROM", "WHERE")
	}
	var on [][]token
	if i < len(toks) && (toks[i].Is("USING") || toks[i].Is("FROM")) {
		if s.fam == sqltext.MySQL {
			return &Error{Reason: NotUnderstood, Detail: "a multi-table DELETE", Table: table}
		}
		end := clauseEnd(toks, i+1, "WHERE", "RETURNING", "OPTION")
		isTarget := func(r tableRef) bool {
			return s.fam == sqltext.SQLServer && !r.derived &&
				(s.targets[strings.ToLower(r.alias)] || r.alias == "" && s.targets[strings.ToLower(r.name)])
		}
		var err *Error
		on, err = tableList(toks, i+1, end, s, true, isTarget)
		if err != nil {
			err.Table = table
			return err
		}
		i = end
	}
	return finish(toks, i, s, on, table)
}
