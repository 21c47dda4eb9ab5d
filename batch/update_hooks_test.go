package batch_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
)

// With an audit plugin installed, Update and UpdateRows hand their writes to
// it as hooks.Change values, inside the write's transaction.
func TestChangesReachHooks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 4)
		var mu sync.Mutex
		var got []string
		audit := &hooks.Audit{Sink: func(_ context.Context, recs []hooks.Record) error {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range recs {
				got = append(got, fmt.Sprintf("%s %v %s=%v where[%v]", r.Table, r.Key, r.Column, r.New, r.Where != ""))
			}
			return nil
		}}
		adb := dbtest.Reopen(t, db)
		if err := adb.Use(audit); err != nil {
			t.Fatal(err)
		}
		if !hooks.Collecting(adb) {
			t.Fatal("Collecting = false with Audit installed")
		}
		ctx := context.Background()
		if _, err := batch.UpdateRows(ctx, adb, []updAccount{{ID: 1, Balance: 5}, {ID: 2, Balance: 6}}, []string{"balance"}); err != nil {
			t.Fatal(err)
		}
		if _, err := batch.Update(ctx, adb.Model(&updAccount{}).Where("id > ?", 2), map[string]any{"status": "z"}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		want := []string{
			"upd_accounts [1] balance=5 where[false]",
			"upd_accounts [2] balance=6 where[false]",
			"upd_accounts [] status=z where[true]", // set-based: no key

		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// With hooks.Guard installed, batch's statements pass (they are bounded, or
// AllowAll says so) and a vacuous condition is still refused by Update first.
func TestGuardLetsBatchThrough(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedAccounts(t, db, 5)
		gdb := dbtest.Reopen(t, db)
		if err := gdb.Use(&hooks.Guard{}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if n, err := batch.Update(ctx, gdb.Model(&updAccount{}).Where("id < ?", 3), map[string]any{"balance": 1}); err != nil || n != 2 {
			t.Fatalf("bounded Update = %d, %v", n, err)
		}
		if n, err := batch.Update(ctx, gdb.Model(&updAccount{}), map[string]any{"active": false}, batch.AllowAll()); err != nil || n != 5 {
			t.Fatalf("AllowAll Update = %d, %v", n, err)
		}
		if _, err := batch.Update(ctx, gdb.Model(&updAccount{}).Where("1=1"), map[string]any{"active": true}); !errors.Is(err, batch.ErrNoCondition) {
			t.Fatalf("vacuous Update = %v, want ErrNoCondition", err)
		}
		for _, opts := range [][]batch.RowsOption{nil, {batch.CheckVersion("version"), batch.ListMissing()}} {
			res, err := batch.UpdateRows(ctx, gdb, []updAccount{{ID: 4, Balance: 44, Version: 1}, {ID: 9, Version: 1}}, []string{"balance"}, opts...)
			if err != nil || res.Matched != 1 || res.Missing != 1 {
				t.Fatalf("UpdateRows under Guard = %+v, %v", res, err)
			}
		}
		if n, err := batch.UpdateKeys(ctx, gdb.Model(&updAccount{}), []int64{5}, map[string]any{"balance": 55}); err != nil || n != 1 {
			t.Fatalf("UpdateKeys under Guard = %d, %v", n, err)
		}
		got := loadAccounts(t, db.DB)
		if got[1].Balance != 1 || got[2].Balance != 1 || got[4].Balance != 44 || got[5].Balance != 55 || got[3].Active {
			t.Fatalf("rows = %+v", got)
		}
	})
}
