package updater_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// membership has a composite primary key.
type membership struct {
	TenantID int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Role     string
}

// keyless has no primary key: Update cannot name its row.
type keyless struct {
	Name  string
	Count int64
}

func TestUpdateCompositeKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &membership{})
		dbtest.Seed(t, db.DB, []membership{{1, 1, "member"}, {1, 2, "member"}, {2, 1, "member"}})
		s, rec := capture(db.DB)
		res, err := updater.Update(context.Background(), s.Where("tenant_id = ? AND user_id = ?", 1, 2), func(m *membership) error {
			m.Role = "admin"
			return nil
		})
		if err != nil || res.Row.Role != "admin" {
			t.Fatalf("got %+v, %v", res.Row, err)
		}
		w := writes(rec)
		want := map[string]string{
			dbtest.SQLite:    "UPDATE `memberships` SET `role`=\"admin\" WHERE `tenant_id` = 1 AND `user_id` = 2",
			dbtest.Postgres:  `UPDATE "memberships" SET "role"='admin' WHERE "tenant_id" = 1 AND "user_id" = 2`,
			dbtest.MySQL:     "UPDATE `memberships` SET `role`='admin' WHERE `tenant_id` = 1 AND `user_id` = 2",
			dbtest.SQLServer: `UPDATE "memberships" SET "role"='admin' WHERE "tenant_id" = 1 AND "user_id" = 2`,
		}
		wantSQL, ok := want[db.Dialect]
		if !ok {
			t.Fatalf("no expected UPDATE text for dialect %s", db.Dialect)
		}
		if len(w) != 1 || w[0] != wantSQL {
			t.Fatalf("UPDATE statements:\n got %q\nwant [%q]", w, wantSQL)
		}
		var rows []membership
		if err := db.Order("tenant_id, user_id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if rows[0].Role != "member" || rows[1].Role != "admin" || rows[2].Role != "member" {
			t.Fatalf("read back %+v, want only (1,2) changed", rows)
		}
	})
}

func TestUpdateRefusesKeylessModel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &keyless{})
		dbtest.Seed(t, db.DB, []keyless{{Name: "a"}})
		_, err := updater.Update(context.Background(), db.Where("name = ?", "a"), func(k *keyless) error { k.Count = 5; return nil })
		if !errors.Is(err, updater.ErrNoPrimaryKey) {
			t.Fatalf("got %v, want ErrNoPrimaryKey", err)
		}
		var k keyless
		if err := db.First(&k, "name = ?", "a").Error; err != nil || k.Count != 0 {
			t.Fatalf("read back %+v, %v; want untouched", k, err)
		}
	})
}

// archived is soft-deletable.
type archived struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	DeletedAt gorm.DeletedAt
}

func TestUpdateSoftDeleted(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &archived{})
		dbtest.Seed(t, db.DB, []archived{{ID: 1, Name: "gone"}})
		if err := db.Delete(&archived{}, 1).Error; err != nil {
			t.Fatal(err)
		}
		rename := func(a *archived) error { a.Name = "restored"; return nil }
		ctx := context.Background()
		if _, err := updater.Update(ctx, db.Where("id = ?", 1), rename); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("soft-deleted row: got %v, want gorm.ErrRecordNotFound", err)
		}
		res, err := updater.Update(ctx, db.Unscoped().Where("id = ?", 1), rename)
		if err != nil || len(res.Changes) != 1 {
			t.Fatalf("Unscoped: got %+v, %v", res, err)
		}
		var a archived
		if err := db.Unscoped().First(&a, 1).Error; err != nil || a.Name != "restored" || !a.DeletedAt.Valid {
			t.Fatalf("read back %+v, %v; want renamed and still deleted", a, err)
		}
	})
}
