package model

import (
	"reflect"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Bound returns a session of db whose WHERE is (the caller's conditions)
// AND bound1 AND bound2…: the caller's WHERE expressions — GORM's
// OrConditions from .Or, a raw condition with a newline before OR, Not,
// struct and map conditions alike — are rendered as one parenthesised group
// by GORM's own clause.Where, and every bound is ANDed after it, so no
// caller condition can escape a bound. db is the db Resolve saw or a
// session or transaction carrying its statement.
//
// Conditions added later — by the caller's Scopes, which GORM runs when the
// statement executes, or by chaining on the returned session — join the
// group too: the grouping is done again, as the last scope, when the
// statement executes. GORM's own additions at execution (the soft-delete
// filter, the key of a model value) are plain ANDed restrictions.
//
// The returned session may be chained and executed more than once. With no
// bounds, the caller's conditions are still grouped.
func (t *Target) Bound(db *gorm.DB, bounds ...clause.Expression) *gorm.DB {
	return Bound(db, bounds...)
}

// Bound is (*Target).Bound for callers without a Target (a chunk query on a
// transaction of the caller's db).
func Bound(db *gorm.DB, bounds ...clause.Expression) *gorm.DB {
	marked := make([]clause.Expression, 0, len(bounds))
	for _, b := range bounds {
		if b != nil {
			marked = append(marked, bound{b})
		}
	}
	q := db.Session(&gorm.Session{}).Clauses() // a statement of our own
	regroup(q.Statement, marked)
	var scope func(*gorm.DB) *gorm.DB
	scope = func(d *gorm.DB) *gorm.DB {
		regroup(d.Statement, nil)
		if pendingScopes(d.Statement) {
			// A caller's scope added scopes of its own, which GORM runs
			// after this one: group again after them.
			d = d.Scopes(scope)
		}
		return d
	}
	return q.Scopes(scope).Session(&gorm.Session{})
}

// regroup rewrites stmt's WHERE as [group(caller's conditions), bounds...]:
// every expression that is not a bound (of this call or an earlier Bound)
// goes into the group, in order.
func regroup(stmt *gorm.Statement, add []clause.Expression) {
	var exprs []clause.Expression
	c, ok := stmt.Clauses["WHERE"]
	if ok {
		if w, ok := c.Expression.(clause.Where); ok {
			exprs = w.Exprs
		}
	}
	// GORM's soft-delete filter may have wrapped everything in one
	// AndConditions; look inside it as clause.Where.Build does.
	if len(exprs) == 1 {
		if a, ok := exprs[0].(clause.AndConditions); ok {
			exprs = a.Exprs
		}
	}
	var caller, bounds []clause.Expression
	for _, e := range exprs {
		switch x := e.(type) {
		case bound:
			bounds = append(bounds, x)
		case group:
			caller = append(caller, x.exprs...)
		default:
			caller = append(caller, x)
		}
	}
	bounds = append(bounds, add...)
	if len(bounds) == 0 && len(caller) == 0 {
		return
	}
	out := make([]clause.Expression, 0, 1+len(bounds))
	if len(caller) > 0 {
		out = append(out, group{exprs: caller})
	}
	out = append(out, bounds...)
	if !ok {
		c = clause.Clause{Name: "WHERE"}
	}
	c.Expression = clause.Where{Exprs: out}
	stmt.Clauses["WHERE"] = c
}

// group renders the caller's conditions as GORM would, in parentheses.
type group struct{ exprs []clause.Expression }

func (g group) Build(b clause.Builder) {
	b.WriteByte('(')
	// clause.Where.Build may swap expressions in place: give it a copy.
	clause.Where{Exprs: slices.Clone(g.exprs)}.Build(b)
	b.WriteByte(')')
}

// bound is a library bound, in parentheses unless it is a single
// comparison, so that an OR inside it cannot bind to its neighbours either.
type bound struct{ clause.Expression }

func (x bound) Build(b clause.Builder) {
	switch e := x.Expression.(type) {
	case clause.Eq, clause.Neq, clause.Gt, clause.Gte, clause.Lt, clause.Lte, clause.IN:
		e.Build(b)
		return
	case clause.AndConditions:
		if len(e.Exprs) > 1 {
			e.Build(b) // parenthesised by GORM
			return
		}
	case clause.OrConditions:
		if len(e.Exprs) > 1 {
			e.Build(b)
			return
		}
	}
	b.WriteByte('(')
	clause.Where{Exprs: []clause.Expression{x.Expression}}.Build(b)
	b.WriteByte(')')
}

// pendingScopes reports whether stmt holds scopes not yet run. GORM keeps
// them unexported; read the length only, and assume none when the field is
// not there.
func pendingScopes(stmt *gorm.Statement) bool {
	f := reflect.ValueOf(stmt).Elem().FieldByName("scopes")
	return f.IsValid() && f.Type() == scopesType && f.Len() > 0
}

var scopesType = reflect.TypeFor[[]func(*gorm.DB) *gorm.DB]()

// Scoped returns a session of db on which the caller's pending scopes
// (db.Scopes, run by GORM only when a statement executes) and then scopes
// (gorm.G-style statement scopes) have already run, so that checks made
// before any SQL — the guard against unbounded writes, UpdateRows' refusal
// of conditions — see every condition the statement will carry. The returned
// session may be chained and executed more than once; db is not changed.
//
// With no scope to run, it returns a plain session of db: GORM copies the
// statement on the first chained call, so db is still not changed, and the
// two statement copies a hot single-row call would pay are saved.
func Scoped(db *gorm.DB, scopes ...func(*gorm.Statement)) *gorm.DB {
	if !hasScope(scopes) && !pendingScopes(db.Statement) {
		return db.Session(&gorm.Session{})
	}
	q := db.Session(&gorm.Session{}).Clauses() // a statement of our own
	if pendingScopes(q.Statement) {
		// GORM runs pending scopes in place on an instance's statement when
		// it builds a migrator; the migrator itself is not used.
		_ = q.Migrator()
	}
	for _, f := range scopes {
		if f != nil {
			f(q.Statement)
		}
	}
	return q.Session(&gorm.Session{})
}

// hasScope reports whether scopes holds a non-nil scope.
func hasScope(scopes []func(*gorm.Statement)) bool {
	for _, f := range scopes {
		if f != nil {
			return true
		}
	}
	return false
}
