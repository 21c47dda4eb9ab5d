package where

import (
	"math/big"
	"reflect"
	"strings"
)

// truth is what a condition is known to evaluate to for every row.
type truth uint8

const (
	unknown truth = iota // depends on the row: bounded
	always               // true for every row (reason says why)
	never                // false for every row
)

type verdict struct {
	t      truth
	reason Reason
}

func analyse(sql string, vars []any, cols columns) *Error {
	err := analyseTokens(tokenize(sql), vars, cols)
	if err == nil {
		return nil
	}
	e := err.(*Error)
	if e.Reason != Missing {
		e.Condition = strings.TrimSpace(sql)
	}
	return e
}

// analyseTokens returns an *Error when toks, a WHERE condition, holds for
// every row, and nil otherwise.
func analyseTokens(toks []token, vars []any, cols columns) error {
	if len(toks) == 0 {
		return &Error{Reason: Missing}
	}
	p := &parser{toks: toks, vars: vars, cols: cols}
	v := p.or()
	if p.pos != len(p.toks) {
		return nil // could not parse it all: treat as bounded
	}
	if v.t == always {
		return &Error{Reason: v.reason}
	}
	return nil
}

type parser struct {
	toks []token
	pos  int
	vars []any
	cols columns
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *parser) or() verdict {
	v := p.and()
	for {
		t, ok := p.peek()
		if !ok || !t.isWord("OR") {
			return v
		}
		p.pos++
		r := p.and()
		switch {
		case v.t == always:
		case r.t == always:
			v = r
		case v.t == never && r.t == never:
		default:
			v = verdict{}
		}
	}
}

func (p *parser) and() verdict {
	v := p.not()
	for {
		t, ok := p.peek()
		if !ok || !t.isWord("AND") {
			return v
		}
		p.pos++
		r := p.not()
		switch {
		case v.t == never || r.t == never:
			v = verdict{t: never}
		case v.t == always && r.t == always:
			// Name the strongest reason: a tautology beats the soft-delete filter.
			if v.reason == SoftDeleteOnly {
				v = r
			}
		default:
			v = verdict{}
		}
	}
}

func (p *parser) not() verdict {
	if t, ok := p.peek(); ok && t.isWord("NOT") {
		p.pos++
		v := p.not()
		switch {
		case v.t == never:
			return verdict{t: always, reason: Tautology}
		case v.t == always && v.reason == Tautology:
			return verdict{t: never}
		}
		return verdict{}
	}
	return p.predicate()
}

// predicate reads one comparison or parenthesised condition, up to the next
// top-level AND/OR or closing parenthesis.
func (p *parser) predicate() verdict {
	t, ok := p.peek()
	if !ok {
		return verdict{}
	}
	if t.kind == tokPunct && t.text == "(" {
		save := p.pos
		p.pos++
		v := p.or()
		if nt, ok := p.peek(); ok && nt.kind == tokPunct && nt.text == ")" {
			p.pos++
			if end, ok := p.peek(); !ok || end.isWord("AND") || end.isWord("OR") || (end.kind == tokPunct && end.text == ")") {
				return v
			}
		}
		p.pos = save // something like (a + b) = c: read it as a plain predicate
	}
	start := p.pos
	depth := 0
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t.kind == tokPunct && t.text == "(" {
			depth++
		} else if t.kind == tokPunct && t.text == ")" {
			if depth == 0 {
				break
			}
			depth--
		} else if depth == 0 && (t.isWord("AND") || t.isWord("OR")) {
			// BETWEEN x AND y keeps its AND.
			if t.isWord("AND") && hasBetween(p.toks[start:p.pos]) {
				p.pos++
				continue
			}
			break
		}
		p.pos++
	}
	return p.classify(p.toks[start:p.pos])
}

func hasBetween(toks []token) bool {
	n := 0
	for _, t := range toks {
		if t.isWord("BETWEEN") {
			n++
		}
		if t.isWord("AND") {
			n--
		}
	}
	return n > 0
}

// operand is one side of a comparison: a constant or a column.
type operand struct {
	ok       bool
	constant bool
	value    any    // constant value (nil for NULL)
	column   string // lower-cased column name, without qualifier
	full     string // lower-cased qualified name
}

// readOperand reads a single constant or (optionally qualified) column.
func (p *parser) readOperand(toks []token) (operand, int) {
	if len(toks) == 0 {
		return operand{}, 0
	}
	t := toks[0]
	switch t.kind {
	case tokNumber:
		return operand{ok: true, constant: true, value: numberOf(t.text)}, 1
	case tokString:
		return operand{ok: true, constant: true, value: t.text}, 1
	case tokParam:
		if t.arg < 0 || t.arg >= len(p.vars) {
			return operand{}, 0
		}
		v, ok := constantOf(p.vars[t.arg])
		return operand{ok: ok, constant: true, value: v}, 1
	case tokWord, tokIdent:
		if t.kind == tokWord {
			switch strings.ToUpper(t.text) {
			case "TRUE":
				return operand{ok: true, constant: true, value: big.NewRat(1, 1)}, 1
			case "FALSE":
				return operand{ok: true, constant: true, value: new(big.Rat)}, 1
			case "NULL":
				return operand{ok: true, constant: true, value: nil}, 1
			}
		}
		n := 1
		parts := []string{strings.ToLower(t.text)}
		for n+1 < len(toks) && toks[n].kind == tokPunct && toks[n].text == "." &&
			(toks[n+1].kind == tokWord || toks[n+1].kind == tokIdent) {
			parts = append(parts, strings.ToLower(toks[n+1].text))
			n += 2
		}
		if n < len(toks) && toks[n].kind == tokPunct && toks[n].text == "(" {
			return operand{}, 0 // a function call
		}
		return operand{ok: true, column: parts[len(parts)-1], full: strings.Join(parts, ".")}, n
	}
	return operand{}, 0
}

func (p *parser) classify(toks []token) verdict {
	left, n := p.readOperand(toks)
	if !left.ok {
		return verdict{}
	}
	rest := toks[n:]
	if len(rest) == 0 {
		// A lone value: TRUE, 1, 0, FALSE.
		if left.constant {
			return truthOf(left.value)
		}
		return verdict{}
	}
	// x IS [NOT] NULL
	if rest[0].isWord("IS") {
		neg := len(rest) > 1 && rest[1].isWord("NOT")
		tail := rest[1:]
		if neg {
			tail = rest[2:]
		}
		if len(tail) != 1 || !tail[0].isWord("NULL") {
			return verdict{}
		}
		switch {
		case left.constant:
			if (left.value == nil) != neg {
				return verdict{t: always, reason: Tautology}
			}
			return verdict{t: never}
		case neg && p.cols.pk[left.column]:
			return verdict{t: always, reason: PrimaryKeyNotNull}
		case !neg && p.cols.soft[left.column]:
			return verdict{t: always, reason: SoftDeleteOnly}
		}
		return verdict{}
	}
	// x [NOT] IN (...) with an empty or NULL-only list
	if rest[0].isWord("IN") || (rest[0].isWord("NOT") && len(rest) > 1 && rest[1].isWord("IN")) {
		neg := rest[0].isWord("NOT")
		list := rest[1:]
		if neg {
			list = rest[2:]
		}
		empty := len(list) == 2 && list[0].text == "(" && list[1].text == ")"
		nullOnly := len(list) == 3 && list[0].text == "(" && list[1].isWord("NULL") && list[2].text == ")"
		switch {
		case !neg && (empty || nullOnly):
			return verdict{t: never}
		case neg && empty && !left.constant && p.cols.pk[left.column]:
			return verdict{t: always, reason: PrimaryKeyNotNull}
		case neg && empty:
			return verdict{t: always, reason: Tautology}
		}
		return verdict{}
	}
	// x LIKE '%'
	if rest[0].isWord("LIKE") && len(rest) == 2 {
		pat, m := p.readOperand(rest[1:])
		if m == 1 && pat.constant {
			if s, ok := pat.value.(string); ok && strings.Trim(s, "%") == "" && s != "" {
				return verdict{t: always, reason: Tautology}
			}
		}
		return verdict{}
	}
	if rest[0].kind != tokOp {
		return verdict{}
	}
	op := rest[0].text
	right, m := p.readOperand(rest[1:])
	if !right.ok || m != len(rest)-1 {
		return verdict{}
	}
	if !left.constant && !right.constant {
		if left.full == right.full && (op == "=" || op == "<=" || op == ">=") {
			return verdict{t: always, reason: Tautology}
		}
		return verdict{}
	}
	if !left.constant || !right.constant {
		return verdict{}
	}
	c, ok := compare(left.value, right.value)
	if !ok {
		return verdict{}
	}
	var holds bool
	switch op {
	case "=":
		holds = c == 0
	case "<>":
		holds = c != 0
	case "<":
		holds = c < 0
	case "<=":
		holds = c <= 0
	case ">":
		holds = c > 0
	case ">=":
		holds = c >= 0
	default:
		return verdict{}
	}
	if holds {
		return verdict{t: always, reason: Tautology}
	}
	return verdict{t: never}
}

func numberOf(s string) any {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	return r
}

// constantOf turns a bind variable into a comparable constant: numbers and
// bools become *big.Rat, strings stay strings, nil is NULL.
func constantOf(v any) (any, bool) {
	if v == nil {
		return nil, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		if rv.Bool() {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return new(big.Rat).SetInt64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return new(big.Rat).SetUint64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		r := new(big.Rat)
		if r.SetFloat64(rv.Float()) == nil {
			return nil, false
		}
		return r, true
	case reflect.String:
		return rv.String(), true
	}
	return nil, false
}

func truthOf(v any) verdict {
	switch x := v.(type) {
	case *big.Rat:
		if x.Sign() != 0 {
			return verdict{t: always, reason: Tautology}
		}
		return verdict{t: never}
	case nil:
		return verdict{t: never}
	}
	return verdict{}
}

// compare orders two constants of the same kind; NULL compares with nothing.
func compare(a, b any) (int, bool) {
	switch x := a.(type) {
	case *big.Rat:
		if y, ok := b.(*big.Rat); ok {
			return x.Cmp(y), true
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	return 0, false
}
