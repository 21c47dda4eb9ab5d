package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// wanted renders a declaration as the catalog would describe it, with the
// texts of expressions and conditions as declared.
func (s *spec) wanted(d *dialect.Dialect) *existing {
	e := &existing{name: s.name, unique: s.unique, valid: true, method: strings.ToLower(s.typ), where: s.where}
	if s.class != "" {
		e.method = strings.ToLower(s.class)
	}
	if d.Has(dialect.HashIndexIsBtree) && e.method == "hash" {
		e.method = ""
	}
	for _, k := range s.keys {
		k.column = strings.ToLower(k.column)
		k.collate = ""
		if !d.Has(dialect.IndexPrefixLength) {
			k.length = 0
		}
		e.keys = append(e.keys, k)
	}
	return e
}

// differences compares a wanted index with an existing one. Expressions and
// conditions are compared as normalize renders them.
func differences(want, got *existing, d *dialect.Dialect) []Difference {
	var out []Difference
	if !got.valid {
		out = append(out, Difference{Kind: KindInvalid, Want: "valid", Got: "invalid"})
	}
	if want.unique != got.unique {
		out = append(out, Difference{Kind: KindUnique, Want: strconv.FormatBool(want.unique), Got: strconv.FormatBool(got.unique)})
	}
	dropParens := d.Has(dialect.ParenthesisedFilters)
	ids := func(e *existing) []string {
		out := make([]string, len(e.keys))
		for i, k := range e.keys {
			out[i] = k.column
			if k.expr != "" {
				out[i] = "=" + normalize(k.expr, dropParens)
			}
		}
		return out
	}
	if !slices.Equal(ids(want), ids(got)) {
		out = append(out, Difference{Kind: KindColumns, Want: want.render(keyPlain), Got: got.render(keyPlain)})
	} else {
		if !slices.EqualFunc(want.keys, got.keys, func(a, b key) bool { return a.desc == b.desc }) {
			out = append(out, Difference{Kind: KindSort, Want: want.render(keySort), Got: got.render(keySort)})
		}
		if !slices.EqualFunc(want.keys, got.keys, func(a, b key) bool { return a.length == b.length }) {
			out = append(out, Difference{Kind: KindLength, Want: want.render(keyLength), Got: got.render(keyLength)})
		}
	}
	if normalize(want.where, dropParens) != normalize(got.where, dropParens) {
		out = append(out, Difference{Kind: KindWhere, Want: orNone(want.where), Got: orNone(got.where)})
	}
	if want.method != "" && got.method != "" && want.method != got.method {
		out = append(out, Difference{Kind: KindType, Want: want.method, Got: got.method})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// What render shows of each key part.
const (
	keyPlain = iota
	keySort
	keyLength
)

func (e *existing) render(mode int) string {
	parts := make([]string, len(e.keys))
	for i, k := range e.keys {
		p := k.column
		if k.expr != "" {
			p = k.expr
		}
		switch {
		case mode == keySort && k.desc:
			p += " DESC"
		case mode == keySort:
			p += " ASC"
		case mode == keyLength && k.length > 0:
			p += fmt.Sprintf("(%d)", k.length)
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}

// needsServer reports whether a textual comparison on PostgreSQL may have
// failed only because the server renders an expression or a condition its
// own way ("active = true" as "active"): both sides have a condition that
// differs, or key lists of the same length with an expression.
func needsServer(want, got *existing, diffs []Difference) bool {
	for _, d := range diffs {
		switch d.Kind {
		case KindWhere:
			if want.where != "" && got.where != "" {
				return true
			}
		case KindColumns:
			if len(want.keys) == len(got.keys) && (hasExpr(want) || hasExpr(got)) {
				return true
			}
		}
	}
	return false
}

func hasExpr(e *existing) bool {
	for _, k := range e.keys {
		if k.expr != "" {
			return true
		}
	}
	return false
}

// scratchTable is the temporary table PostgreSQL declarations are rendered on.
const scratchTable = "gormup_index_scratch"

// errScratchDone rolls the scratch transaction back.
var errScratchDone = errors.New("index: scratch done")

// rendered builds the given declarations on an empty temporary copy of
// table's columns, inside a transaction (a savepoint when db is in one) that
// is always rolled back, and returns them as PostgreSQL's catalog renders
// them, by spec. It runs only when a textual comparison disagreed.
func rendered(ctx context.Context, db *gorm.DB, d *dialect.Dialect, table string, specs []*spec) (map[*spec]*existing, error) {
	out := map[*spec]*existing{}
	err := dialect.Primary(db.WithContext(ctx)).Transaction(func(tx *gorm.DB) error {
		create := fmt.Sprintf("CREATE TEMPORARY TABLE %s (LIKE %s) ON COMMIT DROP", scratchTable, dialect.Quote(tx, table))
		if err := tx.Exec(create).Error; err != nil {
			return fmt.Errorf("index: creating the scratch table for %s: %w", table, err)
		}
		names := map[string]*spec{}
		for i, s := range specs {
			name := fmt.Sprintf("gormup_scratch_%d", i)
			scratch := *s
			scratch.concurrently = false
			if err := scratch.create(tx, scratchTable, name); err != nil {
				return &DefError{Table: table, Index: s.declared, Reason: "PostgreSQL rejects the declaration", Err: err}
			}
			names[name] = s
		}
		found, err := readCatalog(ctx, tx, d, "pg_temp."+scratchTable)
		if err != nil {
			return err
		}
		for _, e := range found {
			if s := names[e.name]; s != nil {
				out[s] = e
			}
		}
		return errScratchDone
	})
	if !errors.Is(err, errScratchDone) {
		return nil, err
	}
	return out, nil
}
