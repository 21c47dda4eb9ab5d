package batch_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// updKinds covers the Go field kinds GORM maps on every dialect, NULLs
// through pointers.
type updKinds struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	I16     int16
	I32     int32
	U32     uint32
	F32     float32
	F64     float64
	S       string `gorm:"size:40"`
	B       bool
	T       time.Time
	Bin     []byte
	NullInt *int64
	NullStr *string `gorm:"size:40"`
	NullT   *time.Time
}

func TestUpdateRowsFieldKinds(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &updKinds{})
		seed := []updKinds{{ID: 1, T: updEpoch}, {ID: 2, T: updEpoch, NullInt: new(int64), NullStr: strp("x"), NullT: &updEpoch}}
		dbtest.Seed(t, db.DB, seed)
		at := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
		n := int64(-42)
		rows := []updKinds{
			{ID: 1, I16: -32768, I32: 2147483647, U32: 4000000000, F32: 1.5, F64: -2.25, S: "héllo", B: true, T: at,
				Bin: []byte{0, 1, 255}, NullInt: &n, NullStr: strp("y"), NullT: &at},
			{ID: 2, T: at}, // zero values and NULLs
		}
		cols := []string{"i16", "i32", "u32", "f32", "f64", "s", "b", "t", "bin", "null_int", "null_str", "null_t"}
		res, err := batch.UpdateRows(context.Background(), db.DB, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 {
			t.Fatalf("Matched = %d, want 2", res.Matched)
		}
		var got []updKinds
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			w := rows[i]
			if g.I16 != w.I16 || g.I32 != w.I32 || g.U32 != w.U32 || g.F32 != w.F32 || g.F64 != w.F64 || g.S != w.S || g.B != w.B ||
				!g.T.Equal(w.T) || !bytes.Equal(g.Bin, w.Bin) || fmt.Sprint(derefAny(g.NullInt)) != fmt.Sprint(derefAny(w.NullInt)) ||
				fmt.Sprint(derefAny(g.NullStr)) != fmt.Sprint(derefAny(w.NullStr)) || !sameTime(g.NullT, w.NullT) {
				t.Errorf("row %d:\n got %+v\nwant %+v", w.ID, g, w)
			}
		}
	})
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func derefAny[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// updPgTypes covers the PostgreSQL column types UpdateRows must cast to.
type updPgTypes struct {
	ID      int64      `gorm:"primaryKey;autoIncrement:false"`
	Small   int16      `gorm:"type:smallint"`
	Int     int32      `gorm:"type:integer"`
	Big     int64      `gorm:"type:bigint"`
	Num     float64    `gorm:"type:numeric(10,2)"`
	Real    float32    `gorm:"type:real"`
	Dbl     float64    `gorm:"type:double precision"`
	Txt     string     `gorm:"type:text"`
	Vc      string     `gorm:"type:varchar(20)"`
	Flag    bool       `gorm:"type:boolean"`
	Day     time.Time  `gorm:"type:date"`
	TS      time.Time  `gorm:"type:timestamp"`
	TSZ     time.Time  `gorm:"type:timestamptz"`
	UID     string     `gorm:"type:uuid"`
	JS      string     `gorm:"type:json"`
	JSB     string     `gorm:"type:jsonb"`
	Bin     []byte     `gorm:"type:bytea"`
	NullUID *string    `gorm:"type:uuid"`
	NullJSB *string    `gorm:"type:jsonb"`
	NullDay *time.Time `gorm:"type:date"`
	NullNum *float64   `gorm:"type:numeric(10,2)"`
}

// PostgreSQL turns untyped VALUES parameters into text; UpdateRows casts
// every value to its column's exact type, NULLs included.
func TestUpdateRowsPostgresTypes(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres) // these column types are PostgreSQL's own
	dbtest.Migrate(t, db, &updPgTypes{})
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	uid := "6f1c2b9e-8d3a-4c5e-9b7f-0a1b2c3d4e5f"
	seed := []updPgTypes{
		{ID: 1, Day: day, TS: day, TSZ: day, UID: uid, JS: "{}", JSB: "{}", NullUID: &uid, NullJSB: strp(`{"k": 0}`), NullDay: &day},
		{ID: 2, Day: day, TS: day, TSZ: day, UID: uid, JS: "{}", JSB: "{}"},
	}
	dbtest.Seed(t, db.DB, seed)
	ts := time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC)
	uid2 := "00000000-0000-0000-0000-0000000000ff"
	num := 7.5
	rows := []updPgTypes{
		{ID: 1, Small: -32768, Int: 2147483647, Big: 1 << 62, Num: 12345678.91, Real: 0.5, Dbl: 1e300, Txt: "it's", Vc: "vc",
			Flag: true, Day: day.AddDate(0, 0, 1), TS: ts, TSZ: ts, UID: uid2, JS: `{"a":  1}`, JSB: `{"b": [1, 2]}`,
			Bin: []byte{0xde, 0xad}, NullUID: nil, NullJSB: nil, NullDay: nil, NullNum: nil},
		{ID: 2, Day: day, TS: ts, TSZ: ts, UID: uid, JS: "null", JSB: "[]", NullUID: &uid2, NullJSB: strp(`{"x": true}`),
			NullDay: &day, NullNum: &num},
	}
	cols := []string{"small", "int", "big", "num", "real", "dbl", "txt", "vc", "flag", "day", "ts", "tsz", "uid", "js", "jsb", "bin",
		"null_uid", "null_jsb", "null_day", "null_num"}
	res, err := batch.UpdateRows(context.Background(), db.DB, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 2 {
		t.Fatalf("Matched = %d, want 2", res.Matched)
	}
	var got []updPgTypes
	if err := db.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	for i, g := range got {
		w := rows[i]
		ok := g.Small == w.Small && g.Int == w.Int && g.Big == w.Big && g.Num == w.Num && g.Real == w.Real && g.Dbl == w.Dbl &&
			g.Txt == w.Txt && g.Vc == w.Vc && g.Flag == w.Flag && g.Day.Equal(w.Day) && g.TS.Equal(w.TS) && g.TSZ.Equal(w.TSZ) &&
			g.UID == w.UID && g.JS == w.JS && g.JSB == w.JSB && bytes.Equal(g.Bin, w.Bin) &&
			fmt.Sprint(derefAny(g.NullUID)) == fmt.Sprint(derefAny(w.NullUID)) && fmt.Sprint(derefAny(g.NullJSB)) == fmt.Sprint(derefAny(w.NullJSB)) &&
			sameTime(g.NullDay, w.NullDay) && fmt.Sprint(derefAny(g.NullNum)) == fmt.Sprint(derefAny(w.NullNum))
		if !ok {
			t.Errorf("row %d:\n got %+v\nwant %+v", w.ID, g, w)
		}
	}
}
