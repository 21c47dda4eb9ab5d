package conformance

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// tokens are the pieces FuzzBound builds caller conditions from: comparisons,
// OR/AND/NOT, parentheses and the separators GORM does and does not take
// for a word boundary when it decides whether to parenthesise.
var tokens = []string{
	"status = 'new'", "status = 'closed'", "id > 5", "balance < 40", "status IS NULL",
	" OR ", "\nOR ", "\tOR\t", " AND ", "\nAND ", " NOT ", "(", ")", "\n", "\t", " ",
}

// fuzzSeed is the table every FuzzBound call starts from.
func fuzzSeed() []Account {
	st := []string{"new", "closed", "other", "new", "other", "closed", "new", "other"}
	rows := make([]Account, len(st))
	for i, s := range st {
		rows[i] = Account{ID: int64(i + 1), Status: s, Balance: int64(10 * (i + 1))}
	}
	return rows
}

// condition decodes the fuzzer's bytes: each byte of a picks a token of the
// first condition, of b of a second one chained with Or when b is not empty.
func condition(a, b []byte) (string, string) {
	build := func(p []byte) string {
		var s strings.Builder
		for _, c := range p {
			s.WriteString(tokens[int(c)%len(tokens)])
		}
		return s.String()
	}
	return build(a), build(b)
}

// FuzzBound writes through UpdateKeys, chunked batch.Update, Run and
// Ranges under random caller conditions (raw text with OR after a newline
// or tab, chained Or) and checks each against the database: the rows written
// are exactly those GORM's own query with the same conditions selects (and,
// for UpdateKeys, whose key is in the list), each written once. A condition
// the database rejects is skipped; a refusal (ErrNoCondition) must write
// nothing.
func FuzzBound(f *testing.F) {
	f.Add([]byte{0, 5, 1}, []byte(nil), uint8(0b0111))          // new OR closed
	f.Add([]byte{0, 6, 1}, []byte(nil), uint8(0b0111))          // new \nOR closed
	f.Add([]byte{0, 7, 1}, []byte(nil), uint8(0b1011))          // new \tOR\t closed
	f.Add([]byte{0}, []byte{1}, uint8(0b10101))                 // Where(new).Or(closed)
	f.Add([]byte{2, 9, 0, 6, 3}, []byte{4}, uint8(0xff))        // id > 5 \nAND new \nOR balance < 40, Or(status IS NULL)
	f.Add([]byte{11, 0, 6, 1, 12, 8, 2}, []byte(nil), uint8(1)) // (new \nOR closed) AND id > 5
	f.Add([]byte{0}, []byte(nil), uint8(0))                     // no keys
	// SQLite always; the servers too when configured (their seed corpus
	// runs in the normal suite; fuzz with their variables unset to spare
	// the shared servers).
	var dbs []*dbtest.DB
	for _, d := range dbtest.Dialects {
		if env := dbtest.EnvVar(d); env == "" || os.Getenv(env) != "" {
			db := dbtest.Open(f, d)
			dbtest.Migrate(f, db, &Account{})
			dbs = append(dbs, db)
		}
	}
	f.Fuzz(func(t *testing.T, a, b []byte, keyBits uint8) {
		if len(a) == 0 || len(a) > 12 || len(b) > 12 {
			t.Skip()
		}
		for _, db := range dbs {
			checkBound(t, db, a, b, keyBits)
		}
	})
}

// checkBound is one FuzzBound input on one database.
func checkBound(t *testing.T, db *dbtest.DB, a, b []byte, keyBits uint8) {
	ca, cb := condition(a, b)
	where := func(q *gorm.DB) *gorm.DB {
		q = q.Where(ca)
		if cb != "" {
			q = q.Or(cb)
		}
		return q
	}
	reset := func() {
		dbtest.MustExec(t, db.DB, "DELETE FROM accounts")
		dbtest.Seed(t, db.DB, fuzzSeed())
	}
	reset()
	var selected []int64 // the database's answer to GORM's own query
	if err := where(db.Model(&Account{})).Order("id").Pluck("id", &selected).Error; err != nil {
		return // not a condition this database accepts
	}
	var keys []int64
	for i := range 8 {
		if keyBits&(1<<i) != 0 {
			keys = append(keys, int64(i+1))
		}
	}
	inKeys := func(id int64) bool { return slices.Contains(keys, id) }
	all := func(int64) bool { return true }
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	model := func() *gorm.DB { return where(db.WithContext(ctx).Model(&Account{})) }
	capWork := func() func() error {
		n := 0
		return func() error {
			if n++; n > chunkCap {
				return errLoop
			}
			return nil
		}
	}
	cases := []struct {
		name string
		only func(int64) bool
		call func() error
	}{
		{"UpdateKeys", inKeys, func() error {
			if len(keys) == 0 {
				return batch.ErrEmpty
			}
			_, err := batch.UpdateKeys(ctx, model(), keys, map[string]any{"balance": gorm.Expr("balance + ?", delta)}, batch.Size(2))
			return err
		}},
		{"Chunked", all, func() error {
			next := capWork()
			cctx, stop := context.WithCancel(ctx)
			defer stop()
			_, err := batch.Update(cctx, where(db.WithContext(cctx).Model(&Account{})), map[string]any{"balance": gorm.Expr("balance + ?", delta)},
				batch.Size(2), batch.CommitEach(), batch.OnProgress(func(chunk.Progress) {
					if next() != nil {
						stop()
					}
				}))
			return err
		}},
		{"Run", all, func() error {
			next := capWork()
			_, err := chunk.Run(ctx, model(), func(tx *gorm.DB, chunk []Account) error {
				if err := next(); err != nil {
					return err
				}
				ids := make([]int64, len(chunk))
				for i, r := range chunk {
					ids[i] = r.ID
				}
				return tx.Session(&gorm.Session{NewDB: true}).Table("accounts").Where("id IN ?", ids).
					UpdateColumn("balance", gorm.Expr("balance + ?", delta)).Error
			}, chunk.Size(3))
			return err
		}},
		{"Ranges", all, func() error {
			next := capWork()
			_, err := chunk.Ranges(ctx, model(), func(rows *gorm.DB, _ chunk.Range) error {
				if err := next(); err != nil {
					return err
				}
				return rows.UpdateColumn("balance", gorm.Expr("balance + ?", delta)).Error
			}, chunk.Size(3))
			return err
		}},
	}
	for _, c := range cases {
		reset()
		err := c.call()
		want := fuzzSeed()
		refused := errors.Is(err, batch.ErrNoCondition) || errors.Is(err, batch.ErrEmpty)
		if err != nil && !refused {
			t.Errorf("%s on %s with Where(%q).Or(%q): %v", c.name, db.Dialect, ca, cb, err)
		}
		for i := range want {
			if !refused && slices.Contains(selected, want[i].ID) && c.only(want[i].ID) {
				want[i].Balance += delta
			}
		}
		if got, w := readBack[Account](t, db.DB, "accounts"), formatAll(want); !slices.Equal(got, w) {
			t.Errorf("%s on %s with Where(%q).Or(%q), keys %v (GORM selects %v):\n\tgot  %v\n\twant %v",
				c.name, db.Dialect, ca, cb, keys, selected, got, w)
		}
	}
}
