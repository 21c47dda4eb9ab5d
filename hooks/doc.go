// Package hooks holds gormup's GORM callback plugins and the chunk lifecycle
// callbacks batch.Run calls.
//
// Changes made through updater and batch travel to plugins as []Change on the
// statement (WithChanges / ChangesOf), so an audit trail is written in the
// same transaction as the change it records.
package hooks

// auditPluginName is the gorm.Plugin name of the audit plugin; Collecting
// looks for it.
const auditPluginName = "gormup:audit"
