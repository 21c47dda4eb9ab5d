package index

import (
	"context"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// existing is an index as the database's catalog describes it.
type existing struct {
	name    string
	unique  bool
	primary bool
	valid   bool
	method  string // lower case, "" when the catalog does not say
	where   string // as the catalog renders it; "" when not partial
	keys    []key  // column (lower case) or expr, desc, length
}

// readCatalog returns the indexes of table in catalog order.
func readCatalog(ctx context.Context, db *gorm.DB, d *dialect.Dialect, table string) ([]*existing, error) {
	rows, err := catalog.Indexes(ctx, db, d, table)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	var out []*existing
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].name != r.Name {
			out = append(out, &existing{name: r.Name, unique: r.Unique, primary: r.Primary, valid: r.Valid,
				method: strings.ToLower(r.Method), where: r.Predicate})
			if r.Definition != "" {
				out[len(out)-1].where = sqliteWhere(r.Definition)
			}
		}
		e := out[len(out)-1]
		k := key{column: strings.ToLower(r.Column), expr: r.Expr, desc: r.Desc, length: r.Length}
		if k.expr != "" {
			k.column = ""
		}
		if r.Expr == catalog.ExpressionInDefinition { // SQLite: the text is only in the CREATE INDEX statement.
			k.expr = sqliteKey(r.Definition, len(e.keys))
		}
		e.keys = append(e.keys, k)
	}
	return out, nil
}
