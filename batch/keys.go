package batch

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// keysFixedSlack is the number of bind parameters UpdateKeys reserves for the
// caller's own conditions and GORM's additions (soft delete, updated_at).
const keysFixedSlack = 32

// UpdateKeys writes values to the rows of db's model whose primary key is in
// keys, any number of them, and returns the number of rows matched.
//
//	n, err := batch.UpdateKeys(ctx, db.Model(&Account{}), ids, map[string]any{"status": "closed"})
//
// Keys go into IN lists of at most DefaultKeysPerStatement keys (Size
// changes it), always under the dialect's bind-parameter limit (2,100 on SQL
// Server), so a list of 100,000 keys works everywhere; chunked IN lists are
// used on PostgreSQL too, rather than one = ANY($1) array parameter, so the
// statement stays portable SQL that plugins can read. The UPDATE is GORM's
// own (Updates), so the soft-delete filter and the model's update hooks
// apply as in db.Updates. All chunks commit
// together by default, or one by one with CommitEach, or several at once
// with Workers (the keys in order; the model's hooks then run on several
// goroutines at once). db must carry a model
// with a single-column primary key; conditions db already carries (a
// tenant, say) are ANDed to every chunk. values is checked as for Update
// (map or struct with Columns/db.Select; unknown and key columns refused).
// The key lists are ANDed onto db's conditions as one parenthesised group,
// so db.Where(a).Or(b) with keys 1, 2, 3 writes only the rows among 1, 2, 3
// that match (a OR b). The table is db.Table's (qualifier kept; ErrTable for
// an alias or expression) or the model's; soft-deleted rows are skipped unless
// db is Unscoped; a version field is incremented by one on every written row
// (values may not name it: ErrVersionColumn).
// Keys that match no row are simply not counted; the same key twice is
// refused with a *KeyError wrapping ErrDuplicateKey, and an empty or nil keys
// with ErrEmpty — both before any SQL.
//
// The count is of matched rows on every dialect, as for Update (on MySQL and
// MariaDB without clientFoundRows each chunk is counted with SELECT COUNT(*)
// … FOR UPDATE first). Retryable errors rerun the transaction (every chunk
// when atomic, the failed chunk with CommitEach) unless db is already a
// transaction. A failed chunk returns a *StatementError.
func UpdateKeys[K comparable](ctx context.Context, db *gorm.DB, keys []K, values any, opts ...KeysOption) (int64, error) {
	if db == nil {
		return 0, ErrNilDB
	}
	cfg, err := newConfig(opts, KeysOption.applyKeys)
	if err != nil {
		return 0, err
	}
	db = model.Scoped(db, cfg.scopes...)
	t, err := resolveModel(db)
	if err != nil {
		return 0, err
	}
	s := t.Schema
	pk, err := singleKey(s)
	if err != nil {
		return 0, err
	}
	assign, err := assignments(ctx, db, t, values, cfg.columns)
	if err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, ErrEmpty
	}
	seen := make(map[K]int, len(keys))
	for i, k := range keys {
		if j, dup := seen[k]; dup {
			return 0, &KeyError{Index: i, First: j, Key: []any{k}, Err: ErrDuplicateKey}
		}
		seen[k] = i
	}
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return 0, err
	}
	fixed := keysFixedSlack + assignParams(assign)
	room := d.ChunkSize(1, fixed)
	size := min(DefaultKeysPerStatement, room, MaxStatementParams-fixed)
	if cfg.chunkRows > 0 {
		if cfg.chunkRows > room {
			return 0, fmt.Errorf("%w: Size(%d) exceeds the %d keys that fit in one %s statement", ErrBadOption, cfg.chunkRows, room, d.Name())
		}
		size = cfg.chunkRows
	}
	if (cfg.commitEach || cfg.workers > 0) && dialect.InTransaction(db) {
		return 0, ErrInTransaction
	}
	matchedSemantics, err := d.RowsAffectedMatched(ctx, db)
	if err != nil {
		return 0, err
	}
	u := &updater{d: d, t: t, s: s, table: t.Table, assign: assign, cfg: cfg, matched: matchedSemantics}
	col := clause.Column{Table: clause.CurrentTable, Name: pk.DBName}
	if cfg.workers > 0 {
		return updateKeysParallel(ctx, db, u, col, keys, size)
	}
	chunks := dialect.Split(len(keys), size)
	inList := func(r [2]int) []clause.Expression {
		vals := make([]any, 0, r[1]-r[0])
		for _, k := range keys[r[0]:r[1]] {
			vals = append(vals, k)
		}
		return []clause.Expression{clause.IN{Column: col, Values: vals}}
	}
	loop := chunker.Loop{Each: cfg.commitEach, Policy: cfg.policy(), Committed: progressTo(cfg.onProgress)}
	done, err := loop.Run(ctx, db, func(tx *gorm.DB, i int) (int64, bool, error) {
		n, err := u.run(tx, inList(chunks[i]))
		return n, i == len(chunks)-1, err
	})
	return done, statementError(err)
}

// assignParams estimates the bind parameters values take in a SET clause.
func assignParams(assign map[string]any) int {
	n := 0
	for _, v := range assign {
		switch e := v.(type) {
		case clause.Expr:
			n += len(e.Vars)
		case *gorm.DB:
			n += 64
		default:
			n++
		}
	}
	return n
}
