package index

import (
	"context"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// PrimaryKey is the name Covers and Advise give the table's primary key,
// which every database indexes (on SQLite an INTEGER PRIMARY KEY is the rowid
// and has no index of its own in the catalog).
const PrimaryKey = catalog.PrimaryKey

// Advice says whether an index serves a filter or an ordering on some
// columns, and what to do when none does.
type Advice struct {
	// Table is the model's table; Columns the columns asked about, as
	// database column names.
	Table   string
	Columns []string
	// Covered reports whether an existing index leads with Columns in order;
	// By names it (PrimaryKey for the primary key).
	Covered bool
	By      string
	// Declared names a declared index (a tag of the model, or a Def of an On
	// value) leading with Columns; when Covered is false, Ensure creates it.
	Declared string
	// Suggestion, when neither an existing nor a declared index leads with
	// Columns, is a Def that would: pass it to On and Ensure.
	Suggestion *Def
}

// String renders the advice in one sentence.
func (a Advice) String() string {
	cols := strings.Join(a.Columns, ", ")
	switch {
	case a.Covered:
		return fmt.Sprintf("%s (%s): covered by %s", a.Table, cols, a.By)
	case a.Declared != "":
		return fmt.Sprintf("%s (%s): not covered; declared index %s would cover it: run index.Ensure", a.Table, cols, a.Declared)
	case a.Suggestion == nil:
		return fmt.Sprintf("%s (%s): not covered", a.Table, cols)
	}
	return fmt.Sprintf("%s (%s): not covered; declare index.Def{Name: %q, Columns: %q}", a.Table, cols, a.Suggestion.Name, a.Suggestion.Columns)
}

// Covers reports whether an existing index of model's table leads with
// columns (column or Go field names) in this order, as an UPDATE's equality
// filter or a keyset ordering on them needs. The primary key counts; partial
// indexes, invalid ones and expression keys do not. It costs one catalog
// query (ctx bounds it) and changes nothing; chunk.Run asks the same
// question to warn about an unindexed OrderBy. model may be a struct pointer
// or an On value. It returns ErrNoTable when the table does not exist and a *DefError
// for an unknown column or no columns.
func Covers(ctx context.Context, db *gorm.DB, model any, columns ...string) (bool, error) {
	if db == nil {
		return false, ErrNilDB
	}
	sch, table, cols, err := resolve(db, model, columns)
	if err != nil {
		return false, err
	}
	by, err := coveredBy(ctx, db, sch, table, cols)
	return by != "", err
}

// Advise is Covers with advice: which existing index covers the columns,
// otherwise which declared index would (Ensure creates it), otherwise a Def
// that would, named by GORM's naming strategy. model may be a struct pointer
// or an On value, whose Defs count as declared. Errors are those of Covers.
func Advise(ctx context.Context, db *gorm.DB, model any, columns ...string) (Advice, error) {
	if db == nil {
		return Advice{}, ErrNilDB
	}
	sch, table, cols, err := resolve(db, model, columns)
	if err != nil {
		return Advice{}, err
	}
	a := Advice{Table: table, Columns: cols}
	if a.By, err = coveredBy(ctx, db, sch, table, cols); err != nil {
		return Advice{}, err
	}
	a.Covered = a.By != ""
	models, err := collect(db, declaredWithTags(model))
	if err != nil {
		return Advice{}, err
	}
	for _, m := range models {
		for _, s := range m.specs {
			if s.where == "" && leads(s.keys, cols) {
				a.Declared = s.declared
				break
			}
		}
	}
	if !a.Covered && a.Declared == "" {
		a.Suggestion = &Def{Name: db.NamingStrategy.IndexName(table, strings.Join(cols, "_")), Columns: cols}
	}
	return a, nil
}

// declaredWithTags returns what to collect declarations from: the model
// itself, and for an On value its model too.
func declaredWithTags(model any) []any {
	if d, ok := model.(Declared); ok {
		return []any{d.model, d}
	}
	return []any{model}
}

// resolve parses model and maps columns to database column names.
func resolve(db *gorm.DB, model any, columns []string) (*schema.Schema, string, []string, error) {
	if d, ok := model.(Declared); ok {
		model = d.model
	}
	sch, table, err := parse(db, model)
	if err != nil {
		return nil, "", nil, err
	}
	if len(columns) == 0 {
		return nil, "", nil, &DefError{Table: table, Reason: "no columns to cover"}
	}
	cols := make([]string, len(columns))
	for i, c := range columns {
		f := sch.LookUpField(c)
		if f == nil || f.DBName == "" {
			return nil, "", nil, &DefError{Table: table, Reason: fmt.Sprintf("unknown column %q", c)}
		}
		cols[i] = f.DBName
	}
	return sch, table, cols, nil
}

// coveredBy names the primary key or existing index leading with cols, or "".
func coveredBy(ctx context.Context, db *gorm.DB, sch *schema.Schema, table string, cols []string) (string, error) {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return "", err
	}
	if err := tableExists(ctx, db, table); err != nil {
		return "", err
	}
	by, err := catalog.Leading(ctx, db, d, table, sch.PrimaryFieldDBNames, cols)
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	return by, nil
}

// leads reports whether keys begin with the plain columns cols, in order.
func leads(keys []key, cols []string) bool {
	if len(keys) < len(cols) {
		return false
	}
	for i, c := range cols {
		if keys[i].expr != "" || !strings.EqualFold(keys[i].column, c) {
			return false
		}
	}
	return true
}
