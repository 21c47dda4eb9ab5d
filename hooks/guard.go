package hooks

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
	"github.com/gormup/gormup/internal/where"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// guardPluginName is the gorm.Plugin name of Guard.
const guardPluginName = "gormup:guard"

// guardCallback is the name of Guard's callback on the query, row and raw
// processors.
const guardCallback = "gormup:guard"

// settingAllowUnbounded is the gorm.Statement setting AllowUnbounded sets.
const settingAllowUnbounded = "gormup:allow_unbounded"

// ErrUnboundedWrite is wrapped by the *UnboundedWriteError Guard returns when
// it refuses an UPDATE or DELETE whose WHERE does not bound the rows it
// touches: no WHERE at all, or a vacuous one (see UnboundedReason).
var ErrUnboundedWrite = errors.New("hooks: UPDATE or DELETE refused: its WHERE does not bound the rows")

// UnboundedReason says why Guard did not prove a statement bounded; this is
// gormup's one list of unbounded conditions, which batch.Update and
// chunk.Purge refuse too. A statement is proven bounded by a top-level AND
// term of the WHERE (or of the ON
// of an inner JOIN of the written table) that compares a column of the
// written table with a value, a parameter, a subquery or another table's
// column — C = v, C <> v, C < v, C IN (...), C BETWEEN v AND w, C LIKE v,
// C IS NULL —, or an OR whose every alternative has such an equality.
// Its String method names the reason for people.
type UnboundedReason = where.Reason

// The reasons an *UnboundedWriteError reports.
const (
	// ReasonMissing: no WHERE condition at all — also what remains when GORM
	// drops every zero-valued field of a struct condition (Where(&User{})).
	ReasonMissing = where.Missing
	// ReasonNoBound: no term restricts a column of the written table: 1=1,
	// TRUE, (1)=(1), 1 IN (1), t.id = id, NOT (id IS NULL), x IS NULL OR x
	// IS NOT NULL, id IS NOT NULL (GORM's rendering of Not("id", []int{})),
	// or a condition on another table only (UPDATE t ... FROM o WHERE o.id
	// = 1).
	ReasonNoBound = where.NoBound
	// ReasonSoftDeleteOnly: only the soft-delete filter (deleted_at IS NULL)
	// GORM adds by itself, which every live row matches.
	ReasonSoftDeleteOnly = where.SoftDeleteOnly
	// ReasonNotUnderstood: the SQL text could not be read (an unterminated
	// string or comment, a MySQL versioned comment) or has a form Guard does
	// not know (a multi-table DELETE on MySQL, an UPDATE writing two tables);
	// Detail says which.
	ReasonNotUnderstood = where.NotUnderstood
	// ReasonHiddenWrite: an UPDATE or DELETE inside a statement Guard cannot
	// follow: MERGE, DO, EXECUTE, CALL, or inside a SELECT.
	ReasonHiddenWrite = where.HiddenWrite
)

// UnboundedWriteError is the error of a statement Guard refused. Nothing was
// sent to the database. errors.Is(err, ErrUnboundedWrite) holds; for
// ReasonMissing errors.Is(err, gorm.ErrMissingWhereClause) holds as well.
type UnboundedWriteError struct {
	// Op is OpUpdate or OpDelete for statements GORM built (a soft delete is
	// an OpDelete), or the processor of a raw statement (OpRaw for Exec).
	Op Operation
	// Table is the table written, when known.
	Table string
	// Reason says why the statement was not proved bounded.
	Reason UnboundedReason
	// Detail says what Guard did not understand or follow
	// (ReasonNotUnderstood, ReasonHiddenWrite); empty otherwise.
	Detail string
	// Condition is the condition (or, for raw SQL, the statement), with its
	// bind variables as placeholders; empty for ReasonMissing on a statement
	// GORM built.
	Condition string

	err          *where.Error
	globalUpdate bool // the statement's session had GORM's AllowGlobalUpdate
}

func (e *UnboundedWriteError) Error() string {
	var b strings.Builder
	b.WriteString("hooks: refused ")
	if e.Op == OpUpdate || e.Op == OpDelete {
		b.WriteString(strings.ToUpper(string(e.Op)))
	} else {
		b.WriteString("raw UPDATE or DELETE")
	}
	if e.Table != "" {
		b.WriteString(" on " + e.Table)
	}
	b.WriteString(": " + e.Reason.String())
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Condition != "" {
		b.WriteString(" (" + e.Condition + ")")
	}
	if e.globalUpdate {
		// AllowUnbounded's session reached GORM but not this statement: a
		// gorm.G[T] call starts a new statement with the ctx it is given.
		b.WriteString("; the session allows global updates but Guard's permission did not reach this statement " +
			"(gorm.G[T] calls start from the ctx they are given): pass hooks.AllowUnboundedContext(ctx) as that ctx")
	} else {
		b.WriteString("; to run it on purpose, run it on hooks.AllowUnbounded(db) or under hooks.AllowUnboundedContext(ctx)")
	}
	return b.String()
}

// Unwrap returns ErrUnboundedWrite, and gorm.ErrMissingWhereClause for
// ReasonMissing, so that code checking GORM's own error keeps working.
func (e *UnboundedWriteError) Unwrap() []error {
	errs := []error{ErrUnboundedWrite, e.err}
	if e.Reason == ReasonMissing {
		errs = append(errs, gorm.ErrMissingWhereClause)
	}
	return errs
}

// allowKey is the context key of AllowUnboundedContext.
type allowKey struct{}

// AllowUnboundedContext returns a context under which Guard lets every
// UPDATE and DELETE through, with or without a bounding WHERE. It reaches
// statements wherever the context goes: db.WithContext(ctx), gorm.G[T](db)
// chains given ctx, transactions. GORM's own check of a missing WHERE still
// applies: combine with AllowUnbounded(db), or db.Session(&gorm.Session{
// AllowGlobalUpdate: true}), for statements with no WHERE at all.
func AllowUnboundedContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, allowKey{}, true)
}

// AllowUnbounded returns a session of db on which Guard lets every UPDATE and
// DELETE through, with or without a bounding WHERE; it also sets GORM's own
// AllowGlobalUpdate, so that a statement with no WHERE at all runs. Use it
// for the statements that are meant to touch every row:
//
//	all := hooks.AllowUnbounded(db)
//	all.Model(&Token{}).Update("expired", true)
//	all.Where("1 = 1").Delete(&Session{})
//
// The session is reusable (each statement starts from db's conditions and
// model, not from the previous statement's). Its context carries the
// permission too (see AllowUnboundedContext), so gorm.G[T] chains and
// transactions started from it keep it.
func AllowUnbounded(db *gorm.DB) *gorm.DB {
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return db.Set(settingAllowUnbounded, true).
		Session(&gorm.Session{AllowGlobalUpdate: true, Context: AllowUnboundedContext(ctx)})
}

// Guard is a GORM plugin that refuses every UPDATE and DELETE it cannot prove
// bounded: the statement must restrict a column of the table it writes in
// one of the shapes listed on UnboundedReason. Everything else fails with an
// *UnboundedWriteError (its Reason says why) and nothing is sent to the
// database. It closes the holes of GORM's own ErrMissingWhereClause check,
// which only catches a missing WHERE.
//
// Install it with db.Use(&hooks.Guard{}); the zero value guards every
// statement. Guard checks the final WHERE of the statements GORM builds
// (Update, Updates, UpdateColumn(s), Save of an existing row, Delete, soft
// deletes), including the conditions GORM adds from the model's primary key,
// and, unless SkipRaw is set, the statements run with Exec, Raw(...).Rows/
// Scan or Raw(...).Find, read with the lexical rules of the database: every
// statement of a ';'-separated text, writes inside
// WITH, EXPLAIN ANALYZE, MariaDB ANALYZE and PostgreSQL PREPARE are followed;
// the JOIN ... ON forms of per-row bulk updates count as bounds. It ignores
// GORM's AllowGlobalUpdate: the escape hatches are AllowUnbounded (a session)
// and AllowUnboundedContext (a context).
//
// Guard holds no state; it is safe for concurrent use.
type Guard struct {
	// SkipRaw turns off the checks of raw SQL (Exec and Raw); statements GORM
	// builds are still checked. The default (false) checks raw SQL too.
	SkipRaw bool
	// ExemptTables lists tables on which unbounded writes are allowed without
	// AllowUnbounded (a scratch or queue table cleared wholesale), compared
	// case-insensitively with the statement's table; nil exempts none.
	ExemptTables []string
}

var _ gorm.Plugin = (*Guard)(nil)

// Name returns "gormup:guard".
func (g *Guard) Name() string { return guardPluginName }

// Initialize installs the checks on db; it is called by db.Use. Statements
// GORM builds are checked while GORM builds their UPDATE or DELETE clause —
// the only moment their final WHERE exists and nothing has been sent yet —
// through db's clause builders for "UPDATE" and "DELETE" (any builder a
// dialector installed there still builds the clause). Raw statements are
// checked by a "gormup:guard" callback registered before "gorm:raw",
// "gorm:row" and "gorm:query".
func (g *Guard) Initialize(db *gorm.DB) error {
	if db.ClauseBuilders == nil {
		db.ClauseBuilders = map[string]clause.ClauseBuilder{}
	}
	for _, name := range []string{"UPDATE", "DELETE"} {
		db.ClauseBuilders[name] = g.clauseBuilder(db.ClauseBuilders[name])
	}
	if g.SkipRaw {
		return nil
	}
	cb := db.Callback()
	return errors.Join(
		cb.Raw().Before("gorm:raw").Register(guardCallback, g.checkRaw(OpRaw)),
		cb.Row().Before("gorm:row").Register(guardCallback, g.checkRaw(OpRow)),
		cb.Query().Before("gorm:query").Register(guardCallback, g.checkRaw(OpQuery)),
	)
}

// clauseBuilder wraps the builder of an UPDATE or DELETE clause (nil: the
// clause's own Build) with the check of the statement's final WHERE.
func (g *Guard) clauseBuilder(next clause.ClauseBuilder) clause.ClauseBuilder {
	return func(c clause.Clause, builder clause.Builder) {
		if stmt, ok := builder.(*gorm.Statement); ok && stmt.Error == nil && g.applies(stmt) {
			if err := where.Check(stmt); err != nil {
				op := OpUpdate
				if slices.Contains(stmt.BuildClauses, "DELETE") {
					op = OpDelete // a soft delete builds an UPDATE for a Delete
				}
				g.refuse(stmt, op, err)
			}
		}
		if next != nil {
			next(c, builder)
			return
		}
		c.Build(builder)
	}
}

// checkRaw checks the SQL text of a raw statement before it runs.
func (g *Guard) checkRaw(op Operation) func(*gorm.DB) {
	return func(db *gorm.DB) {
		stmt := db.Statement
		if db.Error != nil || stmt.SQL.Len() == 0 || !mayWrite(stmt.SQL.String()) || !g.applies(stmt) {
			return
		}
		fam := sqltext.FamilyOf(db.Dialector.Name())
		if err := where.CheckRaw(stmt.SQL.String(), stmt.Vars, fam, where.FactsOf(stmt)); err != nil {
			g.refuse(stmt, op, err)
		}
	}
}

// mayWrite is a cheap filter: only SQL mentioning UPDATE or DELETE is lexed.
func mayWrite(sql string) bool {
	for i := 0; i+6 <= len(sql); i++ {
		if c := sql[i] | 0x20; (c == 'u' || c == 'd') && (strings.EqualFold(sql[i:i+6], "update") || strings.EqualFold(sql[i:i+6], "delete")) {
			return true
		}
	}
	return false
}

// applies reports whether stmt is subject to the check: not run under
// AllowUnbounded, not on an exempt table.
func (g *Guard) applies(stmt *gorm.Statement) bool {
	if v, ok := stmt.Settings.Load(settingAllowUnbounded); ok && v == true {
		return false
	}
	if stmt.Context != nil && stmt.Context.Value(allowKey{}) == true {
		return false
	}
	if len(g.ExemptTables) > 0 && stmt.Table != "" {
		return !slices.ContainsFunc(g.ExemptTables, func(t string) bool { return strings.EqualFold(t, stmt.Table) })
	}
	return true
}

func (g *Guard) refuse(stmt *gorm.Statement, op Operation, err error) {
	var we *where.Error
	if !errors.As(err, &we) {
		stmt.DB.AddError(err)
		return
	}
	table := we.Table
	if table == "" {
		table = stmt.Table
	}
	if table != "" && len(g.ExemptTables) > 0 &&
		slices.ContainsFunc(g.ExemptTables, func(t string) bool { return strings.EqualFold(t, table) }) {
		return
	}
	stmt.DB.AddError(&UnboundedWriteError{Op: op, Table: table, Reason: we.Reason, Detail: we.Detail, Condition: we.Condition, err: we,
		globalUpdate: stmt.DB.AllowGlobalUpdate})
}
