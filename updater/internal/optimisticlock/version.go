// Package optimisticlock stands in for gorm.io/plugin/optimisticlock in
// tests: its Version type has the plugin's name, package name and shape
// (sql.NullInt64 with Scan and Value), which is all updater looks at. The
// plugin module cannot be downloaded in gormup's build environment.
package optimisticlock

import (
	"database/sql"
	"database/sql/driver"
)

// Version is a nullable version counter, like the plugin's.
type Version sql.NullInt64

// Scan implements sql.Scanner.
func (v *Version) Scan(value any) error { return (*sql.NullInt64)(v).Scan(value) }

// Value implements driver.Valuer.
func (v Version) Value() (driver.Value, error) {
	if !v.Valid {
		return nil, nil
	}
	return v.Int64, nil
}
