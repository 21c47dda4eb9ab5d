package batch

import (
	"context"
	"reflect"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// serverDuplicates refuses, with a *KeyError wrapping ErrDuplicateKey, two
// input rows whose keys the database calls equal although Go does not: a
// case-insensitive MySQL collation ('a' and 'A'), trailing spaces under a
// PAD SPACE collation or a PostgreSQL character(n) key. It asks the server
// in one statement over every input key (GROUP BY in the column's own
// collation and type), and only when a key column holds text; other keys
// compare in Go as on the server. SQLite (BINARY collation) and SQL Server
// are left to the Go check.
func (w *rowWriter) serverDuplicates(ctx context.Context, db *gorm.DB, in *input) error {
	text := false
	for _, f := range w.keys {
		text = text || f.GORMDataType == schema.String
	}
	if !text || db.DryRun || len(in.src) < 2 {
		return nil
	}
	nk := len(w.keys)
	var q string
	var args []any
	rows := make([][]any, len(in.src))
	for i := range rows {
		rows[i] = in.keyVals[i*nk : (i+1)*nk]
	}
	switch {
	case w.stmt.strategy == dialect.BulkJSONTable:
		ks := w.stmt
		ks.cols, ks.version, ks.json = nil, "", ks.json[:nk]
		doc, err := ks.jsonDoc(rows)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("SELECT MIN(" + ks.quote(ordinalAlias) + "), MAX(" + ks.quote(ordinalAlias) + ") FROM ")
		ks.writeJSONTable(&b)
		b.WriteString(" AS " + ks.quote("v") + " GROUP BY ")
		for j := range nk {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ks.ref(j))
		}
		b.WriteString(" HAVING COUNT(*) > 1 LIMIT 1")
		q, args = b.String(), []any{doc}
	case w.stmt.strategy == dialect.BulkUnnest:
		// unnest of one text array per key column, each element cast to
		// the column's type: character(n) compares without trailing blanks.
		var b, names, group strings.Builder
		b.WriteString("SELECT MIN(" + w.stmt.quote(ordinalAlias) + "), MAX(" + w.stmt.quote(ordinalAlias) + ") FROM unnest(")
		for j, f := range w.keys {
			if j > 0 {
				b.WriteString(", ")
				group.WriteString(", ")
			}
			b.WriteString("CAST(? AS text[])")
			names.WriteString(w.stmt.quote(f.DBName) + ", ")
			group.WriteString(w.stmt.quote("v") + "." + w.stmt.quote(f.DBName) + "::" + w.stmt.casts[j])
			lit, err := appendPGArray(nil, rows, j, w.stmt.casts[j])
			if err != nil {
				return &ColumnError{Column: f.DBName, Model: w.s.Name, Err: err}
			}
			args = append(args, string(lit))
		}
		b.WriteString(") WITH ORDINALITY AS " + w.stmt.quote("v") + " (" + names.String() + w.stmt.quote(ordinalAlias) + ") GROUP BY " + group.String() + " HAVING COUNT(*) > 1 LIMIT 1")
		q = b.String()
	default:
		return nil
	}
	cur, err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer cur.Close()
	if !cur.Next() {
		return cur.Err()
	}
	var first, index int
	if err := cur.Scan(&first, &index); err != nil {
		return err
	}
	first, index = first-1, index-1
	return &KeyError{Index: index, First: first, Key: append([]any(nil), in.keyVals[index*nk:(index+1)*nk]...), Err: ErrDuplicateKey}
}

// keysDuplicates is serverDuplicates for UpdateKeys' keys of its single
// text key column pk: two keys the database calls equal would match one row
// in two IN lists (written and counted twice) and are refused as the same
// key twice is.
func keysDuplicates[K comparable](ctx context.Context, db *gorm.DB, d *dialect.Dialect, s *schema.Schema, table string, pk *schema.Field, keys []K) error {
	if pk.GORMDataType != schema.String || db.DryRun || len(keys) < 2 {
		return nil
	}
	w := &rowWriter{d: d, s: s, table: table, keys: []*schema.Field{pk}}
	if err := w.prepare(ctx, db); err != nil {
		return err
	}
	in := &input{ctx: ctx, src: make([]reflect.Value, len(keys)), keyVals: make([]any, len(keys))}
	for i, k := range keys {
		in.keyVals[i] = k
	}
	return w.serverDuplicates(ctx, db, in)
}
