package batch_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// eqRow's key is char(4): MySQL and MariaDB compare it case-insensitively
// and without trailing spaces, PostgreSQL without trailing spaces, SQLite
// byte for byte.
type eqRow struct {
	Code string `gorm:"primaryKey;type:char(4)"`
	Val  int64
}

// serverEqual asks the database whether key matches a stored row.
func serverEqual(t *testing.T, db *gorm.DB, key string) bool {
	t.Helper()
	var n int64
	if err := db.Model(&eqRow{}).Where("code = ?", key).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// Matched, Missing and duplicate keys follow the database's equality, never
// Go's: the expected outcome is the server's own answer to "code = ?".
func TestUpdateRowsServerEquality(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &eqRow{})
		dbtest.Seed(t, db.DB, []eqRow{{Code: "a", Val: 1}, {Code: "ab", Val: 2}, {Code: "n", Val: 3}})
		upper, padded := serverEqual(t, db.DB, "A"), serverEqual(t, db.DB, "ab ")
		if db.Dialect == dbtest.MySQL && !(upper && padded) || db.Dialect == dbtest.Postgres && (upper || !padded) {
			t.Fatalf("server equality: 'A'=%v 'ab '=%v; the test expects MySQL's default collation and PostgreSQL's char(n)", upper, padded)
		}
		res, err := batch.UpdateRows(context.Background(), db.DB, []eqRow{{Code: "A", Val: 10}, {Code: "ab ", Val: 20}, {Code: "zz", Val: 30}}, []string{"val"}, batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		var want batch.Result
		wantVals := map[string]int64{"a": 1, "ab": 2, "n": 3}
		for _, k := range []struct {
			key, stored string
			equal       bool
			val         int64
		}{{"A", "a", upper, 10}, {"ab ", "ab", padded, 20}, {"zz", "", false, 30}} {
			if k.equal {
				want.Matched++
				wantVals[k.stored] = k.val
			} else {
				want.Missing++
				want.MissingKeys = append(want.MissingKeys, []any{k.key})
			}
		}
		if res.Matched != want.Matched || res.Missing != want.Missing || fmt.Sprint(res.MissingKeys) != fmt.Sprint(want.MissingKeys) {
			t.Fatalf("Result = %+v, want Matched %d Missing %d MissingKeys %q", res, want.Matched, want.Missing, want.MissingKeys)
		}
		var got []eqRow
		if err := db.Order("val").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("%d rows, want 3: a missing key was inserted", len(got))
		}
		for _, r := range got {
			if wantVals[trimCode(r.Code)] != r.Val {
				t.Errorf("row %q val = %d, want %d", r.Code, r.Val, wantVals[trimCode(r.Code)])
			}
		}

		// Keys the server calls equal are duplicates: refused before any
		// SQL writes, nothing changed.
		before := eqFingerprint(t, db.DB)
		_, err = batch.UpdateRows(context.Background(), db.DB, []eqRow{{Code: "n", Val: 7}, {Code: "a", Val: 8}, {Code: "A", Val: 9}}, []string{"val"})
		var ke *batch.KeyError
		if upper {
			if !errors.Is(err, batch.ErrDuplicateKey) || !errors.As(err, &ke) || ke.Index != 2 || ke.First != 1 || fmt.Sprint(ke.Key) != "[A]" {
				t.Fatalf("err = %v (%+v), want *KeyError{Index 2, First 1, Key [A]} wrapping ErrDuplicateKey", err, ke)
			}
			if after := eqFingerprint(t, db.DB); after != before {
				t.Fatalf("refused UpdateRows wrote rows: before %s after %s", before, after)
			}
		} else if err != nil {
			t.Fatalf("err = %v, want none: the server tells 'a' from 'A'", err)
		}
		if padded {
			_, err = batch.UpdateRows(context.Background(), db.DB, []eqRow{{Code: "ab", Val: 1}, {Code: "ab  ", Val: 2}}, []string{"val"})
			if !errors.As(err, &ke) || ke.Index != 1 || ke.First != 0 {
				t.Fatalf("err = %v, want *KeyError{Index 1, First 0}: the server calls 'ab' and 'ab  ' equal", err)
			}
		}
	})
}

func trimCode(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

func eqFingerprint(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var got []eqRow
	if err := db.Order("code").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(got)
}

// verRow has a nullable version field, found by its tag.
type verRow struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Val     int64
	Version *int64 `gormup:"version"`
}

func i64(v int64) *int64 { return &v }

func verState(t *testing.T, db *gorm.DB) map[int64]string {
	t.Helper()
	var got []verRow
	if err := db.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, r := range got {
		out[r.ID] = fmt.Sprintf("%d/%v", r.Val, derefAny(r.Version))
	}
	return out
}

// CheckVersion matches a stored NULL to an expected NULL; every write bumps
// the version by one (NULL becomes 1), with or without CheckVersion; every
// input row lands in exactly one of Matched, Missing and Conflicts.
func TestUpdateRowsVersions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &verRow{})
		dbtest.Seed(t, db.DB, []verRow{{ID: 1}, {ID: 2, Version: i64(5)}, {ID: 3}, {ID: 4, Version: i64(2)}, {ID: 5, Version: i64(1)}})
		rows := []verRow{
			{ID: 1, Val: 10},                  // NULL = NULL: written, version 1
			{ID: 2, Val: 20, Version: i64(5)}, // written, version 6
			{ID: 3, Val: 30, Version: i64(7)}, // stored NULL: conflict
			{ID: 4, Val: 40},                  // stored 2, expected NULL: conflict
			{ID: 9, Val: 90, Version: i64(1)}, // missing
			{ID: 10, Val: 100},                // missing, expected NULL
		}
		for _, size := range []int{1, 2, 100} {
			t.Run(fmt.Sprint("chunk", size), func(t *testing.T) {
				dbtest.MustExec(t, db.DB, "UPDATE ver_rows SET val = 0, version = NULL WHERE id IN (1, 3)")
				dbtest.MustExec(t, db.DB, "UPDATE ver_rows SET val = 0, version = 5 WHERE id = 2")
				dbtest.MustExec(t, db.DB, "UPDATE ver_rows SET val = 0, version = 2 WHERE id = 4")
				res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"val"}, batch.CheckVersion("Version"), batch.ListMissing(), batch.Size(size))
				if err != nil {
					t.Fatal(err)
				}
				if res.Matched+res.Missing+int64(len(res.Conflicts)) != int64(len(rows)) {
					t.Fatalf("Result = %+v: %d rows accounted for, want %d", res, res.Matched+res.Missing+int64(len(res.Conflicts)), len(rows))
				}
				if res.Matched != 2 || fmt.Sprint(res.Conflicts) != "[[3] [4]]" || fmt.Sprint(res.MissingKeys) != "[[9] [10]]" {
					t.Fatalf("Result = %+v, want Matched 2, Conflicts [[3] [4]], MissingKeys [[9] [10]]", res)
				}
				want := map[int64]string{1: "10/1", 2: "20/6", 3: "0/<nil>", 4: "0/2", 5: "0/1"}
				if got := verState(t, db.DB); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("rows = %v, want %v", got, want)
				}
			})
		}
		// Without CheckVersion the version still moves: a NULL becomes 1.
		res, err := batch.UpdateRows(context.Background(), db.DB, []verRow{{ID: 3, Val: 33}, {ID: 5, Val: 55}, {ID: 8}}, []string{"val"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 || res.Missing != 1 || res.Conflicts != nil {
			t.Fatalf("Result = %+v, want Matched 2, Missing 1", res)
		}
		want := map[int64]string{1: "10/1", 2: "20/6", 3: "33/1", 4: "0/2", 5: "55/2"}
		if got := verState(t, db.DB); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rows = %v, want %v", got, want)
		}
		// The version cannot also be written by name.
		if _, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"val", "version"}); !errors.Is(err, batch.ErrVersionColumn) {
			t.Fatalf("err = %v, want ErrVersionColumn", err)
		}
	})
}

// sdRow is soft-deletable.
type sdRow struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	Val       int64
	DeletedAt gorm.DeletedAt
}

// Like GORM's Updates, UpdateRows never writes a soft-deleted row unless
// db.Unscoped(); such a row counts as Missing.
func TestUpdateRowsSoftDeleted(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &sdRow{})
		dbtest.Seed(t, db.DB, []sdRow{{ID: 1}, {ID: 2}, {ID: 3}})
		if err := db.Delete(&sdRow{}, 3).Error; err != nil {
			t.Fatal(err)
		}
		vals := func() string {
			var got []sdRow
			if err := db.Unscoped().Order("id").Find(&got).Error; err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range got {
				out = append(out, fmt.Sprintf("%d:%d:%v", r.ID, r.Val, r.DeletedAt.Valid))
			}
			return fmt.Sprint(out)
		}
		rows := []sdRow{{ID: 1, Val: 10}, {ID: 3, Val: 30}, {ID: 9, Val: 90}}
		for _, matched := range []bool{false, true} { // ListMissing off, then on
			opts := []batch.RowsOption{}
			if matched {
				opts = append(opts, batch.ListMissing())
			}
			res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"val"}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Matched != 1 || res.Missing != 2 || (matched && fmt.Sprint(res.MissingKeys) != "[[3] [9]]") {
				t.Fatalf("Result = %+v, want Matched 1, Missing 2 ([3] [9])", res)
			}
			if got := vals(); got != "[1:10:false 2:0:false 3:0:true]" {
				t.Fatalf("rows = %s, want the soft-deleted row 3 untouched", got)
			}
		}
		res, err := batch.UpdateRows(context.Background(), db.Unscoped(), rows, []string{"val"}, batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 || fmt.Sprint(res.MissingKeys) != "[[9]]" {
			t.Fatalf("Unscoped Result = %+v, want Matched 2, MissingKeys [[9]]", res)
		}
		if got := vals(); got != "[1:10:false 2:0:false 3:30:true]" {
			t.Fatalf("rows = %s, want row 3 written under Unscoped", got)
		}
	})
}
