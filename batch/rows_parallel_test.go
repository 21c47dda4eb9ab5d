package batch_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// parRow is the model of the Workers tests: qty must not be negative, so a
// row carrying -1 fails its chunk on every database.
type parRow struct {
	ID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Qty int64  `gorm:"check:par_rows_qty_nonneg,qty >= 0"`
	Tag string `gorm:"size:32"`
}

// seedPar creates par_rows with ids 1..n, qty = id, tag "old".
func seedPar(t *testing.T, db *dbtest.DB, n int) {
	t.Helper()
	dbtest.Migrate(t, db, &parRow{})
	rows := make([]parRow, n)
	for i := range rows {
		rows[i] = parRow{ID: int64(i + 1), Qty: int64(i + 1), Tag: "old"}
	}
	dbtest.Seed(t, db.DB, rows)
}

// parInput returns new values for ids n..1 (descending, so the input is
// not in key order): qty = 1000 + id, tag "new".
func parInput(n int) []parRow {
	rows := make([]parRow, n)
	for i := range rows {
		id := int64(n - i)
		rows[i] = parRow{ID: id, Qty: 1000 + id, Tag: "new"}
	}
	return rows
}

// loadPar returns every row by id.
func loadPar(t *testing.T, db *gorm.DB) map[int64]parRow {
	t.Helper()
	var rows []parRow
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make(map[int64]parRow, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// checkAccount reads the table back: the rows at the committed input
// positions hold their new values, every other row its seeded one.
func checkAccount(t *testing.T, db *gorm.DB, n int, in []parRow, committed []int) {
	t.Helper()
	written := map[int64]parRow{}
	for _, i := range committed {
		written[in[i].ID] = in[i]
	}
	got := loadPar(t, db)
	if len(got) != n {
		t.Fatalf("%d rows in the table, want %d", len(got), n)
	}
	for id, r := range got {
		want := parRow{ID: id, Qty: id, Tag: "old"}
		if w, ok := written[id]; ok {
			want = w
		}
		if r != want {
			t.Errorf("row %d = %+v, want %+v", id, r, want)
		}
	}
}

// checkPartition fails t unless every input position is in exactly one of
// e's lists, each ascending.
func checkPartition(t *testing.T, e *batch.PartialError, n int) {
	t.Helper()
	seen := make([]int, n)
	for _, l := range [][]int{e.Committed, e.RolledBack, e.NotStarted} {
		if !slices.IsSorted(l) {
			t.Errorf("list %v is not ascending", l)
		}
		for _, i := range l {
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("input row %d is in %d of Committed, RolledBack and NotStarted", i, c)
		}
	}
}

// workerGoroutines counts goroutines running the chunk workers of
// UpdateRows and UpdateKeys (batch.parallel's goroutines).
func workerGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by github.com/gormup/gormup/batch.parallel[") {
			n++
		}
	}
	return n
}

func TestUpdateRowsWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedPar(t, db, 100)
		in := parInput(103) // ids 101..103 are missing
		var calls []chunk.Progress
		res, err := batch.UpdateRows(context.Background(), db.DB, in, []string{"qty", "tag"},
			batch.Workers(3), batch.Size(7), batch.ListMissing(),
			batch.OnProgress(func(p chunk.Progress) { calls = append(calls, p) }))
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 100 || res.Missing != 3 || res.Statements != 15 || res.Conflicts != nil {
			t.Fatalf("Result = %+v, want Matched 100, Missing 3, Statements 15", res)
		}
		if got := fmt.Sprint(res.MissingKeys); got != "[[101] [102] [103]]" {
			t.Errorf("MissingKeys = %s, want [[101] [102] [103]] (key order)", got)
		}
		if len(calls) != 15 || calls[14].Done != 100 || calls[14].Chunks != 15 {
			t.Errorf("%d progress calls, last %+v; want 15, the last Done 100 Chunks 15", len(calls), calls[len(calls)-1])
		}
		all := make([]int, len(in))
		for i := range all {
			all[i] = i
		}
		checkAccount(t, db.DB, 100, in, all)
		if n := workersLeft(); n != 0 {
			t.Errorf("%d worker goroutines left after UpdateRows returned", n)
		}
	})
}

// One chunk violates a CHECK constraint: the call stops, and the account
// says exactly which rows committed — the table agrees.
func TestUpdateRowsWorkersFailedChunk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 60
		seedPar(t, db, n)
		in := parInput(n)
		bad := slices.IndexFunc(in, func(r parRow) bool { return r.ID == 23 })
		in[bad].Qty = -1
		res, err := batch.UpdateRows(context.Background(), db.DB, in, []string{"qty", "tag"},
			batch.Workers(4), batch.Size(5))
		var pe *batch.PartialError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a *PartialError", err)
		}
		var se *batch.StatementError
		if !errors.As(err, &se) || se.Attempts != 1 {
			t.Fatalf("err = %v, want a *StatementError after 1 attempt", err)
		}
		checkPartition(t, pe, n)
		if !slices.Contains(pe.RolledBack, bad) {
			t.Errorf("RolledBack = %v, want it to hold the bad row %d", pe.RolledBack, bad)
		}
		if len(pe.RolledBack)%5 != 0 || len(pe.Committed)%5 != 0 {
			t.Errorf("account %d committed, %d rolled back: not whole chunks of 5", len(pe.Committed), len(pe.RolledBack))
		}
		if res.Matched != int64(len(pe.Committed)) || res.Missing != 0 || res.Statements != len(pe.Committed)/5 {
			t.Errorf("Result = %+v, want Matched %d, Statements %d (the committed chunks)", res, len(pe.Committed), len(pe.Committed)/5)
		}
		checkAccount(t, db.DB, n, in, pe.Committed)
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left after UpdateRows returned", k)
		}
	})
}

// ctx cancelled after the first commit stops the workers: no chunk starts
// after it, and the account matches the table.
func TestUpdateRowsWorkersCancel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 80
		seedPar(t, db, n)
		in := parInput(n)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		res, err := batch.UpdateRows(ctx, db.DB, in, []string{"qty", "tag"}, batch.Workers(2), batch.Size(4),
			batch.OnProgress(func(chunk.Progress) {
				calls++
				cancel()
			}))
		var pe *batch.PartialError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a *PartialError wrapping context.Canceled", err)
		}
		checkPartition(t, pe, n)
		if len(pe.Committed) == 0 || len(pe.Committed) > 4*2 || len(pe.NotStarted) == 0 {
			t.Errorf("account %d committed, %d rolled back, %d not started: want 1 or 2 chunks committed",
				len(pe.Committed), len(pe.RolledBack), len(pe.NotStarted))
		}
		if res.Matched != int64(len(pe.Committed)) || calls != len(pe.Committed)/4 {
			t.Errorf("Result %+v after %d progress calls, want Matched %d", res, calls, len(pe.Committed))
		}
		checkAccount(t, db.DB, n, in, pe.Committed)
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left after UpdateRows returned", k)
		}
	})
}

// Refusals: nothing is written.
func TestUpdateRowsWorkersRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 30
		seedPar(t, db, n)
		ctx := context.Background()
		in := parInput(n)

		_, err := batch.UpdateRows(ctx, db.DB, in, []string{"qty"}, batch.Workers(-1))
		if !errors.Is(err, batch.ErrBadOption) {
			t.Errorf("Workers(-1): err = %v, want ErrBadOption", err)
		}

		// Rows 0 and 29 share a key and would fall in different chunks.
		dup := slices.Clone(in)
		dup[n-1].ID = dup[0].ID
		var ke *batch.KeyError
		_, err = batch.UpdateRows(ctx, db.DB, dup, []string{"qty"}, batch.Workers(3), batch.Size(2))
		if !errors.As(err, &ke) || !errors.Is(err, batch.ErrDuplicateKey) || ke.First != 0 || ke.Index != n-1 {
			t.Errorf("duplicate keys: err = %v, want a *KeyError at 0 and %d", err, n-1)
		}

		err = db.Transaction(func(tx *gorm.DB) error {
			_, err := batch.UpdateRows(ctx, tx, in, []string{"qty"}, batch.Workers(2))
			// Read back inside the transaction: its rollback would hide a
			// write made through tx.
			var written int64
			if cerr := tx.Model(&parRow{}).Where("qty <> id").Count(&written).Error; cerr != nil || written != 0 {
				t.Errorf("in a transaction: %d rows written inside it (%v), want 0", written, cerr)
			}
			return err
		})
		if !errors.Is(err, batch.ErrInTransaction) {
			t.Errorf("in a transaction: err = %v, want ErrInTransaction", err)
		}
		checkAccount(t, db.DB, n, in, nil)
	})
}

// UpdateKeys with Workers: every key written; one failing chunk gives an
// exact account of the keys whose chunk committed.
func TestUpdateKeysWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 60
		seedPar(t, db, n)
		ctx := context.Background()
		in := parInput(n)
		keys := make([]int64, n)
		for i, r := range in {
			keys[i] = r.ID
		}
		values := func(bad int64) map[string]any {
			return map[string]any{"qty": gorm.Expr("CASE WHEN id = ? THEN -1 ELSE qty + 1000 END", bad), "tag": "new"}
		}
		model := db.Model(&parRow{})
		var calls []chunk.Progress
		_, err := batch.UpdateKeys(ctx, model, keys, values(23), batch.Workers(4), batch.Size(5),
			batch.OnProgress(func(p chunk.Progress) { calls = append(calls, p) }))
		var pe *batch.PartialError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a *PartialError", err)
		}
		checkPartition(t, pe, n)
		bad := slices.Index(keys, 23)
		if !slices.Contains(pe.RolledBack, bad) || len(pe.Committed)%5 != 0 {
			t.Errorf("account %v committed, %v rolled back: want the key 23 (position %d) rolled back, whole chunks", pe.Committed, pe.RolledBack, bad)
		}
		if len(calls) != len(pe.Committed)/5 {
			t.Errorf("%d progress calls for %d committed chunks", len(calls), len(pe.Committed)/5)
		}
		checkAccount(t, db.DB, n, in, pe.Committed)

		// Again on a fresh table, with no failing key: every key written.
		dbtest.MustExec(t, db.DB, "DELETE FROM par_rows")
		seedPar(t, db, n)
		got, err := batch.UpdateKeys(ctx, model, keys, values(0), batch.Workers(3), batch.Size(7))
		if err != nil || got != n {
			t.Fatalf("UpdateKeys = %d, %v; want %d", got, err, n)
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		checkAccount(t, db.DB, n, in, all)
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left after UpdateKeys returned", k)
		}
	})
}

// A panic in a chunk (here a GORM callback's) reaches the calling
// goroutine, as without Workers, once every worker has returned; the
// panicking chunk rolled back.
func TestUpdateRowsWorkersPanic(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 40
		seedPar(t, db, n)
		var updates atomic.Int64
		err := db.Callback().Raw().After("gorm:raw").Register("test:panic", func(tx *gorm.DB) {
			if strings.HasPrefix(tx.Statement.SQL.String(), "UPDATE") && updates.Add(1) == 2 {
				panic("boom")
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		got := func() (v any) {
			defer func() { v = recover() }()
			_, _ = batch.UpdateRows(context.Background(), db.DB, parInput(n), []string{"qty", "tag"}, batch.Workers(3), batch.Size(4))
			return nil
		}()
		if got != "boom" {
			t.Fatalf("recovered %v, want the chunk's panic", got)
		}
		if k := workersLeft(); k != 0 {
			t.Errorf("%d worker goroutines left after the panic", k)
		}
		var changed int64
		if err := db.Model(&parRow{}).Where("tag = ?", "new").Count(&changed).Error; err != nil {
			t.Fatal(err)
		}
		if changed%4 != 0 || changed >= n {
			t.Errorf("%d rows written: want whole chunks of 4, not the panicking one", changed)
		}
	})
}

// In DryRun mode Workers builds every chunk's statement on one goroutine
// and writes nothing.
func TestUpdateRowsWorkersDryRun(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 12
		seedPar(t, db, n)
		in := parInput(n)
		dry := db.Session(&gorm.Session{DryRun: true})
		res, err := batch.UpdateRows(context.Background(), dry, in, []string{"qty", "tag"}, batch.Workers(3), batch.Size(5))
		if err != nil || res.Statements != 3 {
			t.Fatalf("DryRun: %+v, %v; want 3 statements built", res, err)
		}
		checkAccount(t, db.DB, n, in, nil)
	})
}

// CheckVersion with Workers: each chunk locks and checks its own rows;
// conflicts are listed in key order.
func TestUpdateRowsWorkersCheckVersion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		const n = 20
		seedAccounts(t, db, n)
		rows := make([]updAccount, n)
		for i := range rows {
			id := int64(n - i)
			rows[i] = updAccount{ID: id, Balance: 1000 + id, Version: map[bool]int64{true: 1, false: 7}[id%2 == 0]}
		}
		res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"balance"},
			batch.CheckVersion("Version"), batch.Workers(3), batch.Size(3))
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != n/2 || res.Missing != 0 || fmt.Sprint(res.Conflicts) != "[[1] [3] [5] [7] [9] [11] [13] [15] [17] [19]]" {
			t.Fatalf("Result = %+v, want 10 matched and the odd keys in Conflicts, in key order", res)
		}
		for id, a := range loadAccounts(t, db.DB) {
			want, version := 100+id, int64(1)
			if id%2 == 0 {
				want, version = 1000+id, 2
			}
			if a.Balance != want || a.Version != version {
				t.Errorf("row %d: balance %d version %d, want %d and %d", id, a.Balance, a.Version, want, version)
			}
		}
	})
}
