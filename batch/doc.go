// Package batch updates many rows at once, safely and at database speed.
//
//	n, err := batch.Update(ctx, db.Model(&Account{}).Where("status = ?", "trial"), map[string]any{"status": "expired"})
//	res, err := batch.UpdateRows(ctx, db, accounts, []string{"balance", "status"}) // res.Matched, res.Missing
//	n, err = batch.UpdateKeys(ctx, db.Model(&Account{}), ids, map[string]any{"active": false})
//
// Update is a conditional bulk UPDATE that refuses to touch every row by
// accident (no condition, 1=1, Not("id", []int{}), a zero-valued struct
// condition, only the soft-delete filter: ErrNoCondition), checks column
// names against the model before any SQL, returns matched rows on every
// dialect, can cap the rows it may touch (MaxRows) and can split a huge
// write into primary-key ranges committed one by one (Chunked).
//
// UpdateKeys writes the same values to the rows of a key list of any length,
// chunked under the dialect's bind-parameter limit.
//
// UpdateRows writes different values per row, matched by primary key
// (composite keys too), in one set-based statement per chunk — PostgreSQL
// UPDATE … FROM (VALUES …) with exact casts, MySQL/MariaDB JOIN of a UNION
// ALL derived table, SQLite UPDATE … FROM (VALUES …), SQL Server
// UPDATE … FROM … JOIN (VALUES …) — never inserting a missing row, with an
// optional set-based optimistic version check (CheckVersion).
//
// Work that is not one statement (per-row logic over millions of rows, with
// a checkpoint) is package chunk's: chunk.Run and chunk.Ranges.
//
// Every function takes ctx first and any *gorm.DB, a transaction included;
// retryable errors (deadlocks, serialization failures, SQLite busy) rerun
// the transaction through gormup's one retry loop.
package batch
