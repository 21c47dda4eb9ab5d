package model_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type Account struct {
	ID     int64
	Status string
	Note   string
}

type Deleted struct {
	ID        int64
	Status    string
	DeletedAt gorm.DeletedAt
}

// TestBoundShape pins the SQL of (caller's conditions) AND bound on every
// dialect: a chained Or, a raw OR after a newline or a tab, a scope adding
// an Or, and the soft-delete filter all stay inside the caller's group.
func TestBoundShape(t *testing.T) {
	keys := clause.IN{Column: clause.Column{Table: clause.CurrentTable, Name: "id"}, Values: []any{1, 2, 3}}
	cases := []struct {
		name string
		q    func(db *gorm.DB) *gorm.DB
		want string // with ` for the dialect's quote, ? for parameters
	}{
		{"or", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Account{}).Where("status = ?", "new").Or("status = ?", "closed")
		}, "UPDATE `accounts` SET `note`=? WHERE (status = ? OR status = ?) AND `accounts`.`id` IN (?,?,?)"},
		{"newline or", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Account{}).Where("status = ?\n OR status = ?", "new", "closed")
		}, "UPDATE `accounts` SET `note`=? WHERE (status = ?\n OR status = ?) AND `accounts`.`id` IN (?,?,?)"},
		{"tab or", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Account{}).Where("status = ?\tOR status = ?", "new", "closed")
		}, "UPDATE `accounts` SET `note`=? WHERE (status = ?\tOR status = ?) AND `accounts`.`id` IN (?,?,?)"},
		{"scope or", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Account{}).Where("status = ?", "new").Scopes(func(d *gorm.DB) *gorm.DB {
				return d.Or("status = ?", "closed")
			})
		}, "UPDATE `accounts` SET `note`=? WHERE (status = ? OR status = ?) AND `accounts`.`id` IN (?,?,?)"},
		{"nested scope or", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Account{}).Where("status = ?", "new").Scopes(func(d *gorm.DB) *gorm.DB {
				return d.Scopes(func(d *gorm.DB) *gorm.DB { return d.Or("status = ?", "closed") })
			})
		}, "UPDATE `accounts` SET `note`=? WHERE (status = ? OR status = ?) AND `accounts`.`id` IN (?,?,?)"},
		{"soft delete", func(db *gorm.DB) *gorm.DB {
			return db.Model(&Deleted{}).Where("status = ?", "new").Or("status = ?", "closed")
		}, "UPDATE `deleteds` SET `note`=? WHERE (status = ? OR status = ?) AND `deleteds`.`id` IN (?,?,?) AND `deleteds`.`deleted_at` IS NULL"},
		{"no conditions", func(db *gorm.DB) *gorm.DB { return db.Model(&Account{}) },
			"UPDATE `accounts` SET `note`=? WHERE `accounts`.`id` IN (?,?,?)"},
	}
	for _, d := range dbtest.DryRunDialects {
		t.Run(d, func(t *testing.T) {
			db := dbtest.DryRun(t, d)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					q := c.q(db)
					tg, err := model.ResolveModel(q)
					if err != nil {
						t.Fatal(err)
					}
					b := tg.Bound(q, keys)
					r := b.Session(&gorm.Session{SkipDefaultTransaction: true}).UpdateColumn("note", "x")
					if r.Error != nil {
						t.Fatal(r.Error)
					}
					got := r.Statement.SQL.String()
					want := dialectSQL(d, c.want)
					if got != want {
						t.Errorf("got  %q\nwant %q", got, want)
					}
					// The session can run again with the same SQL.
					if again := b.Session(&gorm.Session{SkipDefaultTransaction: true}).UpdateColumn("note", "x").Statement.SQL.String(); again != got {
						t.Errorf("second run: got %q, want %q", again, got)
					}
				})
			}
		})
	}
}

// dialectSQL turns the MySQL-quoted, ?-parameter want into d's form.
func dialectSQL(d, s string) string {
	if d != dbtest.Postgres && d != dbtest.SQLServer {
		return s // MySQL, MariaDB and SQLite quote with backticks and bind with ?
	}
	s = strings.ReplaceAll(s, "`", `"`)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		if d == dbtest.Postgres {
			fmt.Fprintf(&b, "$%d", n)
		} else {
			fmt.Fprintf(&b, "@p%d", n)
		}
	}
	return b.String()
}
