package projection_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type withMissing struct {
	ID      int64
	Missing string
}

type withBadColumn struct {
	ID   int64
	Mail string `gorm:"column:mail"`
}

type withBadJoinedColumn struct {
	ID         int64
	OwnerEmail string `projection:"table:Owner" gorm:"column:email"`
}

type withUnknownTable struct {
	ID    int64
	Ghost string `projection:"table:ghosts" gorm:"column:name"`
}

type withNestedStruct struct {
	ID      int64
	Contact Contact
}

type withEmbeddedPointer struct {
	*accountKey
	Email string
}

type withBadTag struct {
	ID    int64
	Email string `projection:"colour:red"`
}

type withNoColumns struct {
	Skipped string `gorm:"-"`
}

// validationCase runs one entry point and returns its error.
type entryPoint struct {
	name string
	run  func(ctx context.Context, db *gorm.DB) error
}

func entryPoints[T any]() []entryPoint {
	return []entryPoint{
		{"Find", func(ctx context.Context, db *gorm.DB) error { _, err := projection.Find[T](ctx, db); return err }},
		{"First", func(ctx context.Context, db *gorm.DB) error { _, err := projection.First[T](ctx, db); return err }},
		{"Each", func(ctx context.Context, db *gorm.DB) error {
			n := 0
			var last error
			for _, err := range projection.Each[T](ctx, db) {
				n++
				last = err
			}
			if n != 1 {
				return errors.New("Each yielded more than one value on a validation error")
			}
			return last
		}},
		{"Columns", func(_ context.Context, db *gorm.DB) error { _, err := projection.Columns[T](db); return err }},
		{"Apply", func(_ context.Context, db *gorm.DB) error { _, err := projection.Apply[T](db); return err }},
	}
}

func TestValidationFailsBeforeAnySQL(t *testing.T) {
	cases := []struct {
		name   string
		points []entryPoint
		model  bool
		want   error
		field  *projection.FieldError // expected details, Err included
		text   []string               // substrings of Error()
	}{
		{"unknown field", entryPoints[withMissing](), true, projection.ErrUnknownField,
			&projection.FieldError{DTO: "withMissing", Model: "Account", Field: "Missing", Column: "missing", Table: "accounts", Err: projection.ErrUnknownField},
			[]string{"withMissing.Missing", "Account", `"missing"`}},
		{"unknown column tag", entryPoints[withBadColumn](), true, projection.ErrUnknownField,
			&projection.FieldError{DTO: "withBadColumn", Model: "Account", Field: "Mail", Column: "mail", Table: "accounts", Err: projection.ErrUnknownField}, nil},
		{"unknown column of joined table", entryPoints[withBadJoinedColumn](), true, projection.ErrUnknownField,
			&projection.FieldError{DTO: "withBadJoinedColumn", Model: "Account", Field: "OwnerEmail", Column: "email", Table: "Owner", Err: projection.ErrUnknownField}, nil},
		{"unknown table", entryPoints[withUnknownTable](), true, projection.ErrUnknownTable,
			&projection.FieldError{DTO: "withUnknownTable", Model: "Account", Field: "Ghost", Table: "ghosts", Err: projection.ErrUnknownTable},
			[]string{"ghosts"}},
		{"nested struct not embedded", entryPoints[withNestedStruct](), true, projection.ErrUnsupportedField, nil, []string{"withNestedStruct.Contact", "embedded"}},
		{"embedded pointer", entryPoints[withEmbeddedPointer](), true, projection.ErrUnsupportedField, nil, []string{"by value"}},
		{"bad tag", entryPoints[withBadTag](), true, projection.ErrUnsupportedField, nil, []string{`"colour"`}},
		{"no columns", entryPoints[withNoColumns](), true, projection.ErrNoColumns, nil, nil},
		{"not a struct", entryPoints[int](), true, projection.ErrNotStruct, nil, nil},
		{"no model", entryPoints[accountBrief](), false, projection.ErrNoModel, nil, nil},
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		for _, c := range cases {
			for _, p := range c.points {
				t.Run(c.name+"/"+p.name, func(t *testing.T) {
					cdb, rec := dbtest.Capture(db.DB)
					q := cdb.Where("id > ?", 0)
					if c.model {
						q = q.Model(&Account{})
					}
					err := p.run(ctx, q)
					if !errors.Is(err, c.want) {
						t.Fatalf("err = %v; want %v", err, c.want)
					}
					if c.field != nil {
						var fe *projection.FieldError
						if !errors.As(err, &fe) || *fe != *c.field {
							t.Fatalf("err = %#v; want %#v", err, c.field)
						}
					}
					for _, s := range c.text {
						if !strings.Contains(err.Error(), s) {
							t.Fatalf("error %q does not mention %q", err, s)
						}
					}
					if s := rec.Statements(); len(s) != 0 {
						t.Fatalf("statements were sent: %q", s)
					}
				})
			}
		}
	})
}

func TestPluckUnknownColumnSendsNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		cdb, rec := dbtest.Capture(db.DB)
		_, err := projection.Pluck[string](context.Background(), cdb.Model(&Account{}), "mail")
		var fe *projection.FieldError
		if !errors.As(err, &fe) || fe.Err != projection.ErrUnknownField || fe.Field != "mail" || fe.Model != "Account" || fe.DTO != "string" {
			t.Fatalf("err = %#v; want a FieldError for mail", err)
		}
		_, err = projection.Pluck[string](context.Background(), cdb, "email")
		if !errors.Is(err, projection.ErrNoModel) {
			t.Fatalf("without a model: err = %v; want ErrNoModel", err)
		}
		if s := rec.Statements(); len(s) != 0 {
			t.Fatalf("statements were sent: %q", s)
		}
	})
}

func TestModelThatIsNotAStructSendsNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		cdb, rec := dbtest.Capture(db.DB)
		n := 42
		_, err := projection.Find[accountBrief](context.Background(), cdb.Model(&n))
		if !errors.Is(err, schema.ErrUnsupportedDataType) || !strings.Contains(err.Error(), "projection: parsing model *int") {
			t.Fatalf("err = %v; want schema.ErrUnsupportedDataType wrapped", err)
		}
		if s := rec.Statements(); len(s) != 0 {
			t.Fatalf("statements were sent: %q", s)
		}
	})
}
