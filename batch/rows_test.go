package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

func TestUpdateRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 8)
		// GORM's clock, pinned on the session: whole seconds, so every
		// column precision stores it exactly.
		now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		pinned := db.Session(&gorm.Session{NowFunc: func() time.Time { return now }})
		rows := []updAccount{
			{ID: 1, Balance: 0, Status: "", Note: strp("one")},     // zero values are written
			{ID: 3, Balance: -7, Status: "gold", Note: nil},        // NULL is written
			{ID: 8, Balance: 800, Status: "closed", Active: false}, // Active not named: untouched
			{ID: 42, Balance: 1, Status: "ghost"},                  // missing: never inserted
		}
		res, err := batch.UpdateRows(context.Background(), pinned, rows, []string{"balance", "Status", "note"}, batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 3 || res.Missing != 1 || res.Statements != 1 || len(res.Conflicts) != 0 {
			t.Fatalf("Result = %+v, want Matched 3, Missing 1, Statements 1", res)
		}
		if len(res.MissingKeys) != 1 || fmt.Sprint(res.MissingKeys[0]) != "[42]" {
			t.Fatalf("MissingKeys = %v, want [[42]]", res.MissingKeys)
		}
		got := loadAccounts(t, db.DB)
		if len(got) != 8 {
			t.Fatalf("%d rows in the table, want 8: a missing key was inserted", len(got))
		}
		want := map[int64]struct {
			balance int64
			status  string
			note    *string
		}{1: {0, "", strp("one")}, 3: {-7, "gold", nil}, 8: {800, "closed", nil}}
		for id, a := range got {
			w, written := want[id]
			if !written {
				if a.Balance != 100+id || !a.UpdatedAt.Equal(updEpoch) {
					t.Errorf("row %d = %+v, want untouched", id, a)
				}
				continue
			}
			if a.Balance != w.balance || a.Status != w.status || fmt.Sprint(deref(a.Note)) != fmt.Sprint(deref(w.note)) || !a.Active {
				t.Errorf("row %d = %+v (note %v), want balance %d status %q note %v active", id, a, deref(a.Note), w.balance, w.status, deref(w.note))
			}
			if !a.UpdatedAt.Equal(now) {
				t.Errorf("row %d UpdatedAt = %v, want the pinned %v", id, a.UpdatedAt, now)
			}
		}
	})
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// Rows whose values are unchanged are still matched on every dialect.
func TestUpdateRowsMatchedNotChanged(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 4)
		rows := []*updAccount{{ID: 1, Balance: 101}, {ID: 2, Balance: 102}, {ID: 3, Balance: 999}, {ID: 9}}
		res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"balance"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 3 || res.Missing != 1 || res.MissingKeys != nil {
			t.Fatalf("Result = %+v, want Matched 3, Missing 1, no list", res)
		}
		if got := loadAccounts(t, db.DB)[3].Balance; got != 999 {
			t.Fatalf("row 3 balance = %d, want 999", got)
		}
		// Nothing changes at all now: every found row still counts, and the
		// missing keys are listed (MySQL reads the chunk's keys back).
		res, err = batch.UpdateRows(context.Background(), db.DB, rows, []string{"balance"}, batch.ListMissing(), batch.Size(2))
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 3 || res.Missing != 1 || fmt.Sprint(res.MissingKeys) != "[[9]]" || res.Statements != 2 {
			t.Fatalf("Result = %+v, want Matched 3, MissingKeys [[9]], 2 statements", res)
		}
	})
}

func TestUpdateRowsChunksAndAtomicity(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 25)
		ctx := context.Background()
		rows := make([]updAccount, 25)
		for i := range rows {
			rows[i] = updAccount{ID: int64(i + 1), Balance: int64(i * 10)}
		}
		cdb, rec := dbtest.Capture(db.DB)
		res, err := batch.UpdateRows(ctx, cdb, rows, []string{"balance"}, batch.Size(10))
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 25 || res.Statements != 3 || len(rec.Matching("UPDATE")) != 3 {
			t.Fatalf("Result = %+v with %d UPDATEs, want 25 matched in 3 statements", res, len(rec.Matching("UPDATE")))
		}
		for id, a := range loadAccounts(t, db.DB) {
			if a.Balance != (id-1)*10 {
				t.Errorf("row %d balance = %d, want %d", id, a.Balance, (id-1)*10)
			}
		}

		// A failing third chunk rolls back the first two by default. The
		// failure is injected into the third UPDATE on every dialect.
		fail := failUpdates(t, db.DB)
		before := fingerprint(t, db.DB)
		for i := range rows {
			rows[i].Status = "s"
		}
		fail.failAt(3)
		_, err = batch.UpdateRows(ctx, db.DB, rows, []string{"status"}, batch.Size(10))
		var se *batch.StatementError
		if !errors.As(err, &se) || !errors.Is(err, errInjected) || se.Chunk != 2 || se.Done != 0 {
			t.Fatalf("err = %v, want *StatementError{Chunk: 2, Done: 0} wrapping the injected failure", err)
		}
		if after := fingerprint(t, db.DB); after != before {
			t.Fatalf("atomic UpdateRows left the first chunks written:\nbefore %s\nafter  %s", before, after)
		}
		// CommitEach keeps the chunks before the failure, and reports each.
		var done []int64
		fail.failAt(3)
		_, err = batch.UpdateRows(ctx, db.DB, rows, []string{"status"}, batch.Size(10), batch.CommitEach(),
			batch.OnProgress(func(p chunk.Progress) { done = append(done, p.Done) }))
		if fmt.Sprint(done) != "[10 20]" {
			t.Errorf("progress = %v, want [10 20]", done)
		}
		if !errors.As(err, &se) || !errors.Is(err, errInjected) || se.Chunk != 2 || se.Done != 20 {
			t.Fatalf("err = %v, want *StatementError{Chunk: 2, Done: 20} wrapping the injected failure", err)
		}
		got := loadAccounts(t, db.DB)
		if len(got) != 25 {
			t.Fatalf("%d rows, want 25", len(got))
		}
		for id, a := range got {
			want := map[bool]string{true: "trial", false: "active"}[id%2 == 1]
			if id <= 20 {
				want = "s"
			}
			if a.Status != want || a.Balance != (id-1)*10 {
				t.Errorf("row %d status %q balance %d, want %q and %d", id, a.Status, a.Balance, want, (id-1)*10)
			}
		}
	})
}

// A caller's transaction that rolls back takes UpdateRows' writes with it.
func TestUpdateRowsRollsBackOnError(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		before := fingerprint(t, db.DB)
		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			res, err := batch.UpdateRows(context.Background(), tx, []updAccount{{ID: 1, Balance: 5}, {ID: 2, Balance: 6}}, []string{"balance"})
			if err != nil || res.Matched != 2 {
				t.Errorf("UpdateRows in tx = %+v, %v", res, err)
			}
			var b int64
			tx.Model(&updAccount{}).Where("id = 2").Pluck("balance", &b)
			if b != 6 {
				t.Errorf("inside the transaction balance = %d, want 6", b)
			}
			return boom
		})
		if !errors.Is(err, boom) || fingerprint(t, db.DB) != before {
			t.Fatalf("err = %v; rows changed after rollback: %v", err, fingerprint(t, db.DB) != before)
		}
	})
}

func TestUpdateRowsCheckVersion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 6)
		// Rows 2 and 5 were changed by someone else since they were read.
		dbtest.MustExec(t, db.DB, "UPDATE upd_accounts SET version = 2 WHERE id IN (2, 5)")
		rows := []updAccount{
			{ID: 1, Balance: 11, Version: 1},
			{ID: 2, Balance: 22, Version: 1}, // stale: stored 2
			{ID: 3, Balance: 33, Version: 1},
			{ID: 5, Balance: 55, Version: 1},  // stale
			{ID: 77, Balance: 77, Version: 1}, // missing
		}
		res, err := batch.UpdateRows(context.Background(), db.DB, rows, []string{"balance"}, batch.CheckVersion("Version"), batch.ListMissing())
		if err != nil {
			t.Fatal(err)
		}
		if res.Matched != 2 || res.Missing != 1 || fmt.Sprint(res.Conflicts) != "[[2] [5]]" || fmt.Sprint(res.MissingKeys) != "[[77]]" {
			t.Fatalf("Result = %+v, want Matched 2, Conflicts [[2] [5]], Missing [[77]]", res)
		}
		got := loadAccounts(t, db.DB)
		want := map[int64][2]int64{1: {11, 2}, 2: {102, 2}, 3: {33, 2}, 4: {104, 1}, 5: {105, 2}, 6: {106, 1}}
		for id, w := range want {
			if got[id].Balance != w[0] || got[id].Version != w[1] {
				t.Errorf("row %d balance/version = %d/%d, want %d/%d", id, got[id].Balance, got[id].Version, w[0], w[1])
			}
		}
		// The version column cannot also be written.
		before := fingerprint(t, db.DB)
		_, err = batch.UpdateRows(context.Background(), db.DB, rows, []string{"version"}, batch.CheckVersion("version"))
		if !errors.Is(err, batch.ErrVersionColumn) {
			t.Fatalf("err = %v, want ErrVersionColumn", err)
		}
		if after := fingerprint(t, db.DB); after != before {
			t.Fatalf("refused UpdateRows wrote rows:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// updMembership has a composite primary key.
type updMembership struct {
	TenantID int64  `gorm:"primaryKey;autoIncrement:false"`
	Code     string `gorm:"primaryKey;size:16"`
	Role     string `gorm:"size:16"`
	Score    float64
}

func TestUpdateRowsCompositeKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &updMembership{})
		var seed []updMembership
		for tenant := int64(1); tenant <= 3; tenant++ {
			for _, code := range []string{"a", "b", "c"} {
				seed = append(seed, updMembership{TenantID: tenant, Code: code, Role: "member", Score: 1})
			}
		}
		dbtest.Seed(t, db.DB, seed)
		rows := []updMembership{{TenantID: 1, Code: "b", Role: "admin", Score: 2.5}, {TenantID: 3, Code: "a", Role: "owner", Score: 0}, {TenantID: 2, Code: "z", Role: "x"}}
		for _, opts := range [][]batch.RowsOption{{batch.ListMissing()}, {batch.ListMissing(), batch.CheckVersion("score")}} {
			if len(opts) == 2 {
				rows = []updMembership{{TenantID: 1, Code: "c", Role: "v", Score: 1}, {TenantID: 2, Code: "z", Score: 1}}
			}
			cols := []string{"role", "score"}
			if len(opts) == 2 {
				cols = []string{"role"}
			}
			res, err := batch.UpdateRows(context.Background(), db.DB, rows, cols, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Matched != int64(len(rows)-1) || res.Missing != 1 || fmt.Sprint(res.MissingKeys) != "[[2 z]]" {
				t.Fatalf("Result = %+v, want all but [2 z] matched", res)
			}
		}
		var got []updMembership
		if err := db.Order("tenant_id, code").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		var summary []string
		for _, m := range got {
			summary = append(summary, fmt.Sprintf("%d%s:%s:%g", m.TenantID, m.Code, m.Role, m.Score))
		}
		want := []string{"1a:member:1", "1b:admin:2.5", "1c:v:2", "2a:member:1", "2b:member:1", "2c:member:1", "3a:owner:0", "3b:member:1", "3c:member:1"}
		if !slices.Equal(summary, want) {
			t.Fatalf("rows = %v, want %v", summary, want)
		}
	})
}

// TestUpdateRowsKeyOrder writes integer keys in ascending, descending and
// mixed order, and refuses a duplicate whether or not the keys before it
// ascend, naming both rows, with nothing written.
func TestUpdateRowsKeyOrder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		ctx := context.Background()
		for _, ids := range [][]int64{{1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}, {3, 1, 5, 2, 4}} {
			rows := make([]*updAccount, len(ids))
			for i, id := range ids {
				rows[i] = &updAccount{ID: id, Balance: id * 1000}
			}
			res, err := batch.UpdateRows(ctx, db.DB, rows, []string{"balance"})
			if err != nil || res.Matched != 5 {
				t.Fatalf("keys %v: Result = %+v, err = %v; want 5 matched", ids, res, err)
			}
			for id, a := range loadAccounts(t, db.DB) {
				if a.Balance != id*1000 {
					t.Errorf("keys %v: row %d balance = %d, want %d", ids, id, a.Balance, id*1000)
				}
			}
			dbtest.MustExec(t, db.DB, "UPDATE upd_accounts SET balance = 0")
		}
		before := fingerprint(t, db.DB)
		for _, tc := range []struct {
			ids          []int64
			index, first int
		}{{[]int64{1, 2, 3, 3}, 3, 2}, {[]int64{1, 2, 3, 1}, 3, 0}, {[]int64{4, 2, 4}, 2, 0}} {
			rows := make([]updAccount, len(tc.ids))
			for i, id := range tc.ids {
				rows[i] = updAccount{ID: id, Balance: 7}
			}
			_, err := batch.UpdateRows(ctx, db.DB, rows, []string{"balance"})
			var ke *batch.KeyError
			if !errors.Is(err, batch.ErrDuplicateKey) || !errors.As(err, &ke) || ke.Index != tc.index || ke.First != tc.first || fmt.Sprint(ke.Key) != fmt.Sprint([]int64{tc.ids[tc.index]}) {
				t.Fatalf("keys %v: err = %v (%+v), want *KeyError{Index %d, First %d} wrapping ErrDuplicateKey", tc.ids, err, ke, tc.index, tc.first)
			}
		}
		if got := fingerprint(t, db.DB); got != before {
			t.Fatalf("a refused call wrote:\n got %s\nwant %s", got, before)
		}
	})
}
