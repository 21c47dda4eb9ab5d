package batch_test

import (
	"context"
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
