package model

import "errors"

// ErrMismatch is returned by Resolve when db.Model, db.Table and the type
// argument name different tables. The public packages re-export it
// (batch.ErrModelMismatch, updater.ErrModelMismatch) as the same value.
var ErrMismatch = errors.New("gormup: db.Model, db.Table and the type argument name different tables")

// ErrTable is returned by Resolve and Table when db.Table names something
// other than a plain table, optionally qualified by schema or database
// ("accounts", "archive.accounts", `"archive"."accounts"`): an alias, a
// subquery, a table expression with arguments or a quoted name holding a dot
// or a quote. gormup writes only tables it can name exactly; pass the bare
// (qualified) table name to db.Table.
var ErrTable = errors.New("gormup: db.Table must name one table, optionally schema-qualified, without alias or arguments")

// ErrVersionField is returned by FindVersion (and Resolve) when the field
// named as the version, or the one tagged `gormup:"version"`, is missing or
// not an integer. updater.ErrNoVersionField is the same value.
var ErrVersionField = errors.New("gormup: no usable version field")
