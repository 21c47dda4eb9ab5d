// Package txn is gormup's one retry loop: it runs a function in a
// transaction and runs the whole transaction again when it fails with a
// transient concurrency error, within a time budget.
//
//	attempts, err := txn.RunTx(ctx, db, txn.RetryPolicy{}, func(tx *gorm.DB) error {
//		return tx.Exec("UPDATE counters SET n = n + 1 WHERE id = ?", 1).Error
//	})
//
// The zero RetryPolicy retries for up to DefaultMaxElapsed (30 s, or less
// when ctx has an earlier deadline) with no limit on the number of attempts,
// pausing between attempts with exponential backoff and full jitter: the
// pause after the k-th failure is a random duration in
// [0, min(MaxDelay, BaseDelay·2^(k-1))]. A budget in time rather than a small
// count of attempts is what holds on a cluster: on MariaDB Galera every
// concurrent writer of a hot row on another node fails certification at
// COMMIT (error 1213), and one writer can lose many times in a row; the
// growing, randomised pauses spread the contenders out until each gets
// through.
//
// Which errors are transient is dialect.Classify's decision (deadlocks,
// serialization failures, lock timeouts, SQLite busy); a policy may replace
// it. Inside a caller's transaction RunTx opens none of its own and never
// retries: a failed statement may have aborted the caller's transaction.
// With gorm.io/plugin/dbresolver every transaction begins on the primary
// (dialect.Primary).
package txn
