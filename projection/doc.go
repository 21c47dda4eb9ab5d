// Package projection loads only the columns a DTO needs, typed, validated
// before any SQL is sent, and optionally streamed.
//
//	type AccountBrief struct {
//		ID    int64
//		Email string
//		Owner string `gorm:"column:name"`
//	}
//	rows, err := projection.Find[AccountBrief](ctx, db.Model(&Account{}).Where("active"))
//
// # Mapping
//
// Each exported DTO field maps to a column of the query's model (db.Model):
// a model field of the same Go name gives its column; otherwise the column is
// named by the *gorm.DB's naming strategy; gorm:"column:name" overrides both.
// Embedded structs, and struct fields tagged gorm:"embedded" (with an optional
// embeddedPrefix:), are flattened; fields tagged gorm:"-" and unexported
// fields are ignored. Columns are always qualified with their table, so
// same-named columns of joined tables land in the right field.
//
// The projection tag adds two settings:
//
//	Owner  string `projection:"table:Owner" gorm:"column:name"` // from Joins("Owner")
//	Total  int64  `projection:"expr:COALESCE(SUM(balance), 0)"`  // computed, AS "total"
//
// table: names a relationship of the model (by field name, the alias
// Joins("Owner") uses, or by its table name, for hand-written joins); on a
// nested struct field it applies to all of its fields. expr: selects raw SQL —
// never user input — aliased as the field's column name; it is not validated.
//
// A field that matches no column and declares no expression is an
// ErrUnknownField (a *FieldError naming field, DTO and model), returned before
// the query is sent: there is never a silent SELECT *. The mapping is
// computed once per DTO type, model schema (hence naming strategy) and table,
// and cached weakly: it is dropped with the *gorm.DB's schema cache.
//
// # Parity with GORM's Select + Find
//
// A DTO field tagged gorm:"serializer:json" (gob, unixtime, or any name given
// to schema.RegisterSerializer) is decoded by GORM's own field setter, exactly
// as GORM's Find into the same DTO decodes it; an unregistered serializer, or
// one on a field inside a projection:"table:…" struct, is an
// ErrUnsupportedField before any SQL.
//
// Without db.Model, a query on db.Table("accounts") (or "archive.accounts",
// or with an alias, "accounts AS a") takes the DTO as its model, as GORM's
// db.Table(...).Find(&dtos) does. Its columns are then checked against the
// table's catalog (Migrator().ColumnTypes) before the query: a missing column
// is an ErrUnknownField. A db.Table expression whose columns cannot be looked
// up — a subquery, bound variables — needs db.Model naming the model its
// columns come from, else ErrNoModel. Pluck always needs db.Model.
//
// # Reading
//
// Find returns a slice, First one row (gorm.ErrRecordNotFound when none),
// Each an iter.Seq2 holding one row at a time, Pluck one typed column.
// Rows are scanned straight into the DTO's fields by position, not through
// GORM's reflection-heavy Scan. All accept any *gorm.DB with a Model (or a
// db.Table, above) — a transaction, Where, Order, Limit, Joins, Group,
// Scopes — and take ctx first. Columns and Apply expose the SELECT list for callers running the
// query themselves.
package projection
