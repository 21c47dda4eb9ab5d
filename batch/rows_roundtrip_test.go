package batch_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// rtRow holds every kind of value the round trip compares. rt_gorm and
// rt_rows are two tables of this shape: GORM's Updates writes one,
// UpdateRows the other, and what the database reads back must be equal.
type rtRow struct {
	ID  int64  `gorm:"primaryKey;autoIncrement:false"`
	S   string `gorm:"size:255"`
	Txt string `gorm:"type:text"`
	B   []byte
	T   time.Time
	NT  *time.Time
	NS  *string `gorm:"size:64"`
	I   int64
	I16 int16
	F   float64
	F32 float32
	D   float64 `gorm:"type:decimal(20,6)"`
	Bo  bool
	NI  *int64
}

var rtColumns = []string{"s", "txt", "b", "t", "nt", "ns", "i", "i16", "f", "f32", "d", "bo", "ni"}

// rtInput is one fuzz input: the values of three rows are derived from it.
type rtInput struct {
	S     string
	B     []byte
	I     int64
	F     float64
	Unix  int64
	Nanos int64
	Zone  int64 // offset in minutes
}

// rows turns the input into three rows: the values as given, a variant
// (spaces around the text, bytes reversed, the time in another zone) and
// one of zero values and NULLs.
func (in rtInput) rows() []rtRow {
	zone := time.FixedZone("fz", int((in.Zone%(14*60))*60))
	t := time.Unix(in.Unix%(250_000_000_000), in.Nanos%1_000_000_000).In(zone)
	rev := make([]byte, len(in.B))
	for i, c := range in.B {
		rev[len(in.B)-1-i] = c
	}
	ns := " " + in.S + " "
	ni := in.I
	t2 := t.UTC()
	return []rtRow{
		{ID: 1, S: in.S, Txt: in.S, B: in.B, T: t, NT: &t2, NS: &in.S, I: in.I, I16: int16(in.I), F: in.F, F32: float32(in.F), D: in.F, Bo: in.I%2 == 0, NI: &ni},
		{ID: 2, S: ns, Txt: strings.Repeat(in.S, 3) + "\t", B: rev, T: t2, NS: &ns, I: -in.I, I16: int16(in.I >> 16), F: -in.F, F32: float32(in.F) / 3, D: math.Trunc(in.F), Bo: true},
		{ID: 3, T: t},
	}
}

// rtSeedN is what both tables hold before a round of n rows: rows 1..n,
// the first three's pattern repeated, then the neighbour n+1.
func rtSeedN(n int) []rtRow {
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	s := "seed"
	pattern := []rtRow{{S: s, T: epoch, NS: &s}, {S: s, T: epoch}, {S: s, T: epoch, NT: &epoch, NS: &s}}
	out := make([]rtRow, 0, n+1)
	for i := range n {
		r := pattern[i%3]
		r.ID = int64(i + 1)
		out = append(out, r)
	}
	return append(out, rtRow{ID: int64(n + 1), S: "neighbour", T: epoch}) // never written
}

// rowsN is rows repeated to n rows, numbered 1..n.
func (in rtInput) rowsN(n int) []rtRow {
	base := in.rows()
	out := make([]rtRow, n)
	for i := range out {
		out[i] = base[i%3]
		out[i].ID = int64(i + 1)
	}
	return out
}

var rtSeeds = []rtInput{
	{S: "a ", B: []byte{0xc3}, I: 1, F: 1.5, Unix: 1700000000, Nanos: 123456789, Zone: 330},
	{S: "  lead and trail  ", B: []byte("trailing \x00 nul "), I: math.MaxInt64, F: math.MaxFloat64, Unix: 0, Nanos: 1, Zone: -600},
	{S: `quotes ' " \ back\slash`, B: []byte{0xff, 0xfe, 0x00, 0x80}, I: math.MinInt64, F: math.Copysign(0, -1), Unix: -86400 * 365, Zone: 0},
	{S: "unicode: 日本語 🎉 é", B: []byte("\xed\xa0\x80 surrogate"), I: -1, F: math.SmallestNonzeroFloat64, Unix: 253402300799, Nanos: 999999999, Zone: 840},
	{S: "", B: []byte{}, I: 0, F: 0, Unix: 1, Zone: 1},
	{S: "0.1", B: nil, I: 42, F: 0.1, Unix: 951782400, Nanos: 500000, Zone: -1},
	{S: "x", B: []byte{0}, I: 32768, F: 12345678901234.5678, Unix: 1e9, Nanos: 999, Zone: 60},
	// The input that crashed MariaDB 10.11 in the old UNION ALL form: a
	// ~20 KB string and a ~20 KB []byte in one chunk. JSON_TABLE carries it.
	{S: strings.Repeat("ab ", 7000), B: []byte(strings.Repeat("\xc3\x00z", 7000)), I: 7, F: 7, Unix: 1e9, Zone: 0},
}

// rtDBs opens each configured database once for tb.
func rtDBs(tb testing.TB) []*dbtest.DB {
	tb.Helper()
	var out []*dbtest.DB
	for _, d := range dbtest.Dialects {
		if env := dbtest.EnvVar(d); env != "" && os.Getenv(env) == "" {
			continue
		}
		db := dbtest.Open(tb, d)
		for _, tbl := range []string{"rt_gorm", "rt_rows"} {
			if err := db.Table(tbl).AutoMigrate(&rtRow{}); err != nil {
				tb.Fatal(err)
			}
		}
		out = append(out, db)
	}
	return out
}

// roundTrip writes in's rows into rt_gorm with GORM's Updates (one
// transaction) and into rt_rows with UpdateRows (given extra options), and
// fails t unless both succeed and read back identical, or both fail and
// nothing changed.
func roundTrip(t *testing.T, db *dbtest.DB, in rtInput, extra ...batch.RowsOption) {
	t.Helper()
	_, _ = roundTripN(t, db, in, 3, extra...)
}

// roundTripN is roundTrip with in's rows repeated to n rows; it returns
// what UpdateRows returned.
func roundTripN(t *testing.T, db *dbtest.DB, in rtInput, n int, extra ...batch.RowsOption) (batch.Result, error) {
	t.Helper()
	for _, tbl := range []string{"rt_gorm", "rt_rows"} {
		if err := db.Exec("DELETE FROM " + tbl).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Table(tbl).Create(rtSeedN(n)).Error; err != nil {
			t.Fatal(err)
		}
	}
	rows := in.rowsN(n)
	gormErr := db.Transaction(func(tx *gorm.DB) error {
		for i := range rows {
			if err := tx.Table("rt_gorm").Select(rtColumns).Where("id = ?", rows[i].ID).Updates(&rows[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
	// Odd inputs write one row per chunk: the full-chunk statement is then
	// prepared once and reused (SQLite, MySQL). A strategy's own Size,
	// given after, takes precedence.
	var opts []batch.RowsOption
	if in.I%2 != 0 {
		opts = append(opts, batch.Size(1))
	}
	opts = append(opts, extra...)
	res, rowsErr := batch.UpdateRows(context.Background(), db.Table("rt_rows"), rows, rtColumns, opts...)
	if (gormErr == nil) != (rowsErr == nil) {
		t.Fatalf("%s: GORM's Updates err = %v, UpdateRows err = %v; want both to succeed or both to fail", db.Dialect, gormErr, rowsErr)
	}
	if rowsErr == nil && (res.Matched != int64(n) || res.Missing != 0) {
		t.Fatalf("%s: Result = %+v, want Matched %d", db.Dialect, res, n)
	}
	gotG, gotR := rtRead(t, db, "rt_gorm"), rtRead(t, db, "rt_rows")
	if !reflect.DeepEqual(gotG, gotR) {
		for i := range gotG {
			if i < len(gotR) && !reflect.DeepEqual(gotG[i], gotR[i]) {
				t.Errorf("%s: row %d differs:\n GORM       %q\n UpdateRows %q", db.Dialect, i+1, gotG[i], gotR[i])
			}
		}
		t.FailNow()
	}
	return res, rowsErr
}

// rtRead reads a table back as the driver returns it, every column as text
// or bytes, ordered by id.
func rtRead(t *testing.T, db *dbtest.DB, tbl string) [][]string {
	t.Helper()
	cur, err := db.Table(tbl).Order("id").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	cols, _ := cur.Columns()
	var out [][]string
	for cur.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := cur.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				row[i] = "NULL"
			case []byte:
				row[i] = fmt.Sprintf("%T:%q", x, x)
			case time.Time:
				row[i] = "time:" + x.UTC().Format(time.RFC3339Nano)
			default:
				row[i] = fmt.Sprintf("%T:%v", x, x)
			}
		}
		out = append(out, row)
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rtStrategies are the ways each round writes rt_rows: one statement per
// chunk at the default size; two-row chunks, the third row a short final
// chunk after the full one; two workers writing one-row chunks; BulkLoad,
// alone, with ListMissing, and loading two rows per INSERT or COPY read
// (the third a short one).
var rtStrategies = []struct {
	name string
	opts []batch.RowsOption
}{
	{"default", nil},
	{"ShortFinalChunk", []batch.RowsOption{batch.Size(2)}},
	{"Workers", []batch.RowsOption{batch.Workers(2), batch.Size(1)}},
	{"BulkLoad", []batch.RowsOption{batch.BulkLoad()}},
	{"BulkLoadListMissing", []batch.RowsOption{batch.BulkLoad(), batch.ListMissing()}},
	{"BulkLoadShortChunk", []batch.RowsOption{batch.BulkLoad(), batch.Size(2)}},
}

// TestUpdateRowsRoundTrip runs the fuzz seed corpus on every configured
// database: UpdateRows stores what GORM's own Updates stores.
func TestUpdateRowsRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for _, tbl := range []string{"rt_gorm", "rt_rows"} {
			if err := db.Table(tbl).AutoMigrate(&rtRow{}); err != nil {
				t.Fatal(err)
			}
		}
		for i, in := range rtSeeds {
			for _, st := range rtStrategies {
				name := fmt.Sprint(i)
				if st.opts != nil {
					name = st.name + "/" + name
				}
				t.Run(name, func(t *testing.T) { roundTrip(t, db, in, st.opts...) })
			}
		}
	})
}

// TestUpdateRowsRoundTripCapped writes 150 rows of each seed (but the
// ~20 KB one) at the default size: on SQLite, whose chunks carry at most
// 1,000 parameters (71 rows of 14 values), that is two full chunks, the
// prepared statement reused, and a short final chunk of 8 rows; elsewhere
// one statement.
func TestUpdateRowsRoundTripCapped(t *testing.T) {
	const n = 150
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		for _, tbl := range []string{"rt_gorm", "rt_rows"} {
			if err := db.Table(tbl).AutoMigrate(&rtRow{}); err != nil {
				t.Fatal(err)
			}
		}
		want := 1
		if db.Dialect == dbtest.SQLite {
			want = 3
		}
		for i, in := range rtSeeds[:len(rtSeeds)-1] {
			in.I &^= 1 // even: the default size, not one row per chunk
			for _, st := range []struct {
				name string
				opts []batch.RowsOption
			}{{"default", nil}, {"Workers", []batch.RowsOption{batch.Workers(2)}}} {
				t.Run(fmt.Sprint(st.name, "/", i), func(t *testing.T) {
					// Both GORM and UpdateRows refusing a value is checked by roundTripN.
					if res, err := roundTripN(t, db, in, n, st.opts...); err == nil && res.Statements != want {
						t.Errorf("%s: %d statements, want %d", db.Dialect, res.Statements, want)
					}
				})
			}
		}
	})
}

// FuzzUpdateRowsRoundTrip is the differential round trip with random
// values; the database is the oracle.
//
//	go test -run '^$' -fuzz FuzzUpdateRowsRoundTrip -fuzztime 3m ./batch
func FuzzUpdateRowsRoundTrip(f *testing.F) {
	for _, in := range rtSeeds {
		f.Add(in.S, in.B, in.I, in.F, in.Unix, in.Nanos, in.Zone)
	}
	dbs := rtDBs(f)
	f.Fuzz(func(t *testing.T, s string, b []byte, i int64, fl float64, unix, nanos, zone int64) {
		in := rtInput{S: s, B: b, I: i, F: fl, Unix: unix, Nanos: nanos, Zone: zone}
		for _, db := range dbs {
			for _, st := range rtStrategies {
				roundTrip(t, db, in, st.opts...)
			}
		}
	})
}

// The chunk that crashed MariaDB 10.11 (signal 11) was a UNION ALL of
// SELECT ? rows with CAST(? AS BINARY) carrying a ~20 KB string and a ~20 KB
// []byte. That form is gone: on MySQL and MariaDB the same rows travel as
// one JSON document read by JSON_TABLE (TestUpdateRowsRoundTrip writes them
// live on every database).
func TestUpdateRowsMySQLCrashFormGone(t *testing.T) {
	crash := rtSeeds[len(rtSeeds)-1]
	for _, d := range []string{dbtest.MySQL, dbtest.MariaDB} {
		t.Run(d, func(t *testing.T) {
			db, rec := shapeDB(t, d)
			if _, err := batch.UpdateRows(context.Background(), db.Table("rt_rows"), crash.rows(), rtColumns); err != nil {
				t.Fatal(err)
			}
			got := rec.Statements()
			if len(got) != 1 {
				t.Fatalf("%d statements, want 1", len(got))
			}
			q := got[0]
			for _, bad := range []string{"UNION", "CAST(", "SELECT"} {
				if strings.Contains(q, bad) {
					t.Errorf("statement contains %q: %.200s", bad, q)
				}
			}
			if !strings.HasPrefix(q, "UPDATE `rt_rows` JOIN JSON_TABLE('[[1,") || strings.Count(q, "JSON_TABLE(") != 1 {
				t.Errorf("statement = %.200s…, want one UPDATE … JOIN JSON_TABLE of one JSON document", q)
			}
			// The bytes travel hex-encoded and are decoded where assigned.
			if !strings.Contains(q, "`rt_rows`.`b` = UNHEX(`v`.`b`)") || !strings.Contains(q, "`b` LONGTEXT CHARACTER SET ascii PATH '$[3]'") {
				t.Errorf("statement does not hex-decode the bytes column: %.300s", q[strings.Index(q, "COLUMNS"):])
			}
		})
	}
}
