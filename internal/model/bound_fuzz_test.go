package model_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// boundTerms are the predicates FuzzBound combines; boundSeps the ways it
// joins them, the ungrouped ORs GORM leaves alone included.
var (
	boundTerms = []string{"status = 'new'", "status = 'closed'", "n > 3", "n < 2", "id = 7", "note = 'x'"}
	boundSeps  = []string{" OR ", "\n OR ", "\tOR ", " AND ", "\nAND "}
)

// FuzzBound checks model.Bound against SQLite as the oracle: the rows a
// bounded query selects are exactly the rows of the key list that match the
// caller's condition, however that condition is built (one raw string with
// ungrouped ORs, a chain of Where/Or/Not, or a scope adding an Or). Each
// input byte picks a term, a separator or a chaining method.
func FuzzBound(f *testing.F) {
	for _, seed := range [][]byte{{0, 0, 1}, {0, 1, 1, 2}, {3, 2, 0, 4, 5}, {1, 0, 2, 1, 3, 3, 4}, {5, 4, 4, 4, 4}, {2, 9, 1, 8, 7}} {
		f.Add(seed, []byte{1, 5, 7, 9})
	}
	tdb := dbtest.Open(f, dbtest.SQLite)
	db := tdb.DB
	if err := db.AutoMigrate(&Account{}); err != nil {
		f.Fatal(err)
	}
	statuses := []string{"new", "closed", "other"}
	for id := int64(1); id <= 12; id++ {
		note := ""
		if id%4 == 0 {
			note = "x"
		}
		dbtest.MustExec(f, db, "INSERT INTO accounts (id, status, note) VALUES (?, ?, ?)", id, statuses[id%3], note)
	}
	dbtest.MustExec(f, db, "ALTER TABLE accounts ADD COLUMN n INTEGER NOT NULL DEFAULT 0")
	dbtest.MustExec(f, db, "UPDATE accounts SET n = id % 5")
	f.Fuzz(func(t *testing.T, prog, keyBytes []byte) {
		if len(prog) == 0 || len(prog) > 12 || len(keyBytes) == 0 || len(keyBytes) > 12 {
			t.Skip()
		}
		keys := make([]any, len(keyBytes))
		for i, k := range keyBytes {
			keys[i] = int64(k % 14)
		}
		// raw is the condition as one string; chain builds the same
		// condition through GORM's chaining where the program says so.
		var raw strings.Builder
		q := db.Model(&Account{}).Session(&gorm.Session{}) // each use starts from here
		var parts []string
		for i, b := range prog {
			term := boundTerms[int(b)%len(boundTerms)]
			sep := boundSeps[int(b/8)%len(boundSeps)]
			if i > 0 {
				raw.WriteString(sep)
			}
			raw.WriteString(term)
			parts = append(parts, term)
		}
		var want []int64
		sql := "SELECT id FROM accounts WHERE (" + raw.String() + ") AND id IN ?"
		if err := db.Raw(sql, keys).Scan(&want).Error; err != nil {
			t.Fatalf("oracle %q: %v", sql, err)
		}
		check := func(how string, q *gorm.DB, want []int64) {
			t.Helper()
			var got []int64
			in := clause.IN{Column: clause.Column{Table: clause.CurrentTable, Name: "id"}, Values: keys}
			if err := model.Bound(q, in).Order("id").Pluck("id", &got).Error; err != nil {
				t.Fatalf("%s: %v", how, err)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s %q keys %v: got %v, want %v", how, raw.String(), keys, got, want)
			}
		}
		check("raw", q.Where(raw.String()), want)
		// A chain: Where(first) then Or/Where per separator kind; its
		// meaning is GORM's (ORs and ANDs of single terms, left to right
		// with AND binding tighter), which the oracle reads from the same
		// terms joined with plain " OR " / " AND ".
		chain := q.Where(parts[0])
		var flat strings.Builder
		flat.WriteString(parts[0])
		for i, b := range prog[1:] {
			if strings.Contains(boundSeps[int(b/8)%len(boundSeps)], "OR") {
				chain = chain.Or(parts[i+1])
				flat.WriteString(" OR " + parts[i+1])
			} else {
				chain = chain.Where(parts[i+1])
				flat.WriteString(" AND " + parts[i+1])
			}
		}
		var wantChain []int64
		if err := db.Raw("SELECT id FROM accounts WHERE ("+flat.String()+") AND id IN ?", keys).Scan(&wantChain).Error; err != nil {
			t.Fatal(err)
		}
		check("chain", chain, wantChain)
		scoped := q.Where(parts[0]).Scopes(func(d *gorm.DB) *gorm.DB {
			for _, p := range parts[1:] {
				d = d.Or(p)
			}
			return d
		})
		var wantScoped []int64
		if err := db.Raw("SELECT id FROM accounts WHERE ("+strings.Join(parts, " OR ")+") AND id IN ?", keys).Scan(&wantScoped).Error; err != nil {
			t.Fatal(err)
		}
		check("scope", scoped, wantScoped)
	})
}
