package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

type updNoKey struct {
	Name string
}

// Every bad input gets a typed error before anything is written.
func TestBadInputsWriteNothing(t *testing.T) {
	all := map[string]any{"status": "hacked"}
	type tc struct {
		name string
		call func(ctx context.Context, db *gorm.DB) error
		want error
		as   any // optional pointer to a typed error errors.As must fill
	}
	upd := func(build func(db *gorm.DB) *gorm.DB, values any, opts ...batch.UpdateOption) func(context.Context, *gorm.DB) error {
		return func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.Update(ctx, build(db), values, opts...)
			return err
		}
	}
	rowsCall := func(rows []updAccount, cols []string, opts ...batch.RowsOption) func(context.Context, *gorm.DB) error {
		return func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db, rows, cols, opts...)
			return err
		}
	}
	model := func(db *gorm.DB) *gorm.DB { return db.Model(&updAccount{}) }
	one := func(db *gorm.DB) *gorm.DB { return db.Model(&updAccount{}).Where("id = ?", 1) }
	cases := []tc{
		{"nil db", func(ctx context.Context, _ *gorm.DB) error { _, err := batch.Update(ctx, nil, all); return err }, batch.ErrNilDB, nil},
		{"no model", upd(func(db *gorm.DB) *gorm.DB { return db.Where("id = 1") }, all), batch.ErrNoModel, nil},
		{"non-pointer model", upd(func(db *gorm.DB) *gorm.DB { return db.Model(updAccount{}).Where("id = 1") }, all), batch.ErrBadModel, nil},
		{"model of non-struct", upd(func(db *gorm.DB) *gorm.DB { return db.Model(new(int)).Where("id = 1") }, all), batch.ErrBadModel, nil},
		{"no condition", upd(model, all), batch.ErrNoCondition, nil},
		{"1=1", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("1=1") }, all), batch.ErrNoCondition, nil},
		{"TRUE", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("TRUE") }, all), batch.ErrNoCondition, nil},
		{"'a'='a'", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("'a' = 'a'") }, all), batch.ErrNoCondition, nil},
		{"bound tautology", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("? = ?", 1, 1) }, all), batch.ErrNoCondition, nil},
		{"or tautology", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("status = ?", "x").Or("1 = 1") }, all), batch.ErrNoCondition, nil},
		{"Not id empty slice", upd(func(db *gorm.DB) *gorm.DB { return model(db).Not("id", []int{}) }, all), batch.ErrNoCondition, nil},
		{"Not id empty map", upd(func(db *gorm.DB) *gorm.DB { return model(db).Not(map[string]any{"id": []int{}}) }, all), batch.ErrNoCondition, nil},
		{"zero struct condition", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where(&updAccount{}) }, all), batch.ErrNoCondition, nil},
		{"soft-delete only", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("deleted_at IS NULL") }, all), batch.ErrNoCondition, nil},
		{"unknown column", upd(one, map[string]any{"nope": 1}), batch.ErrUnknownColumn, new(*batch.ColumnError)},
		{"injection in column name", upd(one, map[string]any{"status = 'x', balance": 1}), batch.ErrUnknownColumn, new(*batch.ColumnError)},
		{"statement injection in column", upd(one, map[string]any{"status; DROP TABLE upd_accounts; --": 1}), batch.ErrUnknownColumn, nil},
		{"association-like name", upd(one, map[string]any{"deleted_at.valid": 1}), batch.ErrUnknownColumn, nil},
		{"primary key column", upd(one, map[string]any{"id": 5}), batch.ErrPrimaryKeyColumn, new(*batch.ColumnError)},
		{"primary key field name", upd(one, map[string]any{"ID": 5, "status": "x"}), batch.ErrPrimaryKeyColumn, nil},
		{"empty map", upd(one, map[string]any{}), batch.ErrNoColumns, nil},
		{"nil values", upd(one, nil), batch.ErrNoColumns, nil},
		{"struct without columns", upd(one, updAccount{Status: "x"}), batch.ErrNoColumns, nil},
		{"struct of another type", upd(one, updMembership{Role: "x"}, batch.Columns("role")), batch.ErrBadValues, nil},
		{"scalar values", upd(one, 42), batch.ErrBadValues, nil},
		{"struct with key column", upd(one, updAccount{ID: 9}, batch.Columns("id")), batch.ErrPrimaryKeyColumn, nil},
		{"negative MaxRows", upd(one, all, batch.MaxRows(-1)), batch.ErrBadOption, nil},
		{"too many rows", upd(func(db *gorm.DB) *gorm.DB { return model(db).Where("id > ?", 1) }, all, batch.MaxRows(1)), batch.ErrTooManyRows, new(*batch.TooManyRowsError)},
		{"keys: empty", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{}, all)
			return err
		}, batch.ErrEmpty, nil},
		{"keys: nil", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys[int64](ctx, db.Model(&updAccount{}), nil, all)
			return err
		}, batch.ErrEmpty, nil},
		{"keys: duplicate", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{1, 2, 1}, all)
			return err
		}, batch.ErrDuplicateKey, new(*batch.KeyError)},
		{"keys: composite-key model", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updMembership{}), []int64{1}, map[string]any{"role": "x"})
			return err
		}, batch.ErrNoPrimaryKey, nil},
		{"keys: chunk over the parameter limit", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{1}, all, batch.Size(70000))
			return err
		}, batch.ErrBadOption, nil},
		{"keys: unknown column", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{1}, map[string]any{"1=1; --": 1})
			return err
		}, batch.ErrUnknownColumn, nil},
		{"rows: empty", rowsCall([]updAccount{}, []string{"status"}), batch.ErrEmpty, nil},
		{"rows: nil", rowsCall(nil, []string{"status"}), batch.ErrEmpty, nil},
		{"rows: nil pointer row", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db, []*updAccount{{ID: 1}, nil}, []string{"status"})
			return err
		}, batch.ErrNilRow, new(*batch.KeyError)},
		{"rows: duplicate key", rowsCall([]updAccount{{ID: 1}, {ID: 2}, {ID: 1}}, []string{"status"}), batch.ErrDuplicateKey, new(*batch.KeyError)},
		{"rows: duplicate composite key", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db, []updMembership{{TenantID: 1, Code: "a"}, {TenantID: 1, Code: "a"}}, []string{"role"})
			return err
		}, batch.ErrDuplicateKey, nil},
		{"rows: no columns", rowsCall([]updAccount{{ID: 1}}, nil), batch.ErrNoColumns, nil},
		{"rows: unknown column", rowsCall([]updAccount{{ID: 1}}, []string{"status", "bogus"}), batch.ErrUnknownColumn, nil},
		{"rows: injection in column", rowsCall([]updAccount{{ID: 1}}, []string{`status" = 'x' --`}), batch.ErrUnknownColumn, nil},
		{"rows: key column", rowsCall([]updAccount{{ID: 1}}, []string{"id"}), batch.ErrPrimaryKeyColumn, nil},
		{"rows: column twice", rowsCall([]updAccount{{ID: 1}}, []string{"status", "Status"}), batch.ErrDuplicateColumn, nil},
		{"rows: not a struct", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db, []int{1, 2}, []string{"status"})
			return err
		}, batch.ErrBadModel, nil},
		{"rows: model mismatch", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db.Model(&updMembership{}), []updAccount{{ID: 1}}, []string{"status"})
			return err
		}, batch.ErrModelMismatch, nil},
		{"rows: no primary key", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db, []updNoKey{{Name: "x"}}, []string{"name"})
			return err
		}, batch.ErrNoPrimaryKey, nil},
		{"rows: unknown version field", rowsCall([]updAccount{{ID: 1}}, []string{"status"}, batch.CheckVersion("Revision")), batch.ErrUnknownColumn, nil},
		{"rows: chunk over the parameter limit", rowsCall([]updAccount{{ID: 1}}, []string{"status"}, batch.Size(40000)), batch.ErrBadOption, nil},
		{"rows: conditions on db", func(ctx context.Context, db *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, db.Where("status = ?", "trial"), []updAccount{{ID: 2, Status: "hacked"}}, []string{"status"})
			return err
		}, batch.ErrConditions, nil},
		{"rows: CommitEach in a transaction", func(ctx context.Context, db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				_, err := batch.UpdateRows(ctx, tx, []updAccount{{ID: 1, Status: "hacked"}}, []string{"status"}, batch.CommitEach())
				return err
			})
		}, batch.ErrInTransaction, nil},
	}
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		dbtest.Migrate(t, db, &updMembership{})
		dbtest.Seed(t, db.DB, []updMembership{{TenantID: 1, Code: "a", Role: "r"}})
		before := fingerprint(t, db.DB)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.call(context.Background(), db.DB)
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
				if c.as != nil && !errors.As(err, c.as) {
					t.Fatalf("err = %v (%T) does not unwrap to %T", err, err, c.as)
				}
				if after := fingerprint(t, db.DB); after != before {
					t.Fatalf("a refused call wrote rows:\nbefore %s\nafter  %s", before, after)
				}
				var role string
				if err := db.Model(&updMembership{}).Where("tenant_id = 1").Pluck("role", &role).Error; err != nil || role != "r" {
					t.Fatalf("membership role = %q (%v), want r", role, err)
				}
			})
		}
	})
}

// Values are bound, never spliced: an injection attempt is stored as text.
func TestValuesAreBound(t *testing.T) {
	evil := "x'); DROP TABLE upd_accounts; --"
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 3)
		ctx := context.Background()
		if _, err := batch.Update(ctx, db.Model(&updAccount{}).Where("id = ?", 1), map[string]any{"note": evil}); err != nil {
			t.Fatal(err)
		}
		if _, err := batch.UpdateRows(ctx, db.DB, []updAccount{{ID: 2, Note: &evil}}, []string{"note"}); err != nil {
			t.Fatal(err)
		}
		if n, err := batch.UpdateKeys(ctx, db.Model(&updAccount{}), []int64{3}, map[string]any{"note": evil}); err != nil || n != 1 {
			t.Fatalf("UpdateKeys = %d, %v", n, err)
		}
		got := loadAccounts(t, db.DB)
		if len(got) != 3 {
			t.Fatalf("%d rows, want 3", len(got))
		}
		for id := int64(1); id <= 3; id++ {
			if got[id].Note == nil || *got[id].Note != evil {
				t.Errorf("row %d note = %v, want the literal text", id, deref(got[id].Note))
			}
		}
	})
}
