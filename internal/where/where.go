package where

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Reason says why a WHERE clause does not bound the rows of a statement.
type Reason uint8

// Reasons reported by Check and CheckSQL. The zero Reason is never reported.
const (
	// Missing: the statement has no WHERE clause at all — also what is left
	// when GORM drops every zero-valued field of a struct condition
	// (Where(&User{})) or an empty map.
	Missing Reason = iota + 1
	// Tautology: the condition is true for every row: 1=1, TRUE, 1, 'a'='a',
	// a column compared with itself, x LIKE '%', NOT FALSE, and AND/OR
	// combinations that reduce to them.
	Tautology
	// PrimaryKeyNotNull: the condition only says the primary key is not
	// NULL, which every row satisfies — what GORM renders for
	// Not("id", []int{}) or Not(map[string]any{"id": []int{}}).
	PrimaryKeyNotNull
	// SoftDeleteOnly: the only condition is the soft-delete filter
	// (deleted_at IS NULL) that GORM adds by itself: every live row matches.
	SoftDeleteOnly
)

func (r Reason) String() string {
	switch r {
	case Missing:
		return "no WHERE condition"
	case Tautology:
		return "the condition is always true"
	case PrimaryKeyNotNull:
		return "the condition only requires a non-NULL primary key"
	case SoftDeleteOnly:
		return "the only condition is the soft-delete filter"
	}
	return "bounded"
}

// ErrUnbounded is wrapped by every *Error: the statement would touch every
// row of its table.
var ErrUnbounded = errors.New("where: the condition does not bound the rows")

// Error is returned by Check and CheckSQL when a WHERE clause does not bound
// the rows. errors.Is(err, ErrUnbounded) holds for it.
type Error struct {
	// Reason says why the condition is vacuous.
	Reason Reason
	// Table is the statement's table, when known.
	Table string
	// Condition is the WHERE condition as analysed, with bind variables left
	// as placeholders; empty for Missing.
	Condition string
}

func (e *Error) Error() string {
	msg := "where: " + e.Reason.String()
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

// Check reports whether the WHERE clause of stmt bounds the rows it touches.
// It returns nil when it does and an *Error naming the Reason when it does
// not: no WHERE clause, or one that is vacuous (see Reason).
//
// Check reads the built clause.Where of stmt (stmt.Clauses["WHERE"]), so it
// works both on a chain before it runs (db.Where(...).Statement) and inside
// a GORM callback, where GORM has already added its soft-delete filter. It
// renders the expressions into SQL text with stmt's dialector, without
// running anything, and analyses that text as CheckSQL does. Primary-key and
// soft-delete columns come from stmt.Schema; when the schema is not parsed
// yet Check parses stmt.Model, and without any model it treats a column named
// "id" as the primary key.
//
// The analysis is deliberately narrow: it recognises the vacuous forms listed
// under Reason and their AND/OR combinations; any other condition (one that
// names a column in a way Check cannot prove always true) counts as bounded.
func Check(stmt *gorm.Statement) error {
	if stmt == nil {
		return &Error{Reason: Missing}
	}
	cols := columnsOf(stmt)
	c, ok := stmt.Clauses["WHERE"]
	if !ok || c.Expression == nil {
		return &Error{Reason: Missing, Table: tableOf(stmt)}
	}
	w, ok := c.Expression.(clause.Where)
	if !ok {
		// A custom WHERE expression: render it as is.
		w = clause.Where{Exprs: []clause.Expression{c.Expression}}
	}
	sql, vars := render(stmt, w)
	if err := analyse(sql, vars, cols); err != nil {
		err.Table = tableOf(stmt)
		return err
	}
	return nil
}

// CheckSQL reports whether the raw UPDATE or DELETE statement sql bounds the
// rows it touches, as Check does for built statements: the part after the
// first top-level WHERE (outside parentheses and quotes, up to ORDER BY,
// LIMIT, RETURNING, OUTPUT or ';') is analysed with vars bound to its
// placeholders (?, $n or @pn). A statement with no top-level WHERE returns a
// Missing error. primaryKeys and softDelete name the columns treated as the
// primary key and the soft-delete column; nil primaryKeys means "id".
//
// CheckSQL is a conservative text check: anything it cannot prove vacuous —
// a subquery, a function call, a column compared with a value — counts as
// bounded.
func CheckSQL(sql string, vars []any, primaryKeys []string, softDelete []string) error {
	cond, ok := topLevelWhere(tokenize(sql))
	if !ok {
		return &Error{Reason: Missing}
	}
	cols := columns{pk: lowerSet(primaryKeys), soft: lowerSet(softDelete)}
	if primaryKeys == nil {
		cols.pk = map[string]bool{"id": true}
	}
	return analyseTokens(cond, vars, cols)
}

// columns names the primary-key and soft-delete columns, lower-cased.
type columns struct {
	pk, soft map[string]bool
}

func lowerSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

func columnsOf(stmt *gorm.Statement) columns {
	s := stmt.Schema
	if s == nil && stmt.Model != nil && stmt.DB != nil {
		if err := stmt.Parse(stmt.Model); err == nil {
			s = stmt.Schema
		}
	}
	if s == nil {
		return columns{pk: map[string]bool{"id": true}, soft: map[string]bool{}}
	}
	cols := columns{pk: map[string]bool{}, soft: map[string]bool{}}
	for _, f := range s.PrimaryFields {
		cols.pk[strings.ToLower(f.DBName)] = true
	}
	for _, f := range s.Fields {
		if f.DBName != "" && isSoftDelete(f) {
			cols.soft[strings.ToLower(f.DBName)] = true
		}
	}
	return cols
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

func tableOf(stmt *gorm.Statement) string {
	if stmt.Table != "" {
		return stmt.Table
	}
	if stmt.Schema != nil {
		return stmt.Schema.Table
	}
	return ""
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
