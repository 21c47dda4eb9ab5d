package hooks

import (
	"context"

	"gorm.io/gorm"
)

// Change is one column write made through gormup: updater reports the columns
// it changed with their old values, batch.UpdateRows the columns it writes per
// row, batch.Update its assignments (with no key: the write is set-based).
type Change struct {
	// Table is the table written.
	Table string
	// Key holds the primary key values of the row, in schema order; nil for a
	// set-based write, whose rows are only known by Where.
	Key []any
	// Where is the SQL condition of a set-based write (batch.Update), with its
	// bind variables inlined as GORM's logger renders them; empty otherwise.
	Where string
	// Column is the column written.
	Column string
	// Old is the value before the write; meaningful only when OldKnown.
	Old any
	// OldKnown reports whether Old holds the value before the write. It is
	// true for updater's changes, which read the row first, and false for
	// batch's, which write without reading.
	OldKnown bool
	// New is the value written: a Go value or a GORM expression (clause.Expr).
	New any
}

// settingChanges is the gorm.Statement setting under which the changes of the
// statement about to run travel to callbacks.
const settingChanges = "gormup:changes"

// WithChanges returns db carrying changes to the next statement it runs, for
// plugins such as Audit to read in that statement's callbacks — inside the
// same transaction as the write.
func WithChanges(db *gorm.DB, changes []Change) *gorm.DB {
	return db.Set(settingChanges, changes)
}

// ChangesOf returns the changes attached to db's statement by WithChanges.
// The bool reports whether WithChanges was called on the statement: false
// means the statement was not made by a gormup producer (or Collecting was
// false when it ran), true with an empty slice means a producer attached no
// changes.
func ChangesOf(db *gorm.DB) ([]Change, bool) {
	v, ok := db.Get(settingChanges)
	if !ok {
		return nil, false
	}
	c, ok := v.([]Change)
	return c, ok
}

// Collecting reports whether a plugin that reads Changes (Audit) is installed
// on db, so producers can skip building them when nobody listens.
func Collecting(db *gorm.DB) bool {
	_, ok := db.Config.Plugins[auditPluginName]
	return ok
}

type actorKey struct{}

// WithActor returns a context naming who makes the changes done with it (a
// user id, a job name); Audit records it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor set by WithActor, or "".
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}
