package dialect_test

import (
	"context"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

func TestBulk(t *testing.T) {
	want := map[string]dialect.BulkStrategy{
		dbtest.Postgres:  dialect.BulkUnnest,
		dbtest.MySQL:     dialect.BulkJSONTable,
		dbtest.MariaDB:   dialect.BulkJSONTable,
		dbtest.SQLite:    dialect.BulkValuesColumnN,
		dbtest.SQLServer: dialect.BulkJoinValues,
	}
	for _, name := range dbtest.DryRunDialects {
		if got := dialect.MustOf(dbtest.DryRun(t, name)).Bulk(); got != want[name] {
			t.Errorf("%s: Bulk() = %d, want %d", name, got, want[name])
		}
	}
}

type castModel struct {
	ID    int64 `gorm:"primaryKey"`
	Small int16
	Int   int32
	Big   int64
	F32   float32
	Num   float64 `gorm:"precision:10;scale:2"`
	Name  string  `gorm:"size:20"`
	Text  string
	Flag  bool
	At    time.Time
	Bin   []byte
	UID   string `gorm:"type:uuid"`
	Doc   string `gorm:"type:jsonb not null"`
	Day   string `gorm:"type:date default current_date"`
}

func TestFieldCast(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.Postgres)
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(&castModel{}); err != nil {
		t.Fatal(err)
	}
	d := dialect.MustOf(db)
	want := map[string]string{
		"id": "bigint", "small": "smallint", "int": "integer", "big": "bigint", "f32": "decimal", "num": "numeric(10, 2)",
		"name": "varchar", "text": "text", "flag": "boolean", "at": "timestamptz", "bin": "bytea", "uid": "uuid",
		"doc": "jsonb", "day": "date",
	}
	for col, w := range want {
		if got := d.FieldCast(db, stmt.Schema.LookUpField(col)); got != w {
			t.Errorf("FieldCast(%s) = %q, want %q", col, got, w)
		}
	}
	if got := dialect.MustOf(dbtest.DryRun(t, dbtest.MySQL)).FieldCast(db, stmt.Schema.LookUpField("id")); got != "" {
		t.Errorf("MySQL FieldCast = %q, want empty", got)
	}
	// ColumnCasts needs a live server; DryRun answers nil.
	if casts, err := d.ColumnCasts(context.Background(), db, "cast_models"); casts != nil || err != nil {
		t.Errorf("DryRun ColumnCasts = %v, %v; want nil, nil", casts, err)
	}
}

func TestColumnCasts(t *testing.T) {
	db := dbtest.Open(t, dbtest.Postgres)
	dbtest.MustExec(t, db.DB, `CREATE TABLE cast_live (id bigserial PRIMARY KEY, v varchar(7), n numeric(6,1), u uuid, j jsonb, t timestamptz, d double precision)`)
	casts, err := dialect.MustOf(db.DB).ColumnCasts(context.Background(), db.DB, "cast_live")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "bigint", "v": "character varying", "n": "numeric(6,1)", "u": "uuid", "j": "jsonb",
		"t": "timestamp with time zone", "d": "double precision"}
	if len(casts) != len(want) {
		t.Fatalf("casts = %v, want %v", casts, want)
	}
	for k, v := range want {
		if casts[k] != v {
			t.Errorf("cast of %s = %q, want %q", k, casts[k], v)
		}
	}
}
