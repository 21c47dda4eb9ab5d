package model_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
)

func TestTable(t *testing.T) {
	cases := []struct {
		table string
		want  string
		err   error
		// orRefused: a dialect whose quoting GORM applies to the whole
		// name (quoting the quotes) may refuse it instead.
		orRefused bool
	}{
		{"accounts", "accounts", nil, false},
		{"archive.accounts", "archive.accounts", nil, false},
		{"db.dbo.accounts", "db.dbo.accounts", nil, false},
		{`"archive"."accounts"`, "archive.accounts", nil, true},
		{"`archive`.`accounts`", "archive.accounts", nil, false},
		{"[archive].[accounts]", "archive.accounts", nil, true},
		{"accounts a", "", model.ErrTable, false},
		{"accounts AS a", "", model.ErrTable, false},
		{"(SELECT * FROM accounts) x", "", model.ErrTable, false},
		{"`a.b`.`accounts`", "", model.ErrTable, false},
		{"`a``b`.`accounts`", "", model.ErrTable, false},
		{"archive..accounts", "", model.ErrTable, false},
	}
	for _, d := range dbtest.DryRunDialects {
		db := dbtest.DryRun(t, d)
		for _, c := range cases {
			got, err := model.Table(db.Table(c.table))
			if c.orRefused && errors.Is(err, model.ErrTable) {
				continue
			}
			if !errors.Is(err, c.err) || got != c.want {
				t.Errorf("%s: Table(%q) = %q, %v; want %q, %v", d, c.table, got, err, c.want, c.err)
			}
		}
		if _, err := model.Table(db.Table("accounts WHERE id = ?", 1)); !errors.Is(err, model.ErrTable) {
			t.Errorf("%s: a table expression with arguments: got %v, want ErrTable", d, err)
		}
	}
}

type versioned struct {
	ID        int64
	Rev       int64 `gormup:"version"`
	UpdatedAt time.Time
	Touched   int64     `gorm:"autoUpdateTime:milli"`
	ReadOnly  time.Time `gorm:"autoUpdateTime;<-:false"`
	DeletedAt gorm.DeletedAt
}

type badVersion struct {
	ID  int64
	Rev string `gormup:"version"`
}

type sameTable struct {
	ID int64
}

func (sameTable) TableName() string { return "versioneds" }

func TestResolve(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.SQLite)
	tg, err := model.Resolve[versioned](db.Where("id = ?", 1).Or("id = ?", 2))
	if err != nil {
		t.Fatal(err)
	}
	if tg.Table != "versioneds" || tg.Version == nil || tg.Version.Name != "Rev" || tg.SoftDelete == nil || tg.SoftDelete.Name != "DeletedAt" {
		t.Errorf("got table %q, version %v, soft delete %v", tg.Table, tg.Version, tg.SoftDelete)
	}
	var auto []string
	for _, f := range tg.AutoUpdateTime {
		auto = append(auto, f.Name)
	}
	if len(auto) != 2 || auto[0] != "UpdatedAt" || auto[1] != "Touched" {
		t.Errorf("got autoUpdateTime %v, want [UpdatedAt Touched]", auto)
	}
	if len(tg.PrimaryKey) != 1 || len(tg.Conds) != 2 {
		t.Errorf("got %d key fields and %d conditions, want 1 and 2", len(tg.PrimaryKey), len(tg.Conds))
	}
	if tg, err := model.Resolve[versioned](db.Table("archive.versioneds").Unscoped()); err != nil || tg.Table != "archive.versioneds" || !tg.Unscoped {
		t.Errorf("qualified: got %+v, %v", tg, err)
	}
	if _, err := model.Resolve[versioned](db.Model(&sameTable{})); err != nil {
		t.Errorf("a db.Model of the same table: %v", err)
	}
	if _, err := model.Resolve[versioned](db.Model(&badVersion{})); !errors.Is(err, model.ErrMismatch) {
		t.Errorf("a db.Model of another table: got %v, want ErrMismatch", err)
	}
	if _, err := model.Resolve[badVersion](db); !errors.Is(err, model.ErrVersionField) {
		t.Errorf("a string version: got %v, want ErrVersionField", err)
	}
	if _, err := model.Resolve[int](db); err == nil {
		t.Error("a non-struct row type: got no error")
	}
}
