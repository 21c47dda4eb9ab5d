package where_test

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/where"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type account struct {
	ID        int64
	Status    string
	Balance   int64
	DeletedAt gorm.DeletedAt
}

type pair struct {
	TenantID int64  `gorm:"primaryKey;autoIncrement:false"`
	Code     string `gorm:"primaryKey"`
	Note     string
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		build func(db *gorm.DB) *gorm.DB
		want  where.Reason // 0: bounded
	}{
		{"no where", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}) }, where.Missing},
		{"zero struct", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where(&account{}) }, where.Missing},
		{"empty map", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where(map[string]any{}) }, where.Missing},
		{"empty string", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("") }, where.Missing},
		{"1=1", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1=1") }, where.NoBound},
		{"1 = 1 spaced", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where(" 1 = 1 ") }, where.NoBound},
		{"1 in parentheses", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("(1)") }, where.NoBound},
		{"TRUE", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("TRUE") }, where.NoBound},
		{"true lower", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("true") }, where.NoBound},
		{"'a'='a'", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("'a'='a'") }, where.NoBound},
		{"?=? bound equal", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("? = ?", 7, 7) }, where.NoBound},
		{"1=? bound", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1 = ?", 1) }, where.NoBound},
		{"string params", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("? = ?", "x", "x") }, where.NoBound},
		{"column = itself", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status = status") }, where.NoBound},
		{"qualified self", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("accounts.id >= accounts.id") }, where.NoBound},
		{"NOT FALSE", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("NOT FALSE") }, where.NoBound},
		{"2 > 1", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("2 > 1") }, where.NoBound},
		{"1 <> 2", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1 != 2") }, where.NoBound},
		{"or tautology", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status = ? OR 1=1", "x") }, where.NoBound},
		{"parenthesised", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("((1=1))") }, where.NoBound},
		{"two tautologies", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1=1").Where("2>1") }, where.NoBound},
		{"like all", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status LIKE '%'") }, where.NoBound},
		{"multi-line raw OR", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status = ?\n\tOR 1=1", "x") }, where.NoBound},
		{"schema-qualified table", func(db *gorm.DB) *gorm.DB {
			return db.Table("archive.accounts").Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "id"}, Value: 1})
		}, 0},
		{"schema-qualified table, another table's column", func(db *gorm.DB) *gorm.DB {
			return db.Table("archive.accounts").Where("other.id = ?", 1)
		}, where.NoBound},
		{"Or chain", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status = ?", "x").Or("1=1") }, where.NoBound},
		{"not pk in empty map", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Not(map[string]any{"id": []int{}})
		}, where.NoBound},
		{"not pk in empty", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Not(clause.IN{Column: "id", Values: nil}) }, where.NoBound},
		{"not pk empty slice", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Not("id", []int{}) }, where.NoBound},
		{"not column empty slice", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Not("status", []string{}) }, where.NoBound},
		{"pk is not null", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("id IS NOT NULL") }, where.NoBound},
		{"composite pk not null", func(db *gorm.DB) *gorm.DB {
			return db.Model(&pair{}).Where("tenant_id IS NOT NULL AND code IS NOT NULL")
		}, where.NoBound},
		{"soft delete text", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("deleted_at IS NULL") }, where.SoftDeleteOnly},
		{"soft delete clause", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "deleted_at"}, Value: nil})
		}, where.SoftDeleteOnly},
		{"soft delete and tautology", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Where("deleted_at IS NULL").Where("1=1")
		}, where.NoBound},

		{"status", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status = ?", "trial") }, 0},
		{"struct", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where(&account{Status: "trial"}) }, 0},
		{"map", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where(map[string]any{"status": "trial"}) }, 0},
		{"in list", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("id IN ?", []int{1, 2}) }, 0},
		{"tautology and condition", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Where("1=1 AND balance > ?", 5)
		}, 0},
		{"soft delete and condition", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Where("deleted_at IS NULL").Where("status = ?", "x")
		}, 0},
		{"contradiction", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1 = 0") }, where.NoBound},
		{"different params", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("? = ?", 1, 2) }, where.NoBound},
		{"'a'='b'", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("'a'='b'") }, where.NoBound},
		{"false or cond", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1=0 OR status = ?", "x") }, where.NoBound},
		{"non-pk not null", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status IS NOT NULL") }, where.NoBound},
		{"deleted rows", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("deleted_at IS NOT NULL") }, where.NoBound},
		{"function", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("lower(status) = ?", "x") }, where.NoBound},
		{"between", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("id BETWEEN ? AND ?", 1, 9) }, 0},
		{"number is a primary key", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("1") }, 0},
		{"pk equal", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("id = ?", 5) }, 0},
		{"in empty", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("id IN ?", []int{}) }, 0},
		{"not pk in list", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Not(map[string]any{"id": []int{1}}) }, 0},
		{"like prefix", func(db *gorm.DB) *gorm.DB { return db.Model(&account{}).Where("status LIKE 'a%'") }, 0},
		{"subquery", func(db *gorm.DB) *gorm.DB {
			return db.Model(&account{}).Where("id IN (?)", db.Model(&account{}).Select("id").Where("balance > 3"))
		}, 0},
	}
	for _, dialect := range dbtest.DryRunDialects {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.DryRun(t, dialect)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := where.Check(tc.build(db).Statement)
					if tc.want == 0 {
						if err != nil {
							t.Fatalf("Check = %v, want nil", err)
						}
						return
					}
					var e *where.Error
					if !errors.As(err, &e) || !errors.Is(err, where.ErrUnbounded) {
						t.Fatalf("Check = %v, want *where.Error wrapping ErrUnbounded", err)
					}
					if e.Reason != tc.want {
						t.Fatalf("Reason = %v, want %v (%v)", e.Reason, tc.want, err)
					}
					if e.Table == "" {
						t.Errorf("Table is empty in %v", err)
					}
				})
			}
		})
	}
}

// TestCheckInCallback shows Check seeing the soft-delete filter GORM adds
// itself while building an UPDATE.
func TestCheckInCallback(t *testing.T) {
	for _, dialect := range dbtest.DryRunDialects {
		t.Run(dialect, func(t *testing.T) {
			db := dbtest.DryRun(t, dialect).Session(&gorm.Session{SkipDefaultTransaction: true})
			var got []error
			err := db.Callback().Update().After("gorm:update").Register("test:where", func(tx *gorm.DB) {
				got = append(got, where.Check(tx.Statement))
			})
			if err != nil {
				t.Fatal(err)
			}
			db.Session(&gorm.Session{AllowGlobalUpdate: true}).Model(&account{}).Update("status", "x")
			db.Model(&account{}).Where("status = ?", "y").Update("status", "x")
			if len(got) != 2 {
				t.Fatalf("callback ran %d times, want 2", len(got))
			}
			var e *where.Error
			if !errors.As(got[0], &e) || e.Reason != where.SoftDeleteOnly {
				t.Errorf("global update: Check = %v, want SoftDeleteOnly", got[0])
			}
			if got[1] != nil {
				t.Errorf("conditional update: Check = %v, want nil", got[1])
			}
		})
	}
}
