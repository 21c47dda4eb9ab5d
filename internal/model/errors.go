package model

import "errors"

// ErrMismatch is returned by Resolve when db.Model, db.Table and the type
// argument name different tables. The public packages re-export it
// (batch.ErrModelMismatch, updater.ErrModelMismatch) as the same value.
var ErrMismatch = errors.New("gormup: db.Model, db.Table and the type argument name different tables")
