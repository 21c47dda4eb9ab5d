package batch

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// checkModel checks that model is a non-nil pointer to a struct (or to a
// slice or array of them).
func checkModel(model any) error {
	if model == nil {
		return ErrNoModel
	}
	rv := reflect.ValueOf(model)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: got %T", ErrBadModel, model)
	}
	et := rv.Type().Elem()
	for et.Kind() == reflect.Slice || et.Kind() == reflect.Array || et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	if et.Kind() != reflect.Struct {
		return fmt.Errorf("%w: got %T", ErrBadModel, model)
	}
	return nil
}

// resolveModel resolves the target of a db.Model-driven call (Update,
// UpdateKeys): the model's schema through db's schema cache and
// the table db writes, db.Table's (qualifier kept) or the model's.
func resolveModel(db *gorm.DB) (*model.Target, error) {
	if err := checkModel(db.Statement.Model); err != nil {
		return nil, err
	}
	return targetError(model.ResolveModel(db))
}

// targetError wraps a resolver error that is neither a mismatch, a table
// refusal nor a version-field error as ErrBadModel.
func targetError(t *model.Target, err error) (*model.Target, error) {
	if err == nil {
		return t, nil
	}
	if errors.Is(err, model.ErrMismatch) || errors.Is(err, model.ErrTable) || errors.Is(err, model.ErrVersionField) {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %w", ErrBadModel, err)
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

// runTx runs fn in a retried transaction (chunker.RunTx): with db.DryRun,
// fn runs once on db without one.
var runTx = chunker.RunTx

// progressTo adapts a progress callback to the chunk loop; nil stays nil.
func progressTo(fn func(chunk.Progress)) func(int, int64, chunker.Clock) {
	if fn == nil {
		return nil
	}
	return func(chunks int, rows int64, c chunker.Clock) {
		p := chunk.Progress{Done: rows, Chunks: int64(chunks), Total: -1, Elapsed: c.Elapsed()}
		p.Rate, p.ETA = chunker.Measure(rows, rows, -1, p.Elapsed)
		fn(p)
	}
}

// statementError turns the chunk loop's failure into a *StatementError.
func statementError(err error) error {
	var e *chunker.Error
	if errors.As(err, &e) {
		return &StatementError{Chunk: e.Chunk, Done: e.Done, Attempts: e.Attempts, Err: e.Err}
	}
	return err
}
