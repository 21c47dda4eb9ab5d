package updater

import (
	"context"

	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
)

// Transaction runs fn in a transaction on db and commits it. When fn or the
// COMMIT fails with a deadlock (PostgreSQL 40P01, MySQL/MariaDB 1213 — which
// Galera also reports for certification conflicts at COMMIT —, SQL Server
// 1205), a serialization failure (40001), a lock timeout or a SQLite busy
// error, the transaction is rolled back and fn runs again, up to
// DefaultRetryBudget with jittered exponential backoff (see Attempts,
// RetryBudget, Backoff, OnRetry and TxOptions; an out-of-range one returns
// ErrBadOption).
// Any other error rolls back and is returned as is. ctx bounds every attempt
// and pause; when it is done Transaction returns an error wrapping ctx.Err().
//
// fn may run more than once: it must do its work only through tx and keep no
// effects of a failed attempt. If db is already inside a transaction, fn runs
// once on db with no transaction of Transaction's own and no retries.
func Transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error, opts ...TransactionOption) error {
	if db == nil {
		return ErrNilDB
	}
	c, err := newConfig(opts, TransactionOption.applyTransaction)
	if err != nil {
		return err
	}
	_, err = txn.RunTx(ctx, db, c.policy(nil), fn)
	return err
}
