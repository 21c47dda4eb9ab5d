// Package model turns a *gorm.DB and the type a generic gormup function was
// called with into the one target every entry point writes: the table with
// its schema qualifier, GORM's parsed schema, the primary key, the version,
// soft-delete and auto-update-time fields, and the caller's own conditions.
//
//	t, err := model.Resolve[Account](db) // db.Model/db.Table/T must agree
//	q := t.Bound(db, clause.IN{...})    // (caller's conditions) AND bound
//
// It is the one place gormup decides which table a call writes and the one
// place a library bound is ANDed onto a caller's conditions: the caller's
// WHERE expressions are grouped first, so an Or(...) or a raw condition with
// a newline before OR cannot escape the bound.
package model
