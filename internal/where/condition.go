package where

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

type token = sqltext.Token

// scope is what a condition is read against: the written table's names and
// columns, the other tables of the statement, the bind variables.
type scope struct {
	fam     sqltext.Family
	facts   Facts
	vars    []any
	targets map[string]bool    // lower-cased names and aliases of the written table
	others  map[string]bool    // lower-cased names and aliases of other tables
	tainted map[string]bool    // others that read the written table again
	base    map[string]bool    // others that are tables (not derived), which an UPDATE could write
	ctes    map[string][]token // the bodies of the WITH clause's common table expressions
	cols    map[string]bool    // the written table's columns; nil: unknown
	soft    map[string]bool
}

func newScope(fam sqltext.Family, m Facts, vars []any) *scope {
	return &scope{fam: fam, facts: m, vars: vars, targets: map[string]bool{}, others: map[string]bool{},
		tainted: map[string]bool{}, base: map[string]bool{}, ctes: map[string][]token{}, soft: map[string]bool{}}
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// addTarget records the written table's name (possibly qualified) and alias.
// The model's columns apply when the name is the model's table.
func (s *scope) addTarget(name, alias string) {
	name = strings.ToLower(name)
	if name != "" {
		s.targets[name] = true
		s.targets[lastPart(name)] = true
	}
	if alias != "" {
		s.targets[strings.ToLower(alias)] = true
	}
	if s.facts.Table != "" && lastPart(name) == lastPart(strings.ToLower(s.facts.Table)) && s.facts.Columns != nil {
		s.cols = lowerSet(s.facts.Columns)
		s.soft = lowerSet(s.facts.SoftDelete)
	}
}

// addOther records another table of the statement; tainted when it is the
// written table again or a derived table reading it.
func (s *scope) addOther(name, alias string, body []token) {
	name = strings.ToLower(name)
	if cte, ok := s.ctes[name]; ok && body == nil {
		body = cte // a common table expression: derived, tainted when it reads the written table
	}
	tainted := name != "" && s.targets[lastPart(name)]
	for _, t := range body {
		if (t.Kind == sqltext.Word || t.Kind == sqltext.Ident) && s.targets[strings.ToLower(t.Text)] {
			tainted = true
		}
	}
	for _, n := range []string{name, lastPart(name), strings.ToLower(alias)} {
		if n == "" {
			continue
		}
		s.others[n] = true
		if body == nil {
			s.base[n] = true
		}
		if tainted {
			s.tainted[n] = true
		}
	}
}

func (s *scope) hasOthers() bool { return len(s.others) > 0 }

func lowerSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

// prove returns nil when a top-level AND term of where, or of one of the
// inner-join conditions on, is a bound (see Reason); where nil and no on
// means the statement has no WHERE.
func (s *scope) prove(where []token, on [][]token) *Error {
	var terms [][]token
	if where != nil {
		terms = conjuncts(where)
	}
	for _, c := range on {
		terms = append(terms, conjuncts(c)...)
	}
	if len(terms) == 0 {
		return &Error{Reason: Missing}
	}
	softOnly := true
	for _, t := range terms {
		if s.bound(t) {
			return nil
		}
		if !s.softFilter(t) {
			softOnly = false
		}
	}
	if softOnly {
		return &Error{Reason: SoftDeleteOnly}
	}
	return &Error{Reason: NoBound}
}

// softFilter reports whether t is "soft-delete column IS NULL".
func (s *scope) softFilter(t []token) bool {
	t = stripParens(t)
	n := len(t)
	if n < 3 || !t[n-2].Is("IS") || !t[n-1].Is("NULL") {
		return false
	}
	name, ok := s.column(t[:n-2], false)
	return ok && s.soft[name]
}

// closing returns the index of the bracket closing the one at toks[i], or -1.
func closing(toks []token, i int) int {
	open, shut := toks[i].Text, ")"
	if open == "[" {
		shut = "]"
	}
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].IsPunct(open):
			depth++
		case toks[j].IsPunct(shut):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// stripParens removes parentheses around the whole of toks.
func stripParens(toks []token) []token {
	for len(toks) >= 2 && toks[0].IsPunct("(") && closing(toks, 0) == len(toks)-1 {
		toks = toks[1 : len(toks)-1]
	}
	return toks
}

// topLevel calls fn for each token outside parentheses and brackets, with
// its index; fn returns false to stop.
func topLevel(toks []token, fn func(i int) bool) {
	depth := 0
	for i, t := range toks {
		switch {
		case t.IsPunct("(") || t.IsPunct("["):
			depth++
			continue
		case t.IsPunct(")") || t.IsPunct("]"):
			depth--
			continue
		}
		if depth == 0 && !fn(i) {
			return
		}
	}
}

// split splits toks at top-level keyword w; AND after BETWEEN stays.
func split(toks []token, w string) [][]token {
	var out [][]token
	start, between := 0, 0
	topLevel(toks, func(i int) bool {
		switch {
		case toks[i].Is("BETWEEN"):
			between++
		case toks[i].Is(w):
			if w == "AND" && between > 0 {
				between--
				return true
			}
			out = append(out, toks[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, toks[start:])
}

// conjuncts returns the top-level AND terms of a condition, looking into
// parentheses around AND groups. AND binds tighter than OR, so a condition
// with a top-level OR is one term: "a OR b AND c" is "a OR (b AND c)", and
// "b AND c" there restricts nothing on its own.
func conjuncts(toks []token) [][]token {
	toks = stripParens(toks)
	if len(split(toks, "OR")) > 1 {
		return [][]token{toks}
	}
	parts := split(toks, "AND")
	if len(parts) == 1 {
		return parts
	}
	var out [][]token
	for _, p := range parts {
		out = append(out, conjuncts(p)...)
	}
	return out
}

func splitComma(toks []token) [][]token {
	var out [][]token
	start := 0
	topLevel(toks, func(i int) bool {
		if toks[i].IsPunct(",") {
			out = append(out, toks[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, toks[start:])
}
