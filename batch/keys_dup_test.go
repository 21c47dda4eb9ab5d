package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// wideKeyRow has a long text key, so that a few keys make a large document.
type wideKeyRow struct {
	Code string `gorm:"primaryKey;size:200"`
	N    int64
}

// More key text than one duplicate-check query may carry on MySQL/MariaDB
// (max_allowed_packet, 16 MiB on MariaDB): 170,000 keys of 100 characters,
// the database-equal twin of the first key last. UpdateRows and UpdateKeys
// refuse the pair (checked across pieces) and write nothing; without it
// they run.
func TestDuplicateCheckLargeInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		if db.Dialect != dbtest.MySQL && db.Dialect != dbtest.Postgres {
			t.Skip("the server's duplicate check runs on MySQL/MariaDB and PostgreSQL")
		}
		dbtest.Migrate(t, db, &wideKeyRow{})
		pad := strings.Repeat("x", 92)
		first := "k0000000" + pad
		dbtest.Seed(t, db.DB, []wideKeyRow{{Code: first}})
		const n = 170_000
		keys := make([]string, n)
		rows := make([]wideKeyRow, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%07d", i) + pad
			rows[i] = wideKeyRow{Code: keys[i], N: 7}
		}
		twin := "K0000000" + pad // MySQL: case-insensitive
		if db.Dialect == dbtest.Postgres {
			// varchar compares exactly on PostgreSQL: only Go's check
			// applies, and the exact same key is caught there.
			twin = first
		}
		keys[n-1], rows[n-1].Code = twin, twin
		ctx := context.Background()
		_, err := batch.UpdateKeys(ctx, db.Model(&wideKeyRow{}), keys, map[string]any{"n": gorm.Expr("n + 1")})
		var ke *batch.KeyError
		if !errors.As(err, &ke) || !errors.Is(err, batch.ErrDuplicateKey) || ke.Index != n-1 || ke.First != 0 {
			t.Errorf("UpdateKeys: %v; want a *KeyError (Index %d, First 0) wrapping ErrDuplicateKey", err, n-1)
		}
		_, err = batch.UpdateRows(ctx, db.DB, rows, []string{"n"})
		if !errors.As(err, &ke) || !errors.Is(err, batch.ErrDuplicateKey) || ke.Index != n-1 || ke.First != 0 {
			t.Errorf("UpdateRows: %v; want a *KeyError (Index %d, First 0) wrapping ErrDuplicateKey", err, n-1)
		}
		var got wideKeyRow
		if err := db.First(&got).Error; err != nil || got.N != 0 {
			t.Fatalf("row %+v, %v; want n 0 (nothing written)", got, err)
		}
		keys[n-1], rows[n-1].Code = "k9999999"+pad, "k9999999"+pad
		if c, err := batch.UpdateKeys(ctx, db.Model(&wideKeyRow{}), keys, map[string]any{"n": gorm.Expr("n + 1")}); err != nil || c != 1 {
			t.Errorf("UpdateKeys = %d, %v; want 1", c, err)
		}
		if res, err := batch.UpdateRows(ctx, db.DB, rows, []string{"n"}); err != nil || res.Matched != 1 {
			t.Errorf("UpdateRows = %+v, %v; want Matched 1", res, err)
		}
		if err := db.First(&got).Error; err != nil || got.N != 7 {
			t.Fatalf("row %+v, %v; want n 7", got, err)
		}
	})
}
