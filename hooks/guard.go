package hooks

import (
	"errors"
	"slices"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
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

// UnboundedReason says why a WHERE clause does not bound the rows. Its values
// are the Reason* constants below; its String method names them for people
// (e.g. in UnboundedWriteError's message).
type UnboundedReason = where.Reason

// The reasons an *UnboundedWriteError reports.
const (
	// ReasonMissing: no WHERE condition at all — also what remains when GORM
	// drops every zero-valued field of a struct condition (Where(&User{})).
	ReasonMissing = where.Missing
	// ReasonTautology: a condition true for every row: 1=1, TRUE, 'a'='a', a
	// column compared with itself, x LIKE '%', and AND/OR combinations of them.
	ReasonTautology = where.Tautology
	// ReasonPrimaryKeyNotNull: only "primary key IS NOT NULL", which is how
	// GORM renders Not(map[string]any{"id": ids}) for an empty ids.
	ReasonPrimaryKeyNotNull = where.PrimaryKeyNotNull
	// ReasonSoftDeleteOnly: only the soft-delete filter (deleted_at IS NULL)
	// GORM adds by itself, which every live row matches.
	ReasonSoftDeleteOnly = where.SoftDeleteOnly
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
	// Reason says why the WHERE does not bound the rows.
	Reason UnboundedReason
	// Condition is the vacuous condition (or, for raw SQL, the statement),
	// with its bind variables as placeholders; empty for ReasonMissing on a
	// statement GORM built.
	Condition string

	err *where.Error
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
	if e.Condition != "" {
		b.WriteString(" (" + e.Condition + ")")
	}
	b.WriteString("; use hooks.AllowUnbounded to run it on purpose")
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

// AllowUnbounded returns a session of db on which Guard lets every UPDATE
// and DELETE through, with or without a bounding WHERE; it also sets GORM's
// own AllowGlobalUpdate, so that a statement with no WHERE at all runs. Use
// it for the statements that are meant to touch every row:
//
//	hooks.AllowUnbounded(db).Model(&Token{}).Update("expired", true)
//
// The conditions and model already on db are kept.
func AllowUnbounded(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{AllowGlobalUpdate: true}).Set(settingAllowUnbounded, true)
}

// Guard is a GORM plugin that refuses every UPDATE and DELETE whose WHERE
// does not bound the rows it touches — no WHERE, or a vacuous one: 1=1,
// TRUE, the primary key IS NOT NULL (GORM's rendering of
// Not(map[string]any{"id": ids}) when ids is empty), zero-valued struct
// conditions GORM dropped, or only the soft-delete filter. The statement
// fails with an *UnboundedWriteError and nothing is sent to the database. It
// closes the holes of GORM's own ErrMissingWhereClause check, which only
// catches a missing WHERE (and, on soft-delete models, one holding nothing
// but the filter GORM added itself).
//
// Install it with db.Use(&hooks.Guard{}); the zero value guards every
// statement. Guard checks the final WHERE of the statements GORM builds
// (Update, Updates, UpdateColumn(s), Save of an existing row, Delete, soft
// deletes), including the conditions GORM adds from the model's primary key,
// and, unless SkipRaw is set, the UPDATE and DELETE statements run with Exec,
// Raw(...).Rows/Scan or Raw(...).Find: one or several statements, with the
// dialect's comments and string forms, a WITH clause in front, and the
// JOIN ... ON forms of per-row bulk updates on MySQL and SQL Server, which
// have no WHERE; raw text it cannot lex (an unterminated string or comment)
// is left to the database. It ignores GORM's AllowGlobalUpdate: the escape
// hatch is AllowUnbounded, per session.
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
		// Not reached by dialect.Of's own version query (a SELECT), so this
		// does not recurse. A dialect gormup does not know is lexed with the
		// rules every dialect shares.
		var lex dialect.Lexing
		if d, err := dialect.Of(stmt.Context, db); err == nil {
			lex = d.Lexing()
		}
		var pks []string // nil: "id"
		if stmt.Schema != nil {
			pks = stmt.Schema.PrimaryFieldDBNames
		}
		if err := where.CheckRawSQL(stmt.SQL.String(), stmt.Vars, lex, pks, nil); err != nil {
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
	stmt.DB.AddError(&UnboundedWriteError{Op: op, Table: table, Reason: we.Reason, Condition: we.Condition, err: we})
}
