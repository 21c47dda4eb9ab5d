package baseline

import (
	"context"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// loadTable is the temporary table BulkLoad fills.
const loadTable = "gormup_baseline_load"

// BulkLoad updates rows — each holding the key then one value per column —
// the way a careful engineer with a bulk-load path writes it by hand: load
// every row into a temporary table, then one UPDATE joined to it, all in
// one transaction.
//
//   - PostgreSQL: COPY through pgx's CopyFrom (binary protocol) into a
//     temporary table dropped at commit, on the pgx connection reached
//     through database/sql's Conn.Raw, then UPDATE … FROM it;
//   - MySQL/MariaDB: a temporary table filled by multi-row INSERTs of
//     ChunkRows rows, then UPDATE … JOIN it. LOAD DATA LOCAL INFILE would
//     need the server's local_infile and go-sql-driver's package-global
//     RegisterReaderHandler, so it is not the form measured here;
//   - other dialects: HandWritten.
func BulkLoad(ctx context.Context, db *gorm.DB, t Table, rows [][]any) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case d.Family() == dialect.Postgres:
		return t.copyLoad(ctx, db, rows)
	case d.Family().IsMySQL():
		return t.insertLoad(ctx, db, rows)
	}
	return HandWritten(ctx, db, t, rows)
}

// loadColumns returns the temporary table's column definitions: Types,
// which are PostgreSQL cast names; on MySQL every type but bigint becomes
// varchar(1024) (the bench's values are integers and short strings, and
// MySQL needs a varchar's length).
func (t Table) loadColumns(mysql bool) string {
	names := append([]string{t.Key}, t.Columns...)
	defs := make([]string, len(names))
	for j, n := range names {
		typ := t.Types[j]
		if mysql && typ != "bigint" {
			typ = "varchar(1024)"
		}
		defs[j] = n + " " + typ
	}
	return strings.Join(defs, ", ")
}

// joinSet returns "c1 = v.c1, …" for the UPDATE, qualified with the table
// name when qualify (MySQL's UPDATE … JOIN).
func (t Table) joinSet(qualify bool) string {
	set := make([]string, len(t.Columns))
	for j, c := range t.Columns {
		if qualify {
			set[j] = t.Name + "." + c + " = v." + c
		} else {
			set[j] = c + " = v." + c
		}
	}
	return strings.Join(set, ", ")
}

func (t Table) copyLoad(ctx context.Context, db *gorm.DB, rows [][]any) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("baseline: COPY needs pgx's database/sql driver, got %T", dc)
		}
		tx, err := pc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, "CREATE TEMPORARY TABLE "+loadTable+" ("+t.loadColumns(false)+") ON COMMIT DROP"); err != nil {
			return err
		}
		names := append([]string{t.Key}, t.Columns...)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{loadTable}, names, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		set := t.joinSet(false)
		var args []any
		if t.Stamp != "" {
			set = t.Stamp + " = $1, " + set
			args = append(args, StampTime)
		}
		q := "UPDATE " + t.Name + " SET " + set + " FROM " + loadTable + " AS v WHERE " + t.Name + "." + t.Key + " = v." + t.Key
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

func (t Table) insertLoad(ctx context.Context, db *gorm.DB, rows [][]any) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A failed earlier call may have left the table on this pooled
		// connection.
		if err := tx.Exec("DROP TEMPORARY TABLE IF EXISTS " + loadTable).Error; err != nil {
			return err
		}
		if err := tx.Exec("CREATE TEMPORARY TABLE " + loadTable + " (" + t.loadColumns(true) + ", PRIMARY KEY (" + t.Key + "))").Error; err != nil {
			return err
		}
		width := 1 + len(t.Columns)
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
		for _, r := range dialect.Split(len(rows), ChunkRows) {
			chunk := rows[r[0]:r[1]]
			var b strings.Builder
			b.WriteString("INSERT INTO " + loadTable + " VALUES ")
			args := make([]any, 0, len(chunk)*width)
			for i, row := range chunk {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(tuple)
				args = append(args, row...)
			}
			if err := tx.Exec(b.String(), args...).Error; err != nil {
				return err
			}
		}
		set := t.joinSet(true)
		var args []any
		if t.Stamp != "" {
			set = t.Name + "." + t.Stamp + " = ?, " + set
			args = append(args, StampTime)
		}
		q := "UPDATE " + t.Name + " JOIN " + loadTable + " AS v ON " + t.Name + "." + t.Key + " = v." + t.Key + " SET " + set
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
		return tx.Exec("DROP TEMPORARY TABLE " + loadTable).Error
	})
}
