package batch

import (
	"context"
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
//
// On MySQL and MariaDB the keys travel as one JSON document, which the
// server's max_allowed_packet bounds (16 MiB by default on MariaDB): keys of
// more than dupPieceBytes are checked in pieces, every two pieces together
// (p pieces take p(p-1)/2 queries), so that no document passes twice
// dupPieceBytes.
func (w *rowWriter) serverDuplicates(ctx context.Context, db *gorm.DB, in *input) error {
	if !w.textKey() || db.DryRun || in.n < 2 {
		return nil
	}
	return w.serverDuplicateKeys(ctx, db, w.allKeys(in))
}

// textKey reports whether a key column holds text.
func (w *rowWriter) textKey() bool {
	for _, f := range w.keys {
		if f.GORMDataType == schema.String {
			return true
		}
	}
	return false
}

// serverDuplicateKeys is serverDuplicates over keys, the key values of
// every input row one after the other.
func (w *rowWriter) serverDuplicateKeys(ctx context.Context, db *gorm.DB, keys []any) error {
	nk := len(w.keys)
	if w.stmt.strategy != dialect.BulkJSONTable {
		return w.serverDuplicatesOf(ctx, db, keys)
	}
	pieces := keyPieces(keys, nk, dupPieceBytes)
	if len(pieces) == 1 {
		return w.serverDuplicatesOf(ctx, db, keys)
	}
	for i := range pieces {
		for j := i + 1; j < len(pieces); j++ {
			// The rows of pieces i and j, and their positions in keys.
			var pos []int
			var sub []any
			for _, p := range [][2]int{pieces[i], pieces[j]} {
				for r := p[0]; r < p[1]; r++ {
					pos = append(pos, r)
				}
				sub = append(sub, keys[p[0]*nk:p[1]*nk]...)
			}
			err := w.serverDuplicatesOf(ctx, db, sub)
			if ke, ok := err.(*KeyError); ok {
				ke.Index, ke.First = pos[ke.Index], pos[ke.First]
				if ke.First > ke.Index {
					ke.Index, ke.First = ke.First, ke.Index
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// dupPieceBytes bounds the JSON text of one piece of keys a duplicate
// check sends on MySQL and MariaDB; a query carries two pieces at most.
const dupPieceBytes = 6 << 20

// keyPieces splits the rows of keyVals (nk values per row) into runs whose
// keys take about limit bytes of JSON text each.
func keyPieces(keyVals []any, nk, limit int) [][2]int {
	var pieces [][2]int
	start, size := 0, 0
	for r := 0; r < len(keyVals)/nk; r++ {
		n := 4
		for _, v := range keyVals[r*nk : (r+1)*nk] {
			n += jsonSize(v)
		}
		if size > 0 && size+n > limit {
			pieces = append(pieces, [2]int{start, r})
			start, size = r, 0
		}
		size += n
	}
	return append(pieces, [2]int{start, len(keyVals) / nk})
}

// jsonSize is an upper bound of the JSON text of one key value: text
// escaped, bytes hex-encoded, anything else 32 bytes.
func jsonSize(v any) int {
	switch x := v.(type) {
	case string:
		n := 3
		for i := 0; i < len(x); i++ {
			switch c := x[i]; {
			case c == '"' || c == '\\':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
		}
		return n
	case []byte:
		return 2*len(x) + 3
	}
	return 32
}

// serverDuplicatesOf is serverDuplicateKeys in one query.
func (w *rowWriter) serverDuplicatesOf(ctx context.Context, db *gorm.DB, keys []any) error {
	nk := len(w.keys)
	var q string
	var args []any
	rows := make([][]any, len(keys)/nk)
	for i := range rows {
		rows[i] = keys[i*nk : (i+1)*nk : (i+1)*nk]
	}
	switch {
	case w.stmt.strategy == dialect.BulkJSONTable:
		ks := w.stmt
		ks.cols, ks.version, ks.json = nil, "", ks.json[:nk]
		doc, err := ks.appendJSONDoc(nil, rows)
		if err != nil {
			return err
		}
		var b strings.Builder
		b.WriteString("SELECT MIN(" + ks.quote(ks.as.ordinal) + "), MAX(" + ks.quote(ks.as.ordinal) + ") FROM ")
		ks.writeJSONTable(&b, true)
		b.WriteString(" AS " + ks.quote(ks.as.v) + " GROUP BY ")
		for j := range nk {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ks.ref(j))
		}
		b.WriteString(" HAVING COUNT(*) > 1 LIMIT 1")
		q, args = b.String(), []any{string(doc)}
	case w.stmt.strategy == dialect.BulkUnnest:
		// unnest of one text array per key column, each element cast to
		// the column's type: character(n) compares without trailing blanks.
		var b, names, group strings.Builder
		b.WriteString("SELECT MIN(" + w.stmt.quote(w.stmt.as.ordinal) + "), MAX(" + w.stmt.quote(w.stmt.as.ordinal) + ") FROM unnest(")
		for j, f := range w.keys {
			if j > 0 {
				b.WriteString(", ")
				group.WriteString(", ")
			}
			b.WriteString("CAST(? AS text[])")
			names.WriteString(w.stmt.quote(f.DBName) + ", ")
			group.WriteString(w.stmt.quote(w.stmt.as.v) + "." + w.stmt.quote(f.DBName) + "::" + w.stmt.casts[j])
			lit, err := appendPGArray(nil, rows, j, w.stmt.casts[j])
			if err != nil {
				return &ColumnError{Column: f.DBName, Model: w.s.Name, Err: err}
			}
			args = append(args, string(lit))
		}
		b.WriteString(") WITH ORDINALITY AS " + w.stmt.quote(w.stmt.as.v) + " (" + names.String() + w.stmt.quote(w.stmt.as.ordinal) + ") GROUP BY " + group.String() + " HAVING COUNT(*) > 1 LIMIT 1")
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
	return &KeyError{Index: index, First: first, Key: append([]any(nil), rows[index]...), Err: ErrDuplicateKey}
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
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = k
	}
	return w.serverDuplicateKeys(ctx, db, vals)
}
