package dialect

import (
	"database/sql"

	"gorm.io/gorm"
)

// The names through which gorm.io/plugin/dbresolver chooses a pool: its Write
// and Read clauses store a statement setting, which its callbacks look up
// before every statement, and then run its Query callback at once so that
// the statement's pool is chosen already (that is what makes a transaction
// begun from it start on the chosen server). Using the names directly keeps
// the library packages free of a dependency on the plugin.
const (
	resolverWriteSetting = "gorm:db_resolver:write"
	resolverReadSetting  = "gorm:db_resolver:read"
	resolverCallback     = "gorm:db_resolver"
)

// Primary returns a session of db whose statements, and whose transactions,
// gorm.io/plugin/dbresolver sends to a source (the primary), as
// db.Clauses(dbresolver.Write) would, overriding a dbresolver.Read on db or a
// replica pool a previous read through the same chain left on it. Without
// dbresolver registered it changes nothing, and inside a transaction none is
// needed: dbresolver never moves a transaction's statements off its
// connection.
//
// Use it for every statement outside a transaction whose result decides a
// write — catalog checks before DDL (GORM's Migrator reads information_schema
// with SELECTs, which dbresolver sends to a replica), checkpoint reads, row
// counts that bound a write — and before beginning a transaction that will
// write (RunTx does). A replica lags its primary, so such a read can miss a
// table, an index or a row the primary already has, and a transaction begun on
// a replica fails at its first write.
//
// Without dbresolver registered Primary returns db itself, so no statement
// is cloned per call: pass a session (WithContext, Session), as every caller
// does, when the result is chained further. With dbresolver it chains like
// any GORM method: on a session it works on a copy of db's statement, on a
// NewDB session on a fresh one. The setting lives on the
// returned session's statement: a later Session(&gorm.Session{NewDB: true})
// drops it, so apply Primary after any such call.
//
// A session whose pool is a *sql.Conn is returned as is: the caller took
// that connection from a pool Primary chose, and a transaction begun on it
// must stay on it.
func Primary(db *gorm.DB) *gorm.DB {
	fc := db.Callback().Query().Get(resolverCallback)
	if fc == nil {
		return db // no dbresolver: nothing to choose, and no session clone per call
	}
	if _, ok := db.Statement.ConnPool.(*sql.Conn); ok {
		// A connection of its own, taken from the pool Primary chose
		// (batch's bulk load): dbresolver would swap it for its pool.
		return db
	}
	// Set first: on a NewDB session it starts a fresh statement, as any chain
	// method would, instead of reviving the statement the session dropped.
	tx := db.Set(resolverWriteSetting, struct{}{})
	tx.Statement.Settings.Delete(resolverReadSetting)
	if !InTransaction(tx) {
		fc(tx)
	}
	return tx.Session(&gorm.Session{})
}
