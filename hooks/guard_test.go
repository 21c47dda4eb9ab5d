package hooks_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// guardItem is the soft-deletable model of the Guard tests.
type guardItem struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Qty       int
	DeletedAt gorm.DeletedAt
}

// guardSeed is the content every Guard test starts from.
var guardSeed = []guardItem{{ID: 1, Name: "a", Qty: 1}, {ID: 2, Name: "b", Qty: 2}, {ID: 3, Name: "c", Qty: 3}}

func guardSetup(t *testing.T, db *dbtest.DB, g *hooks.Guard) {
	t.Helper()
	dbtest.Migrate(t, db, &guardItem{})
	dbtest.Seed(t, db.DB, guardSeed)
	if err := db.Use(g); err != nil {
		t.Fatalf("installing Guard: %v", err)
	}
}

// guardRows reads every row back, soft-deleted ones included.
func guardRows(t *testing.T, db *gorm.DB) []guardItem {
	t.Helper()
	var rows []guardItem
	if err := db.Unscoped().Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// assertUntouched fails unless the table still holds guardSeed exactly.
func assertUntouched(t *testing.T, db *gorm.DB) {
	t.Helper()
	got := guardRows(t, db)
	if len(got) != len(guardSeed) {
		t.Fatalf("%d rows, want %d", len(got), len(guardSeed))
	}
	for i, r := range got {
		w := guardSeed[i]
		if r.ID != w.ID || r.Name != w.Name || r.Qty != w.Qty || r.DeletedAt.Valid {
			t.Errorf("row %d = %+v, want %+v (not deleted)", i, r, w)
		}
	}
}

// guardVacuous lists statements Guard must refuse, with the reason and the
// operation it reports.
var guardVacuous = []struct {
	name   string
	run    func(db *gorm.DB) error
	reason hooks.UnboundedReason
	op     hooks.Operation
}{
	{"update without where", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Update("qty", 0).Error
	}, hooks.ReasonSoftDeleteOnly, hooks.OpUpdate},
	{"unscoped update without where", func(db *gorm.DB) error {
		return db.Unscoped().Model(&guardItem{}).Update("qty", 0).Error
	}, hooks.ReasonMissing, hooks.OpUpdate},
	{"model with zero key", func(db *gorm.DB) error {
		return db.Unscoped().Model(&guardItem{}).Updates(guardItem{Qty: 9}).Error
	}, hooks.ReasonMissing, hooks.OpUpdate},
	{"1=1", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Where("1=1").Update("qty", 0).Error
	}, hooks.ReasonNoBound, hooks.OpUpdate},
	{"TRUE on delete", func(db *gorm.DB) error {
		return db.Where("TRUE").Delete(&guardItem{}).Error
	}, hooks.ReasonNoBound, hooks.OpDelete},
	{"bound tautology", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Where("? = ?", 5, 5).Update("name", "x").Error
	}, hooks.ReasonNoBound, hooks.OpUpdate},
	{"tautology OR condition", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Where("name = ?", "a").Or("1 = 1").Update("qty", 0).Error
	}, hooks.ReasonNoBound, hooks.OpUpdate},
	{"Not id in empty slice", func(db *gorm.DB) error {
		return db.Unscoped().Not("id", []int{}).Delete(&guardItem{}).Error
	}, hooks.ReasonNoBound, hooks.OpDelete},
	{"Not map with empty slice", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Not(map[string]any{"id": []int64{}}).Update("qty", 0).Error
	}, hooks.ReasonNoBound, hooks.OpUpdate},
	{"zero struct condition on update", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Where(&guardItem{Name: ""}).Updates(map[string]any{"qty": 0}).Error
	}, hooks.ReasonSoftDeleteOnly, hooks.OpUpdate},
	{"zero struct condition on soft delete", func(db *gorm.DB) error {
		return db.Where(&guardItem{Qty: 0}).Delete(&guardItem{}).Error
	}, hooks.ReasonSoftDeleteOnly, hooks.OpDelete},
	{"zero struct condition on hard delete", func(db *gorm.DB) error {
		return db.Unscoped().Where(&guardItem{}).Delete(&guardItem{}).Error
	}, hooks.ReasonMissing, hooks.OpDelete},
	{"empty slice delete", func(db *gorm.DB) error {
		return db.Unscoped().Delete(&[]guardItem{}).Error
	}, hooks.ReasonMissing, hooks.OpDelete},
	{"explicit soft-delete filter only", func(db *gorm.DB) error {
		return db.Model(&guardItem{}).Where("deleted_at IS NULL").Update("qty", 0).Error
	}, hooks.ReasonSoftDeleteOnly, hooks.OpUpdate},
	{"GORM AllowGlobalUpdate is not enough", func(db *gorm.DB) error {
		return db.Session(&gorm.Session{AllowGlobalUpdate: true}).Model(&guardItem{}).Update("qty", 0).Error
	}, hooks.ReasonSoftDeleteOnly, hooks.OpUpdate},
	{"inside a transaction", func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			return tx.Model(&guardItem{}).Where("1 = 1").Update("qty", 0).Error
		})
	}, hooks.ReasonNoBound, hooks.OpUpdate},
	{"Exec without where", func(db *gorm.DB) error {
		return db.Exec("UPDATE guard_items SET qty = 0").Error
	}, hooks.ReasonMissing, hooks.OpRaw},
	{"Exec 1=1", func(db *gorm.DB) error {
		return db.Exec("DELETE FROM guard_items WHERE 1=1").Error
	}, hooks.ReasonNoBound, hooks.OpRaw},
	{"Exec where in comment", func(db *gorm.DB) error {
		return db.Exec("UPDATE guard_items SET qty = ? -- WHERE id = 1\n", 0).Error
	}, hooks.ReasonMissing, hooks.OpRaw},
	{"Exec bound tautology", func(db *gorm.DB) error {
		return db.Exec("DELETE FROM guard_items WHERE ? = ?", "k", "k").Error
	}, hooks.ReasonNoBound, hooks.OpRaw},
	{"Exec id IS NOT NULL", func(db *gorm.DB) error {
		return db.Exec("DELETE FROM guard_items WHERE id IS NOT NULL").Error
	}, hooks.ReasonNoBound, hooks.OpRaw},
	{"Exec second statement", func(db *gorm.DB) error {
		return db.Exec("UPDATE guard_items SET qty = 0 WHERE id = 1; DELETE FROM guard_items").Error
	}, hooks.ReasonMissing, hooks.OpRaw},
	{"Raw Scan", func(db *gorm.DB) error {
		var ids []int64
		return db.Raw("DELETE FROM guard_items RETURNING id").Scan(&ids).Error
	}, hooks.ReasonMissing, hooks.OpRow},
	{"Raw Find", func(db *gorm.DB) error {
		var rows []guardItem
		return db.Raw("UPDATE guard_items SET qty = 0 WHERE TRUE RETURNING *").Find(&rows).Error
	}, hooks.ReasonNoBound, hooks.OpQuery},
}

func TestGuardRefusesUnboundedWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSetup(t, db, &hooks.Guard{})
		for _, tc := range guardVacuous {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.run(db.DB)
				if !errors.Is(err, hooks.ErrUnboundedWrite) {
					t.Fatalf("err = %v, want ErrUnboundedWrite", err)
				}
				var ue *hooks.UnboundedWriteError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %T, want *UnboundedWriteError", err)
				}
				if ue.Reason != tc.reason || ue.Op != tc.op || ue.Table != "guard_items" {
					t.Errorf("refused %s on %q for %q, want %s on guard_items for %q", ue.Op, ue.Table, ue.Reason, tc.op, tc.reason)
				}
				if got := errors.Is(err, gorm.ErrMissingWhereClause); got != (tc.reason == hooks.ReasonMissing) {
					t.Errorf("errors.Is(err, gorm.ErrMissingWhereClause) = %v for reason %q", got, tc.reason)
				}
				assertUntouched(t, db.DB)
			})
		}
	})
}

func TestGuardLetsBoundedWritesThrough(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSetup(t, db, &hooks.Guard{})
		mustOK(t, db.Model(&guardItem{}).Where("id = ?", 1).Update("qty", 10))
		mustOK(t, db.Model(&guardItem{ID: 2}).Update("qty", 20))
		mustOK(t, db.Model(&guardItem{}).Where(&guardItem{Name: "c"}).Update("qty", 30))
		mustOK(t, db.Exec("UPDATE guard_items SET name = ? WHERE id = ?", "cc", 3))
		mustOK(t, db.Delete(&guardItem{}, 1)) // soft delete of row 1
		res := db.Unscoped().Where("id IN ?", []int64{}).Delete(&guardItem{})
		mustOK(t, res) // id IN (NULL) matches no row: bounded
		if res.RowsAffected != 0 {
			t.Errorf("empty IN deleted %d rows", res.RowsAffected)
		}
		got := guardRows(t, db.DB)
		want := []guardItem{{ID: 1, Name: "a", Qty: 10}, {ID: 2, Name: "b", Qty: 20}, {ID: 3, Name: "cc", Qty: 30}}
		for i := range want {
			if got[i].ID != want[i].ID || got[i].Name != want[i].Name || got[i].Qty != want[i].Qty {
				t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
			}
			if deleted := got[i].DeletedAt.Valid; deleted != (i == 0) {
				t.Errorf("row %d deleted = %v, want %v", i, deleted, i == 0)
			}
		}
	})
}

func TestGuardAllowUnbounded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSetup(t, db, &hooks.Guard{})
		res := hooks.AllowUnbounded(db.DB).Model(&guardItem{}).Update("qty", 7)
		mustOK(t, res)
		if res.RowsAffected != 3 {
			t.Errorf("unbounded update: %d rows, want 3", res.RowsAffected)
		}
		// The escape hatch keeps the chain's conditions and does not leak to db.
		mustOK(t, hooks.AllowUnbounded(db.Model(&guardItem{}).Where("1 = 1")).Update("name", "all"))
		if err := db.Model(&guardItem{}).Update("qty", 0).Error; !errors.Is(err, hooks.ErrUnboundedWrite) {
			t.Errorf("after AllowUnbounded on another session: err = %v, want ErrUnboundedWrite", err)
		}
		mustOK(t, hooks.AllowUnbounded(db.DB).Exec("UPDATE guard_items SET qty = qty + 1"))
		res = hooks.AllowUnbounded(db.DB).Unscoped().Where("id IS NOT NULL").Delete(&guardItem{})
		mustOK(t, res)
		if res.RowsAffected != 3 {
			t.Errorf("unbounded delete: %d rows, want 3", res.RowsAffected)
		}
		if n := len(guardRows(t, db.DB)); n != 0 {
			t.Errorf("%d rows left, want 0", n)
		}
	})
}

func TestGuardOptions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		guardSetup(t, db, &hooks.Guard{SkipRaw: true, ExemptTables: []string{"GUARD_SCRATCHES"}})
		type guardScratch struct {
			ID  int64
			Val int
		}
		dbtest.Migrate(t, db, &guardScratch{})
		dbtest.Seed(t, db.DB, []guardScratch{{ID: 1}, {ID: 2}})
		// An exempt table: unbounded writes pass, with GORM's own check
		// still asking for AllowGlobalUpdate when there is no WHERE at all.
		res := db.Model(&guardScratch{}).Where("1=1").Update("val", 5)
		mustOK(t, res)
		if res.RowsAffected != 2 {
			t.Errorf("exempt table: %d rows updated, want 2", res.RowsAffected)
		}
		// Other tables stay guarded.
		if err := db.Model(&guardItem{}).Where("1=1").Update("qty", 0).Error; !errors.Is(err, hooks.ErrUnboundedWrite) {
			t.Errorf("guarded table: err = %v, want ErrUnboundedWrite", err)
		}
		// SkipRaw: raw SQL is not checked.
		mustOK(t, db.Exec("UPDATE guard_items SET qty = 4"))
		var sum int64
		mustOK(t, db.Model(&guardItem{}).Select("SUM(qty)").Scan(&sum))
		if sum != 12 {
			t.Errorf("SUM(qty) = %d, want 12 after the raw update", sum)
		}
	})
}

func TestGuardDryRunShapes(t *testing.T) {
	want := map[string]struct{ update, softDelete string }{
		dbtest.Postgres: {
			`UPDATE "guard_items" SET "qty"=$1 WHERE id = $2 AND "guard_items"."deleted_at" IS NULL`,
			`UPDATE "guard_items" SET "deleted_at"=$1 WHERE "guard_items"."id" = $2 AND "guard_items"."deleted_at" IS NULL`,
		},
		dbtest.MySQL: {
			"UPDATE `guard_items` SET `qty`=? WHERE id = ? AND `guard_items`.`deleted_at` IS NULL",
			"UPDATE `guard_items` SET `deleted_at`=? WHERE `guard_items`.`id` = ? AND `guard_items`.`deleted_at` IS NULL",
		},
		dbtest.MariaDB: {
			"UPDATE `guard_items` SET `qty`=? WHERE id = ? AND `guard_items`.`deleted_at` IS NULL",
			"UPDATE `guard_items` SET `deleted_at`=? WHERE `guard_items`.`id` = ? AND `guard_items`.`deleted_at` IS NULL",
		},
		dbtest.SQLite: {
			"UPDATE `guard_items` SET `qty`=? WHERE id = ? AND `guard_items`.`deleted_at` IS NULL",
			"UPDATE `guard_items` SET `deleted_at`=? WHERE `guard_items`.`id` = ? AND `guard_items`.`deleted_at` IS NULL",
		},
		dbtest.SQLServer: {
			`UPDATE "guard_items" SET "qty"=@p1 WHERE id = @p2 AND "guard_items"."deleted_at" IS NULL`,
			`UPDATE "guard_items" SET "deleted_at"=@p1 WHERE "guard_items"."id" = @p2 AND "guard_items"."deleted_at" IS NULL`,
		},
	}
	for _, name := range dbtest.DryRunDialects {
		t.Run(name, func(t *testing.T) {
			db := dbtest.DryRun(t, name).Session(&gorm.Session{SkipDefaultTransaction: true})
			if err := db.Use(&hooks.Guard{}); err != nil {
				t.Fatal(err)
			}
			// Bounded statements are built exactly as without Guard.
			tx := db.Model(&guardItem{}).Where("id = ?", 1).Update("qty", 2)
			mustOK(t, tx)
			if got := tx.Statement.SQL.String(); got != want[name].update {
				t.Errorf("update SQL\n got  %s\n want %s", got, want[name].update)
			}
			tx = db.Delete(&guardItem{}, 1)
			mustOK(t, tx)
			if got := tx.Statement.SQL.String(); got != want[name].softDelete {
				t.Errorf("soft delete SQL\n got  %s\n want %s", got, want[name].softDelete)
			}
			// Vacuous ones are refused while being built, raw ones before they run.
			for _, run := range []func() error{
				func() error { return db.Model(&guardItem{}).Where("1 = 1").Update("qty", 2).Error },
				func() error { return db.Where(&guardItem{}).Delete(&guardItem{}).Error },
				func() error { return db.Exec("DELETE FROM guard_items").Error },
			} {
				if err := run(); !errors.Is(err, hooks.ErrUnboundedWrite) {
					t.Errorf("dry run: err = %v, want ErrUnboundedWrite", err)
				}
			}
		})
	}
}
