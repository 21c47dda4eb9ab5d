package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// dupKeyRow has a text key: MySQL's default collation is case-insensitive
// and PAD SPACE, PostgreSQL's character(n) ignores trailing blanks.
type dupKeyRow struct {
	Code string `gorm:"primaryKey;type:char(8)"`
	N    int64
}

// Two keys the database calls equal although Go does not ('abc' and 'ABC'
// on MySQL; 'abc' and 'abc ' in character(n)), in different chunks: the
// row would be written twice (n + 1 applied twice) and counted twice.
// UpdateKeys refuses them as it refuses the same key twice, with any Size
// and with Workers, and writes nothing.
func TestUpdateKeysServerEqualKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &dupKeyRow{})
		dbtest.Seed(t, db.DB, []dupKeyRow{{Code: "abc", N: 0}, {Code: "mmm", N: 0}})
		twin := "abc " // PostgreSQL character(n), MySQL PAD SPACE
		if db.Dialect == dbtest.MySQL {
			twin = "ABC"
		}
		if dbtest.IsSQLite(db.Dialect) || db.Dialect == dbtest.SQLServer {
			twin = "" // BINARY collation: no two distinct strings are equal
		}
		ctx := context.Background()
		for name, opts := range map[string][]batch.KeysOption{
			"one statement": nil, "Size(1)": {batch.Size(1)}, "CommitEach": {batch.Size(1), batch.CommitEach()},
			"Workers": {batch.Size(1), batch.Workers(2)},
		} {
			if twin == "" {
				continue
			}
			dbtest.MustExec(t, db.DB, "UPDATE dup_key_rows SET n = 0")
			n, err := batch.UpdateKeys(ctx, db.Model(&dupKeyRow{}), []string{"abc", "mmm", twin}, map[string]any{"n": gorm.Expr("n + 1")}, opts...)
			var ke *batch.KeyError
			if !errors.Is(err, batch.ErrDuplicateKey) || !errors.As(err, &ke) || ke.Index != 2 || ke.First != 0 {
				t.Errorf("%s: UpdateKeys = %d, %v; want a *KeyError (Index 2, First 0) wrapping ErrDuplicateKey", name, n, err)
			}
			var rows []dupKeyRow
			if err := db.Order("code").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].N != 0 || rows[1].N != 0 {
				t.Errorf("%s: rows = %+v, want both untouched (n 0)", name, rows)
			}
		}
	})
}
