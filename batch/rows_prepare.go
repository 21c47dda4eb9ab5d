package batch

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// reuseTx is the connection pool of one UpdateRows transaction on SQLite and
// MySQL/MariaDB: the first statement text with arguments executed twice
// (the full chunk's UPDATE) is prepared on the transaction and every later statement with
// that text runs the prepared statement, instead of being parsed again (SQLite) or prepared,
// executed and closed per chunk (go-sql-driver). Other statements pass
// through. The statements still go through GORM's callback chain; only the
// pool under it changes. It is a gorm.Tx, so plugins (dbresolver) see the
// transaction. Not safe for concurrent use: one transaction, one goroutine.
type reuseTx struct {
	gorm.Tx
	seen  map[string]bool
	query string
	stmt  *sql.Stmt
}

// reuse returns tx with its pool wrapped in a reuseTx, and the function that
// closes the prepared statement; tx unchanged (and a no-op) when its pool is
// not a transaction.
func reuse(tx *gorm.DB) (*gorm.DB, func()) {
	t, ok := tx.Statement.ConnPool.(gorm.Tx)
	if !ok {
		return tx, func() {}
	}
	r := &reuseTx{Tx: t, seen: map[string]bool{}}
	s := tx.Session(&gorm.Session{})
	s.Statement.ConnPool = r
	return s, func() {
		if r.stmt != nil {
			_ = r.stmt.Close()
		}
	}
}

// ExecContext runs query through the prepared statement when its text is
// the one prepared, preparing the first text it sees a second time.
func (r *reuseTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if r.stmt == nil && len(args) > 0 { // not SQLite's argument-less write-lock statement
		if !r.seen[query] {
			r.seen[query] = true
			return r.Tx.ExecContext(ctx, query, args...)
		}
		stmt, err := r.Tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		r.query, r.stmt, r.seen = query, stmt, nil
	}
	if query == r.query {
		return r.stmt.ExecContext(ctx, args...)
	}
	return r.Tx.ExecContext(ctx, query, args...)
}
