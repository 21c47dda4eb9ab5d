package projection_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

type docMeta struct {
	Author string
	Pages  int
}

// doc is a model with serialized fields: a JSON list, a JSON struct, a
// nullable JSON struct and a gob-encoded map.
type doc struct {
	ID    int64 `gorm:"primaryKey"`
	Title string
	Tags  []string          `gorm:"serializer:json"`
	Meta  docMeta           `gorm:"serializer:json"`
	Extra *docMeta          `gorm:"serializer:json"`
	Blob  map[string]string `gorm:"serializer:gob;type:bytes"`
}

// docDTO reads three of the serialized fields, declared as GORM declares them.
type docDTO struct {
	ID    int64
	Tags  []string          `gorm:"serializer:json"`
	Meta  docMeta           `gorm:"serializer:json"`
	Extra *docMeta          `gorm:"serializer:json"`
	Blob  map[string]string `gorm:"serializer:gob;type:bytes"`
}

// docTitle reads plain columns only, for db.Table queries with no Model.
type docTitle struct {
	ID    int64
	Title string
}

func seedDocs(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &doc{})
	dbtest.Seed(t, db.DB, []doc{
		{ID: 1, Title: "one", Tags: []string{"a", "b "}, Meta: docMeta{"Ann", 3}, Extra: &docMeta{"x", 1}, Blob: map[string]string{"k": "v"}},
		{ID: 2, Title: "two", Tags: nil, Meta: docMeta{}, Extra: nil, Blob: nil},
		{ID: 3, Title: "three", Tags: []string{}, Meta: docMeta{"Ünïcode \"q\"", -1}, Blob: map[string]string{}},
	})
}

// Projection reads serializer: fields exactly as GORM's own Select + Find
// does, on every database, through Find, First and Each.
func TestSerializerFieldsMatchGORM(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedDocs(t, db)
		ctx := context.Background()
		var want []docDTO
		if err := db.Model(&doc{}).Select("id", "tags", "meta", "extra", "blob").Order("id").Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		if len(want) != 3 || want[0].Meta.Author != "Ann" || want[0].Blob["k"] != "v" || want[1].Extra != nil {
			t.Fatalf("GORM's own read is not the seed: %+v", want)
		}
		got, err := projection.Find[docDTO](ctx, db.Model(&doc{}).Order("id"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Find:\n got  %+v\n want %+v", got, want)
		}
		first, err := projection.First[docDTO](ctx, db.Model(&doc{}).Where("id = ?", 3))
		if err != nil || !reflect.DeepEqual(first, want[2]) {
			t.Fatalf("First: got %+v, %v; want %+v", first, err, want[2])
		}
		var each []docDTO
		for row, err := range projection.Each[docDTO](ctx, db.Model(&doc{}).Order("id")) {
			if err != nil {
				t.Fatal(err)
			}
			each = append(each, row)
		}
		if !reflect.DeepEqual(each, want) {
			t.Fatalf("Each:\n got  %+v\n want %+v", each, want)
		}
	})
}

type withUnknownSerializer struct {
	ID   int64
	Tags []string `gorm:"serializer:nosuch"`
}

type serializerInJoined struct {
	ID    int64
	Owner struct {
		Tags []string `gorm:"serializer:json"`
	} `projection:"table:Owner"`
}

// A serializer field projection cannot decode as GORM does is refused with a
// *FieldError before any SQL.
func TestSerializerRefusalsSendNoSQL(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedDocs(t, db)
		cdb, rec := dbtest.Capture(db.DB)
		_, err := projection.Find[withUnknownSerializer](context.Background(), cdb.Model(&doc{}))
		var fe *projection.FieldError
		if !errors.Is(err, projection.ErrUnsupportedField) || !errors.As(err, &fe) || fe.Field != "Tags" {
			t.Fatalf("unknown serializer: got %v, want a *FieldError on Tags wrapping ErrUnsupportedField", err)
		}
		_, err = projection.Find[serializerInJoined](context.Background(), cdb.Model(&Account{}))
		if !errors.Is(err, projection.ErrUnsupportedField) {
			t.Fatalf("serializer in a joined struct: got %v, want ErrUnsupportedField", err)
		}
		if n := len(rec.Statements()); n != 0 {
			t.Fatalf("%d statements sent, want none: %q", n, rec.Statements())
		}
	})
}

// A Model-less db.Table query reads like GORM's db.Table(...).Find(&dtos),
// with a plain name, an alias, and in the plain-name form its columns checked
// against the catalog before the query.
func TestTableQueriesMatchGORM(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedDocs(t, db)
		ctx := context.Background()
		qualifier := "main"
		if q := map[string]string{dbtest.Postgres: "SELECT current_schema()", dbtest.MySQL: "SELECT DATABASE()", dbtest.SQLServer: "SELECT SCHEMA_NAME()"}[db.Dialect]; q != "" {
			if err := db.Raw(q).Scan(&qualifier).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name  string
			query func(*gorm.DB) *gorm.DB
		}{
			{"qualified", func(db *gorm.DB) *gorm.DB { return db.Table(qualifier+".docs").Where("id > ?", 1).Order("id") }},
			{"name", func(db *gorm.DB) *gorm.DB { return db.Table("docs").Where("id > ?", 1).Order("id") }},
			{"alias", func(db *gorm.DB) *gorm.DB { return db.Table("docs AS d").Where("d.id > ?", 1).Order("d.id") }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var want []docTitle
				if err := tt.query(db.DB).Find(&want).Error; err != nil {
					t.Fatal(err)
				}
				if len(want) != 2 || want[0].Title != "two" {
					t.Fatalf("GORM read %+v", want)
				}
				got, err := projection.Find[docTitle](ctx, tt.query(db.DB))
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("Find: got %+v, %v; want %+v", got, err, want)
				}
				first, err := projection.First[docTitle](ctx, tt.query(db.DB))
				if err != nil || first != want[0] {
					t.Fatalf("First: got %+v, %v; want %+v", first, err, want[0])
				}
			})
		}
		// Serializer fields through db.Table too.
		got, err := projection.Find[docDTO](ctx, db.Table("docs").Order("id"))
		var want []docDTO
		if err2 := db.Table("docs").Order("id").Find(&want).Error; err != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("serializer via db.Table: got %+v, %v; GORM %+v, %v", got, err, want, err2)
		}
	})
}

type docGhost struct {
	ID    int64
	Ghost string
}

// A DTO column the table does not have, a table expression and a query with
// neither Model nor Table are refused before the query runs.
func TestTableQueryRefusals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedDocs(t, db)
		ctx := context.Background()
		_, err := projection.Find[docGhost](ctx, db.Table("docs"))
		var fe *projection.FieldError
		if !errors.Is(err, projection.ErrUnknownField) || !errors.As(err, &fe) || fe.Column != "ghost" || fe.Table != "docs" {
			t.Fatalf("unknown column: got %v, want a *FieldError for ghost on docs wrapping ErrUnknownField", err)
		}
		if got, err := projection.Find[docTitle](ctx, db.Table("gormup_no_such_schema.docs")); err == nil || got != nil {
			t.Fatalf("a table in a schema that does not exist: got %v, %v; want a refusal", got, err)
		}
		sub := db.Model(&doc{}).Select("id", "title")
		if _, err := projection.Find[docTitle](ctx, db.Table("(?) AS u", sub)); !errors.Is(err, projection.ErrNoModel) {
			t.Fatalf("subquery table: got %v, want ErrNoModel", err)
		}
		if _, err := projection.Find[docTitle](ctx, db.DB); !errors.Is(err, projection.ErrNoModel) {
			t.Fatalf("no model, no table: got %v, want ErrNoModel", err)
		}
		if _, err := projection.Pluck[string](ctx, db.Table("docs"), "title"); !errors.Is(err, projection.ErrNoModel) {
			t.Fatalf("Pluck on a table: got %v, want ErrNoModel", err)
		}
	})
}

// A Model-less db.Table query selects the DTO's columns qualified with the
// table (or its alias) on every dialect, SQL Server included; DryRun reads
// no catalog.
func TestShapeTableQueries(t *testing.T) {
	want := map[string][]string{
		dbtest.Postgres:  {`"docs"."id"`, `"docs"."title"`},
		dbtest.MySQL:     {"`docs`.`id`", "`docs`.`title`"},
		dbtest.MariaDB:   {"`docs`.`id`", "`docs`.`title`"},
		dbtest.SQLite:    {"`docs`.`id`", "`docs`.`title`"},
		dbtest.SQLServer: {`"docs"."id"`, `"docs"."title"`},
	}
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			got, err := projection.Columns[docTitle](dbtest.DryRun(t, d).Table("docs"))
			if err != nil || !reflect.DeepEqual(got, want[d]) {
				t.Fatalf("got %q, %v; want %q", got, err, want[d])
			}
			var sink []docTitle
			q, err := projection.Apply[docTitle](dbtest.DryRun(t, d).Table("docs AS d"))
			if err != nil {
				t.Fatal(err)
			}
			sql := q.Find(&sink).Statement.SQL.String()
			if want := "SELECT " + strings.ReplaceAll(strings.Join(want[d], ","), "docs", "d") + " FROM docs AS d"; sql != want {
				t.Fatalf("SQL %q, want %q", sql, want)
			}
		})
	}
}
