package model

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Target is what one call writes, resolved once per call.
//
// CONTRACT (lead): fields may be added; these names and meanings are shared
// by updater, batch, hooks, projection and index.
type Target struct {
	// Schema is GORM's parsed schema of the row type.
	Schema *schema.Schema
	// Table is the table written, with its schema/database qualifier when the
	// caller gave one ("archive.accounts"); usable as db.Table(t.Table) and
	// clause.Table{Name: t.Table} (GORM quotes each dotted part).
	Table string
	// PrimaryKey is the primary-key fields in schema order; never empty after
	// a successful Resolve that requires a key.
	PrimaryKey []*schema.Field
	// Version is the version field (`gormup:"version"`, an
	// optimisticlock.Version, or the one named by the caller); nil if none.
	Version *schema.Field
	// SoftDelete is the soft-delete field (gorm.DeletedAt or a type with
	// soft-delete query clauses); nil if none.
	SoftDelete *schema.Field
	// AutoUpdateTime is the writable autoUpdateTime fields.
	AutoUpdateTime []*schema.Field
	// Unscoped is db.Statement.Unscoped: soft-deleted rows are written too.
	Unscoped bool
	// Conds is the caller's WHERE expressions as GORM built them, in order;
	// nil without conditions.
	Conds []clause.Expression
}

// VersionIncrement is the assignment every gormup write makes to a version
// column: version = COALESCE(version, 0) + 1, set-based, so a NULL version
// becomes 1.
func VersionIncrement(f *schema.Field) clause.Assignment {
	return clause.Assignment{
		Column: clause.Column{Name: f.DBName},
		Value:  gorm.Expr("COALESCE(?, 0) + 1", clause.Column{Table: clause.CurrentTable, Name: f.DBName}),
	}
}
