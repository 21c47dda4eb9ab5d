package dialect

import "gorm.io/gorm"

// The statement settings through which gorm.io/plugin/dbresolver's Write and
// Read clauses choose a pool: its callbacks look them up in
// Statement.Settings before every statement. Setting them directly keeps the
// library packages free of a dependency on the plugin.
const (
	resolverWriteSetting = "gorm:db_resolver:write"
	resolverReadSetting  = "gorm:db_resolver:read"
)

// Primary returns a session of db whose statements gorm.io/plugin/dbresolver
// sends to a source (the primary), as db.Clauses(dbresolver.Write) would,
// overriding a dbresolver.Read on db. Without dbresolver registered it has no
// effect, and inside a transaction none is needed: dbresolver never moves a
// transaction's statements off its connection.
//
// Use it for every statement outside a transaction whose result decides a
// write: catalog checks before DDL (GORM's Migrator reads information_schema
// with SELECTs, which dbresolver sends to a replica), checkpoint reads, row
// counts that bound a write. A replica lags its primary, so such a read can
// miss a table, an index or a row the primary already has.
//
// The setting lives on the statement: a later Session(&gorm.Session{NewDB:
// true}) drops it, so apply Primary after any such call.
func Primary(db *gorm.DB) *gorm.DB {
	tx := db.Set(resolverWriteSetting, struct{}{})
	tx.Statement.Settings.Delete(resolverReadSetting)
	return tx.Session(&gorm.Session{})
}
