package projection

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns for a bad DTO or query
// wraps one of them, so errors.Is works; a *FieldError carries the details.
var (
	// ErrNilDB is returned by every function of the package, before anything
	// runs, when db is nil.
	ErrNilDB = errors.New("projection: nil *gorm.DB")

	// ErrNoModel is returned when the query has no model to project from:
	// neither db.Model nor a plain db.Table(NAME) (a table expression such as
	// a subquery needs db.Model; Pluck always does). Call db.Model(&Model{})
	// first. Nothing is sent to the database.
	ErrNoModel = errors.New("projection: the query has no model (use db.Model)")

	// ErrNotStruct is returned when the DTO type T is not a struct (Find,
	// First, Each, Columns, Apply). Nothing is sent to the database.
	ErrNotStruct = errors.New("projection: DTO type is not a struct")

	// ErrNoColumns is returned when the DTO has no field that maps to a
	// column or expression (every field is unexported or tagged gorm:"-").
	ErrNoColumns = errors.New("projection: DTO has no columns")

	// ErrUnknownField is returned, inside a *FieldError, when a DTO field has
	// no matching column on the model (or on the joined table it names) and
	// declares no expression. Nothing is sent to the database.
	ErrUnknownField = errors.New("projection: DTO field has no matching column")

	// ErrUnknownTable is returned, inside a *FieldError, when a field's
	// projection:"table:NAME" names neither the model's table nor one of its
	// relationships (by field name, as Joins("Owner") aliases it, or by the
	// related table's name).
	ErrUnknownTable = errors.New("projection: DTO field names an unknown table")

	// ErrUnsupportedField is returned, inside a *FieldError, for a field the
	// package cannot scan into: a struct that is neither embedded, nor tagged
	// gorm:"embedded" or projection:"table:…", nor a sql.Scanner or
	// time.Time; an embedded pointer to a struct; or a malformed projection
	// tag.
	ErrUnsupportedField = errors.New("projection: unsupported DTO field")
)

// FieldError reports which DTO field could not be mapped, on which model.
type FieldError struct {
	// DTO is the DTO type's name, e.g. "AccountBrief".
	DTO string
	// Model is the model's name, e.g. "Account".
	Model string
	// Field is the field's path in the DTO, e.g. "Audit.CreatedAt".
	Field string
	// Column is the column the field was looked up as ("" when the error is
	// not about a column).
	Column string
	// Table is the table the column was looked up on.
	Table string
	// Reason says why an unsupported field was refused ("" otherwise).
	Reason string
	// Err is the sentinel: ErrUnknownField, ErrUnknownTable or
	// ErrUnsupportedField.
	Err error
}

func (e *FieldError) Error() string {
	switch e.Err {
	case ErrUnknownField:
		return fmt.Sprintf("%v: %s.%s (column %q) on model %s (table %q)", e.Err, e.DTO, e.Field, e.Column, e.Model, e.Table)
	case ErrUnknownTable:
		return fmt.Sprintf("%v: %s.%s reads table %q, which is not model %s nor one of its relationships", e.Err, e.DTO, e.Field, e.Table, e.Model)
	}
	return fmt.Sprintf("%v: %s.%s (model %s): %s", e.Err, e.DTO, e.Field, e.Model, e.Reason)
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }
