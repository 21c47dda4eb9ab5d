package where

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Reason says why a statement was not proved to bound the rows it writes.
//
// A statement is proved bounded when its WHERE — or the ON condition of an
// inner JOIN that joins the written table — has, among its top-level AND
// terms, one of these bounds on a column C of the written table (C bare, or
// qualified with the table's name or alias; bare only when the statement names
// no other table, or C is a known column of the model):
//
//	C = v, C <> v, C < v, C <= v, C > v, C >= v, C <=> v (and v op C)
//	C [NOT] IN (v, ...)        C IN (subquery)        (C1, C2) IN ((v, v), ...)
//	C [NOT] BETWEEN v AND v    C [NOT] LIKE v (v not a pattern of only %)
//	C IS NULL                  (not on the soft-delete column)
//	E op v, E BETWEEN v AND w  (E: arithmetic over one column, id % 2 = 0)
//	FALSE, 0                   (no row: UPDATE t SET id = id WHERE 0 takes a lock)
//
// where v is a value that is not a column of the written row: a literal ('...'
// or, on MySQL, "..."), a bind parameter, NULL/TRUE/FALSE, CURRENT_TIMESTAMP
// and similar keywords, a subquery (trusted to select what its author meant,
// unless visibly correlated: SELECT id without FROM, or a SELECT list naming
// the written table — beware that in id IN (SELECT id FROM o) a table o
// without an id column reads the written row's id), a column of another table
// that is not the written table again (joined under an alias, or a derived
// table reading it), and function calls, casts, CASE and arithmetic over
// those. A term that is an OR counts when each alternative has an equality
// bound: C = v, C IN (v, ...), C IS NULL or C LIKE 'prefix%' with v a value
// (not a subquery or another table's column).
//
// Everything else is not a bound: 1=1, (1)=(1), 1 IN (1), t.id = id, C IS NOT
// NULL, NOT (...), C = C + 0, lower(C) = v and coalesce(C, 0) >= 0 (a function
// may map NULL to a value), a condition only on a joined table. Statements are
// followed through WITH (each common table expression's UPDATE or DELETE is
// checked too), EXPLAIN [ANALYZE], MariaDB ANALYZE, PostgreSQL PREPARE ... AS
// and COPY (...), and MySQL PREPARE ... FROM '...'; MERGE, DO, EXECUTE, CALL
// and multi-table MySQL DELETE are not followed and are refused when they name
// UPDATE or DELETE. Functions, procedures and triggers run by a statement are
// not followed.
type Reason uint8

// Reasons reported by Check and CheckRaw. The zero Reason is never reported.
const (
	// Missing: the statement has no WHERE clause at all — also what is left
	// when GORM drops every zero-valued field of a struct condition
	// (Where(&User{})) or an empty map.
	Missing Reason = iota + 1
	// NoBound: no term restricts a column of the written table against a
	// value in a shape listed above (1=1, TRUE, id IS NOT NULL — what GORM
	// renders for Not("id", []int{}) —, a condition on another table only).
	NoBound
	// SoftDeleteOnly: the only condition is the soft-delete filter
	// (deleted_at IS NULL) that GORM adds by itself: every live row matches.
	SoftDeleteOnly
	// NotUnderstood: the text could not be read, or a statement has a form
	// the reader does not know (Error.Detail says which part).
	NotUnderstood
	// HiddenWrite: an UPDATE or DELETE inside a statement the reader cannot
	// follow (MERGE, DO, EXECUTE, CALL, a string run as SQL).
	HiddenWrite
)

func (r Reason) String() string {
	switch r {
	case Missing:
		return "no WHERE condition"
	case NoBound:
		return "no condition restricts a column of the written table"
	case SoftDeleteOnly:
		return "the only condition is the soft-delete filter"
	case NotUnderstood:
		return "the statement could not be read"
	case HiddenWrite:
		return "a write inside a statement that cannot be followed"
	}
	return "bounded"
}

// ErrUnbounded is wrapped by every *Error: the statement was not proved to
// bound the rows it writes.
var ErrUnbounded = errors.New("the statement was not proved to bound the rows it writes")

// Error is returned by Check and CheckRaw when a statement was not proved
// bounded. errors.Is(err, ErrUnbounded) holds for it.
type Error struct {
	// Reason says why.
	Reason Reason
	// Table is the written table, when known.
	Table string
	// Detail says what was not understood or followed (NotUnderstood,
	// HiddenWrite); empty otherwise.
	Detail string
	// Condition is the WHERE condition or the statement, with its bind
	// variables as placeholders; empty for Missing on a built statement.
	Condition string
}

func (e *Error) Error() string {
	msg := e.Reason.String()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Table != "" {
		msg += " on table " + e.Table
	}
	if e.Condition != "" {
		msg += fmt.Sprintf(" (%s)", e.Condition)
	}
	return msg
}

// Unwrap returns ErrUnbounded.
func (e *Error) Unwrap() error { return ErrUnbounded }

// Check proves that the WHERE clause GORM built for stmt bounds the rows it
// touches: nil when it does, an *Error otherwise.
//
// Check reads the built clause.Where of stmt (stmt.Clauses["WHERE"]), so it
// works both on a chain before it runs (db.Where(...).Statement) and inside a
// GORM callback, where GORM has already added its soft-delete filter. It
// renders the expressions with stmt's dialector, without running anything,
// and reads the text with the rules of Reason. The written table is
// stmt.Table, else the schema's; columns come from stmt.Schema (Check parses
// stmt.Model when needed).
func Check(stmt *gorm.Statement) error {
	if stmt == nil {
		return &Error{Reason: Missing}
	}
	m := factsOf(stmt)
	c, ok := stmt.Clauses["WHERE"]
	if !ok || c.Expression == nil {
		return &Error{Reason: Missing, Table: m.Table}
	}
	w, ok := c.Expression.(clause.Where)
	if !ok {
		w = clause.Where{Exprs: []clause.Expression{c.Expression}}
	}
	sql, vars := render(stmt, w)
	fam := sqltext.SQLite
	if stmt.DB != nil && stmt.DB.Dialector != nil {
		fam = sqltext.FamilyOf(stmt.DB.Dialector.Name())
	}
	toks, err := sqltext.Lex(sql, fam)
	if err != nil {
		return &Error{Reason: NotUnderstood, Detail: err.Error(), Table: m.Table, Condition: sql}
	}
	if len(toks) == 0 {
		return &Error{Reason: Missing, Table: m.Table}
	}
	s := newScope(fam, m, vars)
	s.addTarget(m.Table, "")
	if e := s.prove(toks, nil); e != nil {
		e.Table, e.Condition = m.Table, strings.TrimSpace(sql)
		return e
	}
	return nil
}

// Facts are what is known of the model a raw statement may write. The zero
// value is valid: nothing is known.
type Facts struct {
	// Table is the model's table; its columns and soft-delete field apply
	// only to statements writing a table of that name.
	Table string
	// Columns are the model's column names; nil when unknown.
	Columns []string
	// SoftDelete are the model's soft-delete columns.
	SoftDelete []string
}

// CheckRaw proves that every UPDATE and DELETE in sql — one or several
// statements separated by ';', as handed to db.Exec or db.Raw — bounds the
// rows it writes, reading the text with the lexical rules of fam and vars
// bound to its placeholders. It returns the *Error of the first statement not
// proved bounded, and nil otherwise. Statements that write no rows (SELECT,
// INSERT, DDL) pass; see Reason for what is followed.
func CheckRaw(sql string, vars []any, fam sqltext.Family, m Facts) error {
	toks, err := sqltext.Lex(sql, fam)
	if err != nil {
		return &Error{Reason: NotUnderstood, Detail: err.Error(), Condition: strings.TrimSpace(sql)}
	}
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !toks[i].IsPunct(";") {
			continue
		}
		if i > start {
			stmt := toks[start:i]
			if e := statement(stmt, newScope(fam, m, vars)); e != nil {
				e.Condition = strings.TrimSpace(sql[stmt[0].Pos:stmt[len(stmt)-1].End])
				return e
			}
		}
		start = i + 1
	}
	return nil
}

func factsOf(stmt *gorm.Statement) Facts {
	s := stmt.Schema
	if s == nil && stmt.Model != nil && stmt.DB != nil {
		if err := stmt.Parse(stmt.Model); err == nil {
			s = stmt.Schema
		}
	}
	var m Facts
	m.Table = stmt.Table
	if s == nil {
		return m
	}
	if m.Table == "" {
		m.Table = s.Table
	}
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		m.Columns = append(m.Columns, f.DBName)
		if isSoftDelete(f) {
			m.SoftDelete = append(m.SoftDelete, f.DBName)
		}
	}
	return m
}

// FactsOf returns what stmt's model tells about the table a raw statement
// run on stmt may write; the zero Facts without a model.
func FactsOf(stmt *gorm.Statement) Facts {
	if stmt.Schema == nil && stmt.Model == nil {
		return Facts{Table: stmt.Table}
	}
	return factsOf(stmt)
}

// isSoftDelete reports whether f filters deleted rows out of queries: its
// query clauses come from a soft-delete field type (gorm.DeletedAt, or the
// soft_delete plugin's types, whose clause types share the name).
func isSoftDelete(f *schema.Field) bool {
	fc, ok := reflect.New(f.IndirectFieldType).Interface().(schema.QueryClausesInterface)
	if !ok {
		return false
	}
	for _, c := range fc.QueryClauses(f) {
		if strings.Contains(reflect.TypeOf(c).Name(), "SoftDelete") {
			return true
		}
	}
	return false
}

// render builds w into SQL text on a scratch statement of stmt's database,
// leaving stmt untouched.
func render(stmt *gorm.Statement, w clause.Where) (string, []any) {
	if stmt.DB == nil {
		return "", nil
	}
	scratch := &gorm.Statement{
		DB:      stmt.DB,
		Table:   stmt.Table,
		Schema:  stmt.Schema,
		Context: stmt.Context,
		Clauses: map[string]clause.Clause{},
	}
	w.Build(scratch)
	return scratch.SQL.String(), scratch.Vars
}
