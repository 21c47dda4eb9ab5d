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
// parentheses around AND groups.
func conjuncts(toks []token) [][]token {
	toks = stripParens(toks)
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
		return false, false
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
		if _, c := s.column(left, true); !c || len(parts) != 2 || !s.value(parts[0], false) || !s.value(parts[1], false) {
			return false, false
		}
		return true, false
	}
	return false, false
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

// reference reads a possibly qualified name at toks[i]: its lower-cased
// parts and the index after it.
func reference(toks []token, i int) ([]string, int) {
	var parts []string
	for i < len(toks) && (toks[i].Kind == sqltext.Word || toks[i].Kind == sqltext.Ident) {
		parts = append(parts, strings.ToLower(toks[i].Text))
		if i+2 < len(toks) && toks[i+1].IsPunct(".") {
			i += 2
			continue
		}
		i++
		break
	}
	return parts, i
}

// column reports whether toks is exactly one column of the written table,
// and its lower-cased name. strict refuses a bare column when other tables
// could own it.
func (s *scope) column(toks []token, strict bool) (string, bool) {
	toks = stripParens(toks)
	if len(toks) == 0 || (toks[0].Kind != sqltext.Word && toks[0].Kind != sqltext.Ident) {
		return "", false
	}
	parts, n := reference(toks, 0)
	if n != len(toks) {
		return "", false
	}
	name := parts[len(parts)-1]
	if len(parts) == 1 {
		t := toks[0]
		if t.Kind == sqltext.Word && keywordValue[strings.ToUpper(t.Text)] {
			return "", false
		}
		if s.cols != nil {
			return name, s.cols[name]
		}
		if t.Kind == sqltext.Ident && t.Quote == '"' && s.fam == sqltext.SQLite {
			return "", false // SQLite reads "x" as a string when no column x exists
		}
		return name, !strict || !s.hasOthers()
	}
	q := strings.Join(parts[:len(parts)-1], ".")
	if !s.targets[q] || (s.cols != nil && !s.cols[name]) {
		return "", false
	}
	return name, true
}

// keywordValue are the words that are values, not columns.
var keywordValue = wordSet("NULL TRUE FALSE UNKNOWN DEFAULT CURRENT_TIMESTAMP CURRENT_DATE CURRENT_TIME " +
	"LOCALTIME LOCALTIMESTAMP CURRENT_USER SESSION_USER USER SYSTEM_USER CURRENT_ROLE CURRENT_SCHEMA " +
	"CURRENT_CATALOG UTC_TIMESTAMP UTC_DATE UTC_TIME")

// operatorWords may appear in a value expression.
var operatorWords = wordSet("AND OR NOT IS IN LIKE ILIKE BETWEEN CASE WHEN THEN ELSE END DISTINCT FROM ESCAPE " +
	"ARRAY BINARY DIV MOD XOR AT AS")

// lowerPrecedence are the operator words that bind less tightly than a
// comparison: outside parentheses they would make the comparison an operand.
var lowerPrecedence = wordSet("IS IN LIKE ILIKE BETWEEN NOT AND OR XOR DISTINCT FROM ESCAPE SIMILAR REGEXP RLIKE GLOB MATCH ISNULL NOTNULL")

// literalPrefixes open a typed literal when a string or number follows.
var literalPrefixes = wordSet("DATE TIME TIMESTAMP INTERVAL")

// units follow an interval's number or string.
var units = wordSet("YEAR YEARS MONTH MONTHS WEEK WEEKS DAY DAYS HOUR HOURS MINUTE MINUTES SECOND SECONDS " +
	"MICROSECOND MICROSECONDS QUARTER")

// typeWords continue a type name after its first word.
var typeWords = wordSet("WITH WITHOUT TIME ZONE PRECISION VARYING")

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// value reports whether toks is an expression that reads no column of the
// written row (see Reason). plain also refuses subqueries and other tables'
// columns.
func (s *scope) value(toks []token, plain bool) bool {
	if len(toks) == 0 {
		return false
	}
	typeName := false // the previous word named a type
	depth := 0        // parentheses, brackets and CASE ... END
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		wasType := typeName
		typeName = false
		switch t.Kind {
		case sqltext.Op:
			if depth == 0 {
				return false // id = 1 = 1, id = 1 <> 0: the comparison would not be the one read
			}
			continue
		case sqltext.Other:
			if depth == 0 && s.fam == sqltext.MySQL && (t.Text == "||" || t.Text == "&" && i+1 < len(toks) && toks[i+1].Text == "&") {
				return false // MySQL's || and && are OR and AND
			}
			continue
		case sqltext.Number, sqltext.String, sqltext.Param:
			continue
		case sqltext.Punct:
			switch t.Text {
			case "(":
				if i+1 < len(toks) && isQuery(toks[i+1]) {
					if plain {
						return false
					}
					j := closing(toks, i)
					if j < 0 || !s.subquery(toks[i+1:j]) {
						return false
					}
					i = j // a subquery: trusted
					continue
				}
				depth++
				continue
			case "[":
				depth++
				continue
			case ")", "]":
				depth--
				continue
			case ",":
				continue
			}
			return false
		}
		if t.Is("CASE") {
			depth++
			continue
		}
		if t.Is("END") {
			depth--
			continue
		}
		if depth == 0 && t.Kind == sqltext.Word && lowerPrecedence[strings.ToUpper(t.Text)] {
			return false // id = 1 IS NOT NULL reads (id = 1) IS NOT NULL
		}
		parts, n := reference(toks, i)
		if n < len(toks) && toks[n].IsPunct("(") {
			if f := strings.ToUpper(parts[len(parts)-1]); f == "ALL" || f == "SOME" {
				return false // x <> ALL (empty) holds for every row
			}
			i = n - 1
			continue
		}
		if len(parts) == 1 {
			if t.Kind != sqltext.Word {
				return false // "x" may be a column of the written row
			}
			w := strings.ToUpper(t.Text)
			prev, next := token{}, token{}
			if i > 0 {
				prev = toks[i-1]
			}
			if i+1 < len(toks) {
				next = toks[i+1]
			}
			switch {
			case keywordValue[w], operatorWords[w] && w != "AS":
			case w == "AS" || w == "COLLATE" || prev.Text == "::" || prev.Is("AS") || prev.Is("COLLATE"):
				typeName = true
			case wasType && typeWords[w]:
				typeName = true
			case literalPrefixes[w] && (next.Kind == sqltext.String || next.Kind == sqltext.Number || next.Kind == sqltext.Param):
			case units[w] && (prev.Kind == sqltext.String || prev.Kind == sqltext.Number || prev.Kind == sqltext.Param):
			default:
				return false // a bare word may be a column of the written row
			}
			continue
		}
		q := strings.Join(parts[:len(parts)-1], ".")
		if plain || s.targets[q] || s.tainted[q] || !s.others[q] {
			return false
		}
		i = n - 1
	}
	return true
}
