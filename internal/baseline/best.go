package baseline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// StampTime is the value every strategy writes to Table.Stamp: one fixed
// time per process, so strategies are comparable and the value is exact at
// every column precision.
var StampTime = time.Now().UTC().Truncate(time.Second)

// stamp inserts "stamp = ?" at the start of the SET list of an UPDATE built
// by this package and places its argument: first when the SET list's
// placeholders come first (afterJoin false), last when the SET list follows
// a JOIN's placeholders (MySQL's UPDATE … JOIN … SET).
func (t Table) stamp(q string, args []any, afterJoin bool) (string, []any) {
	if t.Stamp == "" {
		return q, args
	}
	set := " SET "
	i := strings.Index(q, set) + len(set)
	if afterJoin {
		return q[:i] + t.Name + "." + t.Stamp + " = ?, " + q[i:], append(args, StampTime)
	}
	return q[:i] + t.Stamp + " = ?, " + q[i:], append([]any{StampTime}, args...)
}

// HandWritten updates rows — each holding the key then one value per column —
// with the strongest statement a careful engineer writes by hand for the
// dialect without extra privileges, ChunkRows rows per statement, all in one
// transaction:
//
//   - PostgreSQL: UPDATE … FROM unnest($1::bigint[], …) AS v(…) WHERE
//     t.id = v.id AND t.id = ANY($1::bigint[]), one text array literal per
//     column (the ANY lets the planner read the rows by index);
//   - MySQL/MariaDB: UPDATE … JOIN JSON_TABLE(?, …) with one JSON document
//     (encoding/json) per chunk;
//   - SQLite: the full-chunk UPDATE … FROM (VALUES …) prepared once per
//     transaction (database/sql Tx.Prepare), the last short chunk executed;
//   - SQL Server: the VALUES join of ValuesJoin.
func HandWritten(ctx context.Context, db *gorm.DB, t Table, rows [][]any) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	switch d.Bulk() {
	case dialect.BulkUnnest:
		return chunked(ctx, db, len(rows), ChunkRows, func(tx *gorm.DB, lo, hi int) error {
			q, args := t.unnest(rows[lo:hi])
			return tx.Exec(q, args...).Error
		})
	case dialect.BulkJSONTable:
		return chunked(ctx, db, len(rows), ChunkRows, func(tx *gorm.DB, lo, hi int) error {
			q, args, err := t.jsonTable(rows[lo:hi])
			if err != nil {
				return err
			}
			return tx.Exec(q, args...).Error
		})
	case dialect.BulkValuesColumnN:
		return t.preparedValues(ctx, db, d, rows)
	}
	return ValuesJoin(ctx, db, t, rows)
}

// chunked runs fn per [lo, hi) chunk of n rows in one transaction.
func chunked(ctx context.Context, db *gorm.DB, n, size int, fn func(tx *gorm.DB, lo, hi int) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range dialect.Split(n, size) {
			if err := fn(tx, r[0], r[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// textArray is a PostgreSQL array literal of column j's values (integers and
// strings, the bench's types).
func textArray(rows [][]any, j int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		switch v := r[j].(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			b.WriteString(strconv.Quote(fmt.Sprint(v)))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (t Table) unnest(rows [][]any) (string, []any) {
	names := append([]string{t.Key}, t.Columns...)
	var b strings.Builder
	var args []any
	fmt.Fprintf(&b, "UPDATE %s SET ", t.Name)
	if t.Stamp != "" {
		fmt.Fprintf(&b, "%s = ?, ", t.Stamp)
		args = append(args, StampTime)
	}
	for j, c := range t.Columns {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = v.%s", c, c)
	}
	b.WriteString(" FROM unnest(")
	for j := range names {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "CAST(? AS text)::%s[]", t.Types[j])
		args = append(args, textArray(rows, j))
	}
	fmt.Fprintf(&b, ") AS v(%s) WHERE %s.%s = v.%s AND %s.%s = ANY(CAST(? AS text)::%s[])",
		strings.Join(names, ", "), t.Name, t.Key, t.Key, t.Name, t.Key, t.Types[0])
	return b.String(), append(args, args[len(args)-len(names)])
}

func (t Table) jsonTable(rows [][]any) (string, []any, error) {
	doc, err := json.Marshal(rows)
	if err != nil {
		return "", nil, err
	}
	names := append([]string{t.Key}, t.Columns...)
	var b strings.Builder
	fmt.Fprintf(&b, "UPDATE %s JOIN JSON_TABLE(?, '$[*]' COLUMNS (", t.Name)
	for j, n := range names {
		if j > 0 {
			b.WriteString(", ")
		}
		typ := "BIGINT"
		if t.Types[j] != "bigint" {
			typ = "LONGTEXT"
		}
		fmt.Fprintf(&b, "%s %s PATH '$[%d]'", n, typ, j)
	}
	fmt.Fprintf(&b, ")) AS v ON %s.%s = v.%s SET ", t.Name, t.Key, t.Key)
	args := []any{string(doc)}
	for j, c := range t.Columns {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s.%s = v.%s", t.Name, c, c)
	}
	if t.Stamp != "" {
		fmt.Fprintf(&b, ", %s.%s = ?", t.Name, t.Stamp)
		args = append(args, StampTime)
	}
	return b.String(), args, nil
}

// preparedValues runs SQLite's VALUES join with the full-chunk statement
// prepared once on the transaction.
func (t Table) preparedValues(ctx context.Context, db *gorm.DB, d *dialect.Dialect, rows [][]any) error {
	size := min(ChunkRows, d.ChunkSize(len(t.Columns)+1, 1))
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var stmt *sql.Stmt
		for _, r := range dialect.Split(len(rows), size) {
			q, args := valuesJoin(d.Family(), t, rows[r[0]:r[1]])
			q, args = t.stamp(q, args, false)
			if r[1]-r[0] < size {
				if err := tx.Exec(q, args...).Error; err != nil {
					return err
				}
				continue
			}
			if stmt == nil {
				var err error
				if stmt, err = tx.Statement.ConnPool.PrepareContext(ctx, q); err != nil {
					return err
				}
				defer stmt.Close()
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		return nil
	})
}
