package batch

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// parseModel parses model, which must be a non-nil pointer to a struct, with
// db's schema cache and naming strategy.
func parseModel(db *gorm.DB, model any) (*schema.Schema, error) {
	if model == nil {
		return nil, ErrNoModel
	}
	rv := reflect.ValueOf(model)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("%w: got %T", ErrBadModel, model)
	}
	et := rv.Type().Elem()
	for et.Kind() == reflect.Slice || et.Kind() == reflect.Array || et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	if et.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: got %T", ErrBadModel, model)
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return nil, fmt.Errorf("%w: %T: %w", ErrBadModel, model, err)
	}
	return stmt.Schema, nil
}

// tableOf returns the table db writes: db.Table(...) when set, else the
// model's table.
func tableOf(db *gorm.DB, s *schema.Schema) string {
	if db.Statement.Table != "" {
		return db.Statement.Table
	}
	return s.Table
}

// resolveColumns maps names (Go field or column names) to writable,
// non-key fields of s, refusing unknown, read-only, key and repeated names.
func resolveColumns(s *schema.Schema, names []string) ([]*schema.Field, error) {
	if len(names) == 0 {
		return nil, ErrNoColumns
	}
	fields := make([]*schema.Field, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		f := s.LookUpField(name)
		switch {
		case f == nil || f.DBName == "" || !f.Updatable:
			return nil, &ColumnError{Column: name, Model: s.Name, Err: ErrUnknownColumn}
		case f.PrimaryKey:
			return nil, &ColumnError{Column: name, Model: s.Name, Err: ErrPrimaryKeyColumn}
		case seen[f.DBName]:
			return nil, &ColumnError{Column: name, Model: s.Name, Err: ErrDuplicateColumn}
		}
		seen[f.DBName] = true
		fields = append(fields, f)
	}
	return fields, nil
}

// singleKey returns the model's only primary-key field.
func singleKey(s *schema.Schema) (*schema.Field, error) {
	if len(s.PrimaryFields) != 1 {
		return nil, fmt.Errorf("%w: %s has %d primary key columns", ErrNoPrimaryKey, s.Name, len(s.PrimaryFields))
	}
	return s.PrimaryFields[0], nil
}

// runTx runs fn in a retried transaction through txn.RunTx. A DryRun
// session only builds statements, so fn runs once on it without a
// transaction (which DryRun cannot begin without a server).
func runTx(ctx context.Context, db *gorm.DB, p txn.RetryPolicy, fn func(tx *gorm.DB) error) (int, error) {
	if db.DryRun {
		return 1, fn(db.WithContext(ctx))
	}
	return txn.RunTx(ctx, db, p, fn)
}
