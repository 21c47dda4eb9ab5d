// Package modeltest gives the exact-writes regression tests a second
// namespace next to each test's own database, so that a write to
// "<qualifier>.t" and one to the neighbour "t" of the same shape can be told
// apart on every dialect:
//
//   - PostgreSQL: a real second schema (CREATE SCHEMA), dropped in Cleanup;
//   - MySQL/MariaDB: a second database (CREATE DATABASE), dropped in Cleanup;
//   - SQLite: a second database file ATTACHed as "q" on every connection of
//     a handle of its own (a driver wrapping go-sqlite3's Open), because
//     ATTACH is per connection and a pool has several.
package modeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// SQLiteQualifier is the name the second SQLite database is attached as.
const SQLiteQualifier = "q"

const attachDriver = "sqlite3_gormup_attach"

var registerOnce sync.Once

// attaching opens go-sqlite3 connections with the file "<main file>.q"
// attached as SQLiteQualifier.
type attaching struct{ sqlite3.SQLiteDriver }

func (d *attaching) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if _, err := c.(*sqlite3.SQLiteConn).Exec("ATTACH DATABASE ? AS "+SQLiteQualifier, []driver.Value{path + "." + SQLiteQualifier}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Qualified returns a handle on db's database and the qualifier of a second,
// empty namespace beside it, removed in tb.Cleanup. On SQLite the handle is
// a new one whose every connection has the second file attached: use it for
// the whole test. Elsewhere it is db itself.
func Qualified(tb testing.TB, db *dbtest.DB) (*gorm.DB, string) {
	tb.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "gq_" + hex.EncodeToString(b[:])
	switch db.Dialect {
	case dbtest.SQLite:
		registerOnce.Do(func() { sql.Register(attachDriver, &attaching{}) })
		h, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: attachDriver, DSN: db.DSN}), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			tb.Fatalf("modeltest: opening %s with an attached database: %v", db.DSN, err)
		}
		tb.Cleanup(func() {
			if s, err := h.DB(); err == nil {
				s.Close()
			}
		})
		return h, SQLiteQualifier
	case dbtest.Postgres:
		dbtest.MustExec(tb, db.DB, `CREATE SCHEMA `+name)
		tb.Cleanup(func() { db.Exec(`DROP SCHEMA IF EXISTS ` + name + ` CASCADE`) })
	case dbtest.MySQL:
		dbtest.MustExec(tb, db.DB, "CREATE DATABASE "+name)
		tb.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS " + name) })
	default:
		tb.Skipf("modeltest: no second namespace on %s", db.Dialect)
	}
	return db.DB, name
}

// Account is the row both tables hold: the exact-writes regression model.
type Account struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:20"`
	N       int64
	Version *int64 `gormup:"version"`
}

// TableName is "ex_accounts".
func (Account) TableName() string { return "ex_accounts" }

// Other has Account's shape under another table name, "ex_others": the
// neighbour of db.Model/T mismatch tests.
type Other struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:20"`
	N       int64
	Version *int64 `gormup:"version"`
}

// TableName is "ex_others".
func (Other) TableName() string { return "ex_others" }

// Create creates table (possibly qualified) with Account's shape.
func Create(tb testing.TB, db *gorm.DB, table string) {
	tb.Helper()
	dbtest.MustExec(tb, db, "CREATE TABLE "+table+" (id BIGINT NOT NULL PRIMARY KEY, status VARCHAR(20) NOT NULL, n BIGINT NOT NULL, version BIGINT NULL)")
}

// Statuses lays out the seed: ids 1-4 "new", 5-8 "closed", 9-12 "other";
// Shifted is the neighbour's layout (ids 1-4 "closed", 5-8 "new"), so that a
// read of the wrong table selects other rows.
var (
	Statuses = []string{"new", "closed", "other"}
	Shifted  = []string{"closed", "new", "other"}
)

// Seed fills table with ids 1-12, statuses by layout (4 per status), n 0
// and version 1, except id 12 whose version is NULL.
func Seed(tb testing.TB, db *gorm.DB, table string, layout []string) {
	tb.Helper()
	dbtest.MustExec(tb, db, "DELETE FROM "+table)
	for id := int64(1); id <= 12; id++ {
		var v any = int64(1)
		if id == 12 {
			v = nil
		}
		dbtest.MustExec(tb, db, "INSERT INTO "+table+" (id, status, n, version) VALUES (?, ?, 0, ?)", id, layout[(id-1)/4], v)
	}
}

// Row is one row as read back.
type Row struct {
	Status  string
	N       int64
	Version *int64
}

func (r Row) String() string {
	v := "NULL"
	if r.Version != nil {
		v = fmt.Sprint(*r.Version)
	}
	return fmt.Sprintf("{%s n=%d v=%s}", r.Status, r.N, v)
}

// State reads table back as id → Row.
func State(tb testing.TB, db *gorm.DB, table string) map[int64]Row {
	tb.Helper()
	var rows []struct {
		ID      int64
		Status  string
		N       int64
		Version *int64
	}
	if err := db.Session(&gorm.Session{NewDB: true}).Raw("SELECT id, status, n, version FROM " + table + " ORDER BY id").Scan(&rows).Error; err != nil {
		tb.Fatalf("modeltest: reading %s: %v", table, err)
	}
	out := make(map[int64]Row, len(rows))
	for _, r := range rows {
		out[r.ID] = Row{Status: r.Status, N: r.N, Version: r.Version}
	}
	return out
}

// Expect returns the seeded state of layout with changed rows' n and
// version replaced: n is set to n, version incremented by versionBump (a
// NULL version becomes versionBump).
func Expect(layout []string, changed []int64, n int64, versionBump int64) map[int64]Row {
	out := make(map[int64]Row, 12)
	for id := int64(1); id <= 12; id++ {
		var v *int64
		if id != 12 {
			one := int64(1)
			v = &one
		}
		out[id] = Row{Status: layout[(id-1)/4], Version: v}
	}
	for _, id := range changed {
		r := out[id]
		r.N = n
		if versionBump > 0 {
			nv := versionBump
			if r.Version != nil {
				nv += *r.Version
			}
			r.Version = &nv
		}
		out[id] = r
	}
	return out
}

// Diff describes how got differs from want, "" when equal.
func Diff(got, want map[int64]Row) string {
	var ids []int64
	for id := range want {
		ids = append(ids, id)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var b strings.Builder
	for _, id := range ids {
		g, gok := got[id]
		w, wok := want[id]
		if gok != wok || g.String() != w.String() {
			fmt.Fprintf(&b, "id %d: got %v (present %v), want %v (present %v)\n", id, g, gok, w, wok)
		}
	}
	return b.String()
}

// Case is one write through an entry point whose rows, in the target table
// and in a neighbour table of the same shape, are read back exactly.
type Case struct {
	Name string
	// Qualified: the target is "<q>.ex_accounts" and the neighbour the
	// unqualified ex_accounts; else the reverse.
	Qualified bool
	// Run writes through db (the target's handle); table names the target
	// for db.Table.
	Run func(ctx context.Context, db *gorm.DB, table string) (int64, error)
	// Changed rows get n = 1 and version + Bump (Bump < 0: the version is
	// not compared); every other row, the neighbour and ex_others keep the
	// seed.
	Changed []int64
	Bump    int64
	// Count is the count Run must return; -1 skips the check.
	Count int64
	// Err, when set, is a refusal: errors.Is must hold and nothing changes.
	Err error
}

// Run runs cases on every configured database, each on freshly seeded
// tables: the target (Statuses layout), its neighbour (Shifted layout) and
// ex_others (Statuses layout), all read back after the write.
func Run(t *testing.T, cases []Case) {
	t.Helper()
	dbtest.Run(t, func(t *testing.T, tdb *dbtest.DB) {
		db, q := Qualified(t, tdb)
		plain, qualified := "ex_accounts", q+".ex_accounts"
		Create(t, db, plain)
		Create(t, db, qualified)
		Create(t, db, "ex_others")
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				target, neighbour := plain, qualified
				if c.Qualified {
					target, neighbour = qualified, plain
				}
				Seed(t, db, target, Statuses)
				Seed(t, db, neighbour, Shifted)
				Seed(t, db, "ex_others", Statuses)
				n, err := c.Run(context.Background(), db, target)
				want := Expect(Statuses, c.Changed, 1, max(c.Bump, 0))
				switch {
				case c.Err != nil:
					if !errors.Is(err, c.Err) {
						t.Fatalf("got error %v, want %v", err, c.Err)
					}
					want = Expect(Statuses, nil, 0, 0)
				case err != nil:
					t.Fatal(err)
				case c.Count >= 0 && n != c.Count:
					t.Errorf("got count %d, want %d", n, c.Count)
				}
				got := State(t, db, target)
				if c.Bump < 0 {
					for id, r := range got {
						r.Version = want[id].Version
						got[id] = r
					}
				}
				if d := Diff(got, want); d != "" {
					t.Errorf("target %s:\n%s", target, d)
				}
				if d := Diff(State(t, db, neighbour), Expect(Shifted, nil, 0, 0)); d != "" {
					t.Errorf("neighbour %s changed:\n%s", neighbour, d)
				}
				if d := Diff(State(t, db, "ex_others"), Expect(Statuses, nil, 0, 0)); d != "" {
					t.Errorf("ex_others changed:\n%s", d)
				}
			})
		}
	})
}

// OrConds are caller conditions with an OR GORM does not parenthesise by
// itself: a chained Or, and raw ORs after a newline and after a tab. Each
// selects the "new" and "closed" rows (ids 1-8).
var OrConds = []struct {
	Name string
	Cond func(db *gorm.DB) *gorm.DB
}{
	{"chained Or", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?", "new").Or("status = ?", "closed") }},
	{"newline OR", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?\n OR status = ?", "new", "closed") }},
	{"tab OR", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?\tOR status = ?", "new", "closed") }},
}
