// Package baseline holds the ways of updating rows that gormup is measured
// against: GORM's naive recipes and the best hand-written SQL per dialect.
// Benchmarks and examples/bench share it, so every figure compares against the
// same code. It is not part of gormup's API.
package baseline

import (
	"context"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// Table describes the rows a per-row-values update writes: Key is the
// primary-key column, Columns the columns written, and Types their SQL types
// for PostgreSQL casts (Key's type first).
type Table struct {
	Name    string
	Key     string
	Columns []string
	Types   []string
	// Stamp, if set, is a column every strategy sets to the same time value
	// per call (the model's UpdatedAt), so all strategies write the same
	// columns as batch.UpdateRows does.
	Stamp string
}

// ChunkRows is the batch size of the chunked strategies, the figure DESIGN.md
// measured (2000 rows per statement).
const ChunkRows = 2000

// ValuesJoin updates rows — each holding the key then one value per column —
// with the VALUES join most hand-written code uses (and UpdateRows' first
// version): PostgreSQL UPDATE … FROM (VALUES …) with casts, MySQL/MariaDB
// JOIN of a UNION ALL derived table, SQLite UPDATE … FROM (VALUES …), SQL
// Server UPDATE … FROM … JOIN (VALUES …); ChunkRows rows per statement (fewer
// when the parameter limit requires), all in one transaction. HandWritten is
// the stronger form.
func ValuesJoin(ctx context.Context, db *gorm.DB, t Table, rows [][]any) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	size := min(ChunkRows, d.ChunkSize(len(t.Columns)+1, 0))
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range dialect.Split(len(rows), size) {
			q, args := valuesJoin(d.Family(), t, rows[r[0]:r[1]])
			q, args = t.stamp(q, args, d.Family().IsMySQL())
			if err := tx.Exec(q, args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func valuesJoin(f dialect.Family, t Table, rows [][]any) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(rows)*(len(t.Columns)+1))
	for _, row := range rows {
		args = append(args, row...)
	}
	names := append([]string{t.Key}, t.Columns...)
	switch f {
	case dialect.MySQL, dialect.MariaDB:
		fmt.Fprintf(&b, "UPDATE %s JOIN (", t.Name)
		for i := range rows {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString("SELECT ")
			for j, n := range names {
				if j > 0 {
					b.WriteString(", ")
				}
				if i == 0 {
					fmt.Fprintf(&b, "? AS %s", n)
				} else {
					b.WriteString("?")
				}
			}
		}
		fmt.Fprintf(&b, ") v ON %s.%s = v.%s SET ", t.Name, t.Key, t.Key)
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s.%s = v.%s", t.Name, c, c)
		}
		return b.String(), args
	case dialect.SQLite:
		fmt.Fprintf(&b, "UPDATE %s SET ", t.Name)
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s = v.column%d", c, j+2)
		}
		b.WriteString(" FROM (VALUES ")
		writeTuples(&b, rows, len(names), nil)
		fmt.Fprintf(&b, ") AS v WHERE %s.%s = v.column1", t.Name, t.Key)
		return b.String(), args
	case dialect.SQLServer:
		fmt.Fprintf(&b, "UPDATE %s SET ", t.Name)
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s = v.%s", c, c)
		}
		fmt.Fprintf(&b, " FROM %s JOIN (VALUES ", t.Name)
		writeTuples(&b, rows, len(names), nil)
		fmt.Fprintf(&b, ") AS v(%s) ON %s.%s = v.%s", strings.Join(names, ", "), t.Name, t.Key, t.Key)
		return b.String(), args
	}
	// PostgreSQL: untyped parameters in VALUES become text, so cast each.
	fmt.Fprintf(&b, "UPDATE %s SET ", t.Name)
	for j, c := range t.Columns {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = v.%s", c, c)
	}
	b.WriteString(" FROM (VALUES ")
	writeTuples(&b, rows, len(names), t.Types)
	fmt.Fprintf(&b, ") AS v(%s) WHERE %s.%s = v.%s", strings.Join(names, ", "), t.Name, t.Key, t.Key)
	return b.String(), args
}

func writeTuples(b *strings.Builder, rows [][]any, width int, casts []string) {
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
			if casts != nil {
				b.WriteString("::" + casts[j])
			}
		}
		b.WriteByte(')')
	}
}

// CaseWhen updates rows the way Django's bulk_update does: one statement per
// ChunkRows rows, each column set with CASE key WHEN … THEN … END and the rows
// picked with key IN (…), all in one transaction.
func CaseWhen(ctx context.Context, db *gorm.DB, t Table, rows [][]any) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	// Each row costs 2 parameters per column plus one for the IN list.
	size := min(ChunkRows, d.ChunkSize(2*len(t.Columns)+1, 0))
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range dialect.Split(len(rows), size) {
			q, args := caseWhen(d.Family(), t, rows[r[0]:r[1]])
			q, args = t.stamp(q, args, false)
			if err := tx.Exec(q, args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func caseWhen(f dialect.Family, t Table, rows [][]any) (string, []any) {
	var b strings.Builder
	var args []any
	fmt.Fprintf(&b, "UPDATE %s SET ", t.Name)
	for j, c := range t.Columns {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = CASE %s", c, t.Key)
		for _, row := range rows {
			b.WriteString(" WHEN ? THEN ?")
			if f == dialect.Postgres {
				b.WriteString("::" + t.Types[j+1])
			}
			args = append(args, row[0], row[j+1])
		}
		b.WriteString(" END")
	}
	fmt.Fprintf(&b, " WHERE %s IN (", t.Key)
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
		args = append(args, row[0])
	}
	b.WriteByte(')')
	return b.String(), args
}

// UpdatesPerRow is the common "one transaction, Updates per row" recipe:
// set(i) returns row i's model pointer (with its primary key set) and the
// column values to write.
func UpdatesPerRow(ctx context.Context, db *gorm.DB, n int, set func(i int) (model any, values map[string]any)) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range n {
			model, values := set(i)
			if err := tx.Model(model).Updates(values).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// FirstSave is GORM's naive fetch-modify-save, one autocommit statement each:
// key(i) returns row i's primary key, change(i, row) mutates the loaded row,
// and Save writes every column back.
func FirstSave[T any](ctx context.Context, db *gorm.DB, n int, key func(i int) any, change func(i int, row *T)) error {
	db = db.WithContext(ctx)
	for i := range n {
		var row T
		if err := db.First(&row, key(i)).Error; err != nil {
			return err
		}
		change(i, &row)
		if err := db.Save(&row).Error; err != nil {
			return err
		}
	}
	return nil
}
