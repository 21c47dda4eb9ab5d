// Package dialect answers every dialect-specific question the rest of gormup
// asks, so that no other package switches on a Dialector's name.
//
// A Dialect is derived from a *gorm.DB once and cached per Dialector:
//
//	d, err := dialect.Of(ctx, db)
//	if err != nil {
//		return err
//	}
//	size := d.ChunkSize(3, 0) // rows of 3 parameters that fit in one statement
//
// It knows the family (PostgreSQL, MySQL, MariaDB, SQLite, SQL Server) and
// server version, the bind-parameter limit, identifier quoting and length, the
// row-lock syntax of each lock mode, whether RowsAffected counts matched or
// changed rows, and which errors are worth retrying (Classify); internal/txn
// holds the one retry loop built on that answer.
package dialect
