package projection

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"reflect"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Columns returns the SELECT list Find, First and Each use for the DTO type T
// on db's model, in DTO field order, quoted for db's dialect: qualified
// columns such as "accounts"."email" (`accounts`.`email` on MySQL, MariaDB and
// SQLite) and computed fields as `SQL AS "alias"`. It sends nothing to the
// database, except the catalog read that checks a Model-less db.Table query
// (see the package doc). It fails with ErrNoModel when db has neither Model
// nor a plain db.Table, ErrNotStruct,
// ErrNoColumns, or a *FieldError wrapping ErrUnknownField, ErrUnknownTable or
// ErrUnsupportedField.
func Columns[T any](db *gorm.DB) ([]string, error) {
	m, err := mappingOf[T](db)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(m.cols))
	for i, c := range m.selectColumns(db) {
		if c.Raw {
			out[i] = c.Name
		} else {
			out[i] = dialect.Quote(db, c.Table+"."+c.Name)
		}
	}
	return out, nil
}

// Apply returns db with its SELECT list replaced by T's projection (see
// Columns), for callers that run the query themselves: db.ToSQL, Rows, or
// GORM's own Scan. Any Select already on db is
// replaced; Distinct is kept. It sends nothing to the database and fails as
// Columns does.
func Apply[T any](db *gorm.DB) (*gorm.DB, error) {
	m, err := mappingOf[T](db)
	if err != nil {
		return nil, err
	}
	return apply(db, m), nil
}

func mappingOf[T any](db *gorm.DB) (*mapping, error) {
	if db == nil {
		return nil, ErrNilDB
	}
	m, _, _, err := mappingFor(db, reflect.TypeFor[T]())
	return m, err
}

func (m *mapping) selectColumns(db *gorm.DB) []clause.Column {
	cols := make([]clause.Column, len(m.cols))
	for i, c := range m.cols {
		if c.expr != "" {
			cols[i] = clause.Column{Name: c.expr + " AS " + dialect.Quote(db, c.name), Raw: true}
		} else {
			cols[i] = clause.Column{Table: c.table, Name: c.name}
		}
	}
	return cols
}

func apply(db *gorm.DB, m *mapping) *gorm.DB {
	return db.Clauses(clause.Select{Distinct: db.Statement.Distinct, Columns: m.selectColumns(db)})
}

// prepare validates T on db's model and returns the query, bound to ctx, and
// the mapping. No SQL is sent.
func prepare[T any](ctx context.Context, db *gorm.DB) (*gorm.DB, *mapping, error) {
	if db == nil {
		return nil, nil, ErrNilDB
	}
	db = db.WithContext(ctx)
	m, err := mappingOf[T](db)
	if err != nil {
		return nil, nil, err
	}
	return apply(db, m), m, nil
}

// Find loads every row db selects as a T, reading only the columns T maps
// (see Columns). db may carry Where, Order, Limit, Offset, Joins, Group,
// Scopes and be a transaction; it must have a Model or a db.Table (see the
// package doc). ctx bounds the query.
// The DTO is validated before any SQL is sent. Find returns an empty, non-nil
// slice when no row matches. A NULL can only be read into a pointer,
// sql.Null* or other sql.Scanner field; into a plain field it is an error.
func Find[T any](ctx context.Context, db *gorm.DB) ([]T, error) {
	q, m, err := prepare[T](ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0)
	err = query(q, func(rows *sql.Rows) error {
		s := newScanner[T](ctx, m)
		var zero T
		for rows.Next() {
			out = append(out, zero)
			if err := s.scan(rows, &out[len(out)-1]); err != nil {
				return scanError[T](err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// First loads the first row db selects as a T. Without an Order on db it
// orders by the model's primary key, like GORM's First; it always adds
// LIMIT 1. When no row matches it returns an error wrapping
// gorm.ErrRecordNotFound. Otherwise it behaves as Find.
func First[T any](ctx context.Context, db *gorm.DB) (T, error) {
	var row T
	q, m, err := prepare[T](ctx, db)
	if err != nil {
		return row, err
	}
	if q, err = firstQuery[T](q); err != nil {
		return row, err
	}
	found := false
	err = query(q, func(rows *sql.Rows) error {
		if !rows.Next() {
			return nil
		}
		found = true
		if err := newScanner[T](ctx, m).scan(rows, &row); err != nil {
			return scanError[T](err)
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("projection: First[%s]: %w", reflect.TypeFor[T]().Name(), gorm.ErrRecordNotFound)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return row, nil
}

// firstQuery orders q by the model's primary key unless q has an ORDER BY,
// and limits it to one row.
func firstQuery[T any](q *gorm.DB) (*gorm.DB, error) {
	if _, ordered := q.Statement.Clauses["ORDER BY"]; !ordered {
		s, table, err := modelOf(q, reflect.TypeFor[T]())
		if err != nil {
			return nil, err
		}
		for _, pk := range s.PrimaryFields {
			q = q.Order(clause.OrderByColumn{Column: clause.Column{Table: table, Name: pk.DBName}})
		}
	}
	return q.Limit(1), nil
}

// Each streams the rows db selects as values of T, holding one row in memory
// at a time (database/sql's Rows underneath). Breaking out of the loop closes
// the rows. Errors — validation (before any SQL), the query, a scan, or ctx
// being cancelled — are yielded once with a zero T, after which the sequence
// ends. The sequence runs the query each time it is iterated. While it runs,
// the connection is busy: on a transaction, finish the loop before issuing
// other statements on it.
func Each[T any](ctx context.Context, db *gorm.DB) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		q, m, err := prepare[T](ctx, db)
		if err != nil {
			yield(zero, err)
			return
		}
		rows, err := q.Rows()
		if err != nil {
			yield(zero, fmt.Errorf("projection: %w", err))
			return
		}
		defer rows.Close()
		s := newScanner[T](ctx, m)
		row := new(T)
		for rows.Next() {
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("projection: %w", err))
				return
			}
			*row = zero
			if err := s.scan(rows, row); err != nil {
				yield(zero, scanError[T](err))
				return
			}
			if !yield(*row, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("projection: %w", err))
		}
	}
}

// Pluck loads one column of the rows db selects as values of V. column is a
// model field name or column name (it is qualified with the model's table);
// anything else is a *FieldError wrapping ErrUnknownField, returned before
// any SQL is sent. V is any type database/sql can scan into: string, int64,
// time.Time, a pointer (NULL becomes nil), sql.Null*, or a sql.Scanner. It
// returns an empty, non-nil slice when no row matches.
func Pluck[V any](ctx context.Context, db *gorm.DB, column string) ([]V, error) {
	if db == nil {
		return nil, ErrNilDB
	}
	q, err := pluckQuery[V](db.WithContext(ctx), column)
	if err != nil {
		return nil, err
	}
	out := make([]V, 0)
	err = query(q, func(rows *sql.Rows) error {
		var zero V
		for rows.Next() {
			out = append(out, zero)
			if err := rows.Scan(&out[len(out)-1]); err != nil {
				return scanError[V](err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pluckQuery validates column on db's model and selects it alone.
func pluckQuery[V any](db *gorm.DB, column string) (*gorm.DB, error) {
	s, table, err := modelOf(db, nil)
	if err != nil {
		return nil, err
	}
	f := s.LookUpField(column)
	if f == nil || f.DBName == "" {
		name := reflect.TypeFor[V]().String()
		return nil, &FieldError{DTO: name, Model: s.Name, Field: column, Column: column, Table: table, Err: ErrUnknownField}
	}
	return db.Clauses(clause.Select{Distinct: db.Statement.Distinct, Columns: []clause.Column{{Table: table, Name: f.DBName}}}), nil
}

// query runs q, hands its rows to read and closes them, returning the first
// error of the query, read, iteration or close.
func query(q *gorm.DB, read func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("projection: %w", err)
	}
	if err := read(rows); err != nil {
		rows.Close()
		return err
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("projection: %w", err)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("projection: %w", err)
	}
	return nil
}

func scanError[T any](err error) error {
	return fmt.Errorf("projection: scanning into %s: %w", reflect.TypeFor[T]().String(), err)
}
