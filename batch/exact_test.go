package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/model/modeltest"
	"gorm.io/gorm"
)

// exactCase is one write through a batch entry point whose rows, in the
// target table and in a neighbour table of the same shape, are read back
// exactly.
type exactCase struct {
	name string
	// qualified: the target is "<q>.ex_accounts" and the neighbour is the
	// unqualified ex_accounts; else the reverse.
	qualified bool
	// run writes through db (the target's handle); table is the target's
	// name for db.Table.
	run func(ctx context.Context, db *gorm.DB, table string) (int64, error)
	// changed rows get n = 1 and version + bump; every other row, and the
	// whole neighbour, keeps the seed.
	changed []int64
	bump    int64
	count   int64 // returned count; -1: not checked
	err     error // a refusal: errors.Is, and nothing changed anywhere
}

// orConds are caller conditions with an OR GORM does not parenthesise by
// itself: a chained Or, and raw ORs after a newline and after a tab. Each
// selects the "new" and "closed" rows (ids 1-8).
var orConds = []struct {
	name string
	cond func(db *gorm.DB) *gorm.DB
}{
	{"chained Or", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?", "new").Or("status = ?", "closed") }},
	{"newline OR", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?\n OR status = ?", "new", "closed") }},
	{"tab OR", func(db *gorm.DB) *gorm.DB { return db.Where("status = ?\tOR status = ?", "new", "closed") }},
}

func exactCases() []exactCase {
	incr := map[string]any{"n": gorm.Expr("n + 1")}
	var cases []exactCase
	for _, oc := range orConds {
		cond := oc.cond
		cases = append(cases,
			// UpdateKeys 1, 5, 9: 9 is "other", so only 1 and 5 (once wrote 11 rows).
			exactCase{name: "UpdateKeys/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.UpdateKeys(ctx, cond(db.Table(table).Model(&modeltest.Account{})), []int64{1, 5, 9}, incr)
			}, changed: []int64{1, 5}, bump: 1, count: 2},
			exactCase{name: "UpdateKeys CommitEach/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.UpdateKeys(ctx, cond(db.Table(table).Model(&modeltest.Account{})), []int64{1, 5, 9, 12}, incr, batch.CommitEach(), batch.ChunkRows(1))
			}, changed: []int64{1, 5}, bump: 1, count: 2},
			exactCase{name: "Update/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.Update(ctx, cond(db.Table(table).Model(&modeltest.Account{})), incr)
			}, changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, bump: 1, count: 8},
			// Chunked once never ended: its key range bound only the last alternative.
			exactCase{name: "Update Chunked/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.Update(ctx, cond(db.Table(table).Model(&modeltest.Account{})), incr, batch.Chunked(3))
			}, changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, bump: 1, count: 8},
			exactCase{name: "Run/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := batch.Run(ctx, cond(db.Table(table)), func(tx *gorm.DB, chunk []modeltest.Account) error {
					return bumpChunk(tx, table, chunk)
				}, batch.Size(3))
				return rep.Rows, err
			}, changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, count: 8},
			exactCase{name: "Run Workers/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := batch.Run(ctx, cond(db.Table(table)), func(tx *gorm.DB, chunk []modeltest.Account) error {
					return bumpChunk(tx, table, chunk)
				}, batch.Size(2), batch.Workers(2))
				return rep.Rows, err
			}, changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, count: 8},
			exactCase{name: "RunRanges/" + oc.name, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := batch.RunRanges(ctx, cond(db.Table(table).Model(&modeltest.Account{})), func(rows *gorm.DB, _ batch.Range) error {
					return rows.Update("n", gorm.Expr("n + 1")).Error
				}, batch.Size(3))
				return rep.Rows, err
			}, changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, count: 8},
		)
	}
	for _, c := range cases[:len(cases):len(cases)] {
		// Every entry point again on the schema-qualified table, whose
		// unqualified neighbour has the same rows in another layout.
		c.name = "qualified " + c.name
		c.qualified = true
		cases = append(cases, c)
	}
	cases = append(cases,
		exactCase{name: "qualified UpdateRows", qualified: true, run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := batch.UpdateRows(ctx, db.Table(table), []modeltest.Account{{ID: 2, N: 1}, {ID: 3, N: 1}}, []string{"n"})
			return res.Matched, err
		}, changed: []int64{2, 3}, bump: -1, count: 2},
		exactCase{name: "Update assigning the version", run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.Update(ctx, db.Table(table).Model(&modeltest.Account{}).Where("id = ?", 1), map[string]any{"version": 7})
		}, err: batch.ErrVersionColumn},
		exactCase{name: "UpdateKeys assigning the version", run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.UpdateKeys(ctx, db.Table(table).Model(&modeltest.Account{}), []int64{1}, map[string]any{"Version": 7})
		}, err: batch.ErrVersionColumn},
		exactCase{name: "Update through an aliased table", run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.Update(ctx, db.Table(table+" a").Model(&modeltest.Account{}).Where("id = ?", 1), incr)
		}, err: batch.ErrTable},
		exactCase{name: "UpdateKeys through a table expression", run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.UpdateKeys(ctx, db.Table("(SELECT * FROM "+table+") x").Model(&modeltest.Account{}), []int64{1}, incr)
		}, err: batch.ErrTable},
		exactCase{name: "UpdateRows with db.Model of another table", run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := batch.UpdateRows(ctx, db.Model(&modeltest.Other{}), []modeltest.Account{{ID: 2, N: 1}}, []string{"n"})
			return res.Matched, err
		}, err: batch.ErrModelMismatch},
	)
	return cases
}

// bumpChunk adds 1 to n of chunk's rows in table, as a Run work would.
func bumpChunk(tx *gorm.DB, table string, chunk []modeltest.Account) error {
	ids := make([]int64, len(chunk))
	for i, a := range chunk {
		ids[i] = a.ID
	}
	return tx.Table(table).Where("id IN ?", ids).UpdateColumn("n", gorm.Expr("n + 1")).Error
}

// TestExactWrites is the regression test of the exact-writes defect
// classes on every configured database: caller conditions with OR that GORM
// leaves ungrouped, a schema-qualified db.Table, a db.Model of another table,
// the version field and refusals. It reads back the target table, its
// unqualified (or qualified) neighbour and a third table of the same shape.
// SQLite's second namespace is an ATTACHed database (see modeltest).
func TestExactWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, tdb *dbtest.DB) {
		db, q := modeltest.Qualified(t, tdb)
		plain, qualified := "ex_accounts", q+".ex_accounts"
		modeltest.Create(t, db, plain)
		modeltest.Create(t, db, qualified)
		modeltest.Create(t, db, "ex_others")
		for _, c := range exactCases() {
			t.Run(c.name, func(t *testing.T) {
				target, neighbour := plain, qualified
				if c.qualified {
					target, neighbour = qualified, plain
				}
				modeltest.Seed(t, db, target, modeltest.Statuses)
				modeltest.Seed(t, db, neighbour, modeltest.Shifted)
				modeltest.Seed(t, db, "ex_others", modeltest.Statuses)
				n, err := c.run(context.Background(), db, target)
				want := modeltest.Expect(modeltest.Statuses, c.changed, 1, c.bump)
				switch {
				case c.err != nil:
					if !errors.Is(err, c.err) {
						t.Fatalf("got error %v, want %v", err, c.err)
					}
					want = modeltest.Expect(modeltest.Statuses, nil, 0, 0)
				case err != nil:
					t.Fatal(err)
				case c.count >= 0 && n != c.count:
					t.Errorf("got count %d, want %d", n, c.count)
				}
				if c.bump < 0 {
					// UpdateRows' version bump belongs to its statement
					// builder; compare everything but the version.
					got := modeltest.State(t, db, target)
					for id, r := range got {
						r.Version = want[id].Version
						got[id] = r
					}
					if d := modeltest.Diff(got, modeltest.Expect(modeltest.Statuses, c.changed, 1, 0)); d != "" {
						t.Errorf("target %s:\n%s", target, d)
					}
				} else if d := modeltest.Diff(modeltest.State(t, db, target), want); d != "" {
					t.Errorf("target %s:\n%s", target, d)
				}
				if d := modeltest.Diff(modeltest.State(t, db, neighbour), modeltest.Expect(modeltest.Shifted, nil, 0, 0)); d != "" {
					t.Errorf("neighbour %s changed:\n%s", neighbour, d)
				}
				if d := modeltest.Diff(modeltest.State(t, db, "ex_others"), modeltest.Expect(modeltest.Statuses, nil, 0, 0)); d != "" {
					t.Errorf("ex_others changed:\n%s", d)
				}
			})
		}
	})
}
