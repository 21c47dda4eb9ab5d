package updater

import (
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// planKey is everything a plan is derived from besides the database: the
// schema (one per GORM schema cache and naming strategy, so pointer identity
// keys it safely), the table named on the call, the statement's Unscoped and
// SkipHooks, and the options that shape the plan. It names the plan in
// dialect.Memo, which lives as long as the opened database; there is one
// entry per distinct key, so per model and table in practice.
type planKey struct {
	sch          *schema.Schema
	table        string
	unscoped     bool
	skipHooks    bool
	lock         lock.Mode
	optimistic   bool
	versionField string
}

// cachedPlan returns the plan of c for target t on db, built once per
// opened database and planKey: Update would otherwise build it, and look up
// its tracker, on every call. Errors are not cached.
func cachedPlan(db *gorm.DB, d *dialect.Dialect, t *model.Target, c *config) (*plan, error) {
	key := planKey{
		sch: t.Schema, table: t.Table, unscoped: t.Unscoped, skipHooks: db.Statement.SkipHooks,
		lock: c.lock, optimistic: c.optimistic, versionField: c.versionField,
	}
	v, err := d.Memo(key, func() (any, error) { return buildPlan(db, d, t, c) })
	if err != nil {
		return nil, err
	}
	return v.(*plan), nil
}

// trackerKey names the tracker of a schema with a version field in
// dialect.Memo. A schema belongs to one *gorm.DB's schema cache, and the
// memo to that database's Dialect, so entries live as long as the opened
// database does.
type trackerKey struct {
	sch     *schema.Schema
	version *schema.Field
}

// cachedTracker returns the tracker of t's schema on d with version as the
// version field, built once per opened database: building one walks every
// field of the schema, which Update would otherwise do on every call. A
// tracker is never modified once built, so one serves concurrent calls.
func cachedTracker(t *model.Target, d *dialect.Dialect, version *schema.Field) (*tracker, error) {
	v, err := d.Memo(trackerKey{t.Schema, version}, func() (any, error) { return newTracker(t, d, version) })
	if err != nil {
		return nil, err
	}
	return v.(*tracker), nil
}
