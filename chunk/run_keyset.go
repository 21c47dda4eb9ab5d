package chunk

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// keyCol is one column of Run's unique ordering.
type keyCol struct {
	name  string        // column name in the database
	desc  bool          // descending
	field *schema.Field // the field of the chunk type T holding it
}

func (k keyCol) String() string {
	if k.desc {
		return k.name + " DESC"
	}
	return k.name
}

// resolveKeys turns OrderBy (or, without it, the primary key) into the
// ordering columns, appending the primary key columns not listed, and finds
// each in the chunk type's schema.
func resolveKeys(model, chunk *schema.Schema, orderBy []string) ([]keyCol, error) {
	var cols []keyCol
	seen := map[string]bool{}
	for _, spec := range orderBy {
		parts := strings.Fields(spec)
		if len(parts) == 0 || len(parts) > 2 {
			return nil, fmt.Errorf("%w: %q", ErrOrderColumn, spec)
		}
		k := keyCol{}
		if len(parts) == 2 {
			switch strings.ToUpper(parts[1]) {
			case "ASC":
			case "DESC":
				k.desc = true
			default:
				return nil, fmt.Errorf("%w: %q: direction must be ASC or DESC", ErrOrderColumn, spec)
			}
		}
		f := model.LookUpField(parts[0])
		if f == nil || f.DBName == "" {
			return nil, fmt.Errorf("%w: %q is not a column of %s", ErrOrderColumn, parts[0], model.Name)
		}
		if seen[f.DBName] {
			return nil, fmt.Errorf("%w: %q given twice", ErrOrderColumn, f.DBName)
		}
		seen[f.DBName] = true
		k.name = f.DBName
		cols = append(cols, k)
	}
	for _, pk := range model.PrimaryFields {
		if pk.DBName != "" && !seen[pk.DBName] {
			seen[pk.DBName] = true
			cols = append(cols, keyCol{name: pk.DBName})
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, model.Name)
	}
	for i := range cols {
		f := chunk.LookUpField(cols[i].name)
		if f == nil || f.DBName != cols[i].name || !f.Readable {
			return nil, fmt.Errorf("%w: %s has no field for column %q", errKeyNotLoaded, chunk.Name, cols[i].name)
		}
		cols[i].field = f
	}
	return cols, nil
}

func keyColumn(name string) clause.Column {
	return clause.Column{Table: clause.CurrentTable, Name: name}
}

// keysetOrder is the ORDER BY of every chunk.
func keysetOrder(cols []keyCol) clause.OrderBy {
	o := clause.OrderBy{Columns: make([]clause.OrderByColumn, len(cols))}
	for i, k := range cols {
		o.Columns[i] = clause.OrderByColumn{Column: keyColumn(k.name), Desc: k.desc}
	}
	return o
}

// keysetAfter is the keyset condition "the row sorts after key": for (a, b)
// that is a >= ? AND (a > ? OR (a = ? AND b > ?)), with < for DESC columns.
// The leading, redundant bound lets every engine range-scan an index on a;
// the expanded OR runs on every dialect, SQL Server included, unlike
// row-value comparison.
func keysetAfter(cols []keyCol, key []any) clause.Expression {
	return keysetBound(cols, key, true)
}

// keysetUpTo is the condition "the row sorts at or before key": for (a, b)
// a <= ? AND (a < ? OR (a = ? AND b <= ?)).
func keysetUpTo(cols []keyCol, key []any) clause.Expression {
	return keysetBound(cols, key, false)
}

func keysetBound(cols []keyCol, key []any, beyond bool) clause.Expression {
	// Ascending columns grow beyond the key; DESC columns shrink.
	greater := func(k keyCol) bool { return k.desc != beyond }
	compare := func(i int, orEqual bool) clause.Expression {
		c, v := keyColumn(cols[i].name), key[i]
		switch {
		case greater(cols[i]) && orEqual:
			return clause.Gte{Column: c, Value: v}
		case greater(cols[i]):
			return clause.Gt{Column: c, Value: v}
		case orEqual:
			return clause.Lte{Column: c, Value: v}
		}
		return clause.Lt{Column: c, Value: v}
	}
	last := len(cols) - 1
	if last == 0 {
		return compare(0, !beyond)
	}
	ors := make([]clause.Expression, len(cols))
	for i := range cols {
		and := make([]clause.Expression, 0, i+1)
		for j := range i {
			and = append(and, clause.Eq{Column: keyColumn(cols[j].name), Value: key[j]})
		}
		and = append(and, compare(i, !beyond && i == last))
		if len(and) == 1 {
			ors[i] = and[0]
		} else {
			ors[i] = clause.AndConditions{Exprs: and}
		}
	}
	return clause.AndConditions{Exprs: []clause.Expression{compare(0, true), clause.OrConditions{Exprs: ors}}}
}

// keyOf reads the ordering key of row, a T.
func keyOf(ctx context.Context, cols []keyCol, row reflect.Value) ([]any, error) {
	key := make([]any, len(cols))
	for i, k := range cols {
		v, _ := k.field.ValueOf(ctx, row)
		if isNullKey(v) {
			return nil, fmt.Errorf("%w: column %q", ErrNullKey, k.name)
		}
		key[i] = v
	}
	return key, nil
}

func isNullKey(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// storedKey is the JSON form of a key in gormup_checkpoints.last_key. Cols
// guards against resuming with another ordering.
type storedKey struct {
	Cols []string          `json:"cols"`
	Key  []json.RawMessage `json:"key"`
}

func colNames(cols []keyCol) []string {
	out := make([]string, len(cols))
	for i, k := range cols {
		out[i] = k.String()
	}
	return out
}

func encodeKey(cols []keyCol, key []any) (string, error) {
	s := storedKey{Cols: colNames(cols), Key: make([]json.RawMessage, len(key))}
	for i, v := range key {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("chunk: encoding key column %q for the checkpoint: %w", cols[i].name, err)
		}
		s.Key[i] = b
	}
	b, err := json.Marshal(s)
	return string(b), err
}

// decodeKey parses a stored key into values of the key fields' Go types; ""
// (a fresh checkpoint) is the nil key.
func decodeKey(cols []keyCol, raw string) ([]any, error) {
	if raw == "" {
		return nil, nil
	}
	var s storedKey
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("chunk: reading checkpoint key %q: %w", raw, err)
	}
	if want := colNames(cols); !slices.Equal(s.Cols, want) || len(s.Key) != len(cols) {
		return nil, fmt.Errorf("%w: stored %v, run orders by %v", ErrCheckpointMismatch, s.Cols, want)
	}
	key := make([]any, len(cols))
	for i, k := range cols {
		p := reflect.New(k.field.FieldType)
		if err := json.Unmarshal(s.Key[i], p.Interface()); err != nil {
			return nil, fmt.Errorf("chunk: reading checkpoint key column %q: %w", k.name, err)
		}
		key[i] = p.Elem().Interface()
	}
	return key, nil
}
