package updater

import (
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm/schema"
)

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
