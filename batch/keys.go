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
// db must carry a model with a single-column primary key (ErrNoPrimaryKey);
// conditions it carries (a tenant, say) are ANDed to every key list as one
// group ([Tables and conditions]). values is checked as for Update ([Values
// and columns]). Keys go into IN lists of at most DefaultKeysPerStatement
// keys (Size changes it) under the dialect's parameter limit; all lists
// commit together unless CommitEach, or Workers writes several at once
// ([Chunks and transactions]). Keys that match no row are not counted; the
// same key twice (text keys: by the database's own equality, which may
// ignore case or trailing blanks, asked in one query) is a *KeyError
// wrapping ErrDuplicateKey, and empty keys ErrEmpty, both before any write.
// A failed chunk returns a *StatementError (with Workers, a *PartialError
// wrapping it). ctx bounds every statement.
//
// [Tables and conditions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Tables_and_conditions
// [Values and columns]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Values_and_columns
// [Chunks and transactions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Chunks_and_transactions
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
	if err := keysDuplicates(ctx, db, d, s, t.Table, pk, keys); err != nil {
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
