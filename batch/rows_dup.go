package batch

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"strings"
	"time"

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
	switch {
	case w.stmt.strategy == dialect.BulkJSONTable:
		ks := w.stmt
		ks.cols, ks.version, ks.json = nil, "", ks.json[:nk]
		rows := make([][]any, len(in.src))
		for i := range rows {
			rows[i] = in.keyVals[i*nk : (i+1)*nk]
		}
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
	case w.d.Family() == dialect.Postgres:
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
			elems := make([]any, len(in.src))
			for i := range elems {
				elems[i] = in.keyVals[i*nk+j]
			}
			lit, err := pgTextArray(elems)
			if err != nil {
				return err
			}
			args = append(args, lit)
		}
		b.WriteString(") WITH ORDINALITY AS " + w.stmt.quote("v") + " (" + names.String() + w.stmt.quote(ordinalAlias) + ") GROUP BY " + group.String() + " HAVING COUNT(*) > 1 LIMIT 1")
		q = b.String()
	default:
		return nil
	}
	var pair []struct{ First, Index int }
	rows, err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var first, index int
		if err := rows.Scan(&first, &index); err != nil {
			return err
		}
		pair = append(pair, struct{ First, Index int }{first - 1, index - 1})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pair) == 0 {
		return nil
	}
	p := pair[0]
	return &KeyError{Index: p.Index, First: p.First, Key: append([]any(nil), in.keyVals[p.Index*nk:(p.Index+1)*nk]...), Err: ErrDuplicateKey}
}

// pgTextArray renders vals as a PostgreSQL array literal of text elements,
// each in the text form the server parses for the column's type.
func pgTextArray(vals []any) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		dv, err := driverValue(v)
		if err != nil {
			return "", err
		}
		var s string
		switch x := dv.(type) {
		case nil:
			b.WriteString("NULL")
			continue
		case time.Time:
			s = x.Format("2006-01-02 15:04:05.999999999Z07:00")
		case []byte:
			s = `\x` + hex.EncodeToString(x)
		case driver.Value:
			s = string(textOf(x, time.UTC))
		}
		b.WriteByte('"')
		for _, c := range []byte(s) {
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
