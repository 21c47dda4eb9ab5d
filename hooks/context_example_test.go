package hooks_test

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/hooks"
	"gorm.io/gorm"
)

func ExampleWithActor() {
	db, done := pluginExampleDB()
	defer done()
	if err := db.Use(&hooks.Audit{}); err != nil {
		panic(err)
	}
	// Every change made with ctx is recorded as made by the actor.
	ctx := hooks.WithActor(context.Background(), "job:close-empty")
	changes := []hooks.Change{{Table: "accounts", Key: []any{int64(3)}, Column: "status", New: "closed"}}
	err := hooks.WithChanges(db.WithContext(ctx), changes).Exec("UPDATE accounts SET status = ? WHERE id = ?", "closed", 3).Error
	var trail []hooks.AuditRow
	db.Table(hooks.DefaultAuditTable).Order("id").Find(&trail)
	for _, r := range trail {
		fmt.Println(r.Table, r.RowKey, r.Column, *r.NewValue, r.Actor, err)
	}
	// Output:
	// accounts 3 status closed job:close-empty <nil>
}

func ExampleActorFrom() {
	ctx := hooks.WithActor(context.Background(), "support:kim")
	fmt.Printf("%q %q\n", hooks.ActorFrom(ctx), hooks.ActorFrom(context.Background()))
	// Output:
	// "support:kim" ""
}

func ExampleCollecting() {
	db, done := pluginExampleDB()
	defer done()
	// A producer builds changes only when a plugin reads them.
	fmt.Println(hooks.Collecting(db))
	if err := db.Use(&hooks.Audit{Sink: func(context.Context, []hooks.Record) error { return nil }}); err != nil {
		panic(err)
	}
	fmt.Println(hooks.Collecting(db))
	// Output:
	// false
	// true
}

func ExampleWithChanges() {
	db, done := pluginExampleDB()
	defer done()
	// Audit with a sink: the records of each statement, in its transaction.
	sink := func(ctx context.Context, records []hooks.Record) error {
		for _, r := range records {
			fmt.Printf("%s %v %s -> %v (%d rows)\n", r.Table, r.Key, r.Column, r.New, r.Rows)
		}
		return nil
	}
	if err := db.Use(&hooks.Audit{Sink: sink}); err != nil {
		panic(err)
	}
	// A write of one's own, described for the audit plugin.
	changes := []hooks.Change{{Table: "accounts", Key: []any{int64(2)}, Column: "balance", New: int64(75)}}
	err := hooks.WithChanges(db, changes).Model(&Account{}).Where("id = ?", 2).Update("balance", 75).Error
	fmt.Println(err)
	// Output:
	// accounts [2] balance -> 75 (1 rows)
	// <nil>
}

func ExampleStats_Snapshot() {
	db, done := pluginExampleDB()
	defer done()
	stats := &hooks.Stats{}
	if err := db.Use(stats); err != nil {
		panic(err)
	}
	db.Model(&Account{}).Where("id = ?", 1).Update("status", "vip")
	for _, s := range stats.Snapshot() {
		fmt.Println(s.Table, s.Op, s.Statements, s.RowsAffected)
	}
	// Output:
	// accounts update 1 1
}

func ExampleStats_Reset() {
	db, done := pluginExampleDB()
	defer done()
	stats := &hooks.Stats{}
	if err := db.Use(stats); err != nil {
		panic(err)
	}
	db.Model(&Account{}).Where("id = ?", 1).Update("status", "vip")
	stats.Reset()
	fmt.Println(len(stats.Snapshot()))
	// Output:
	// 0
}

func ExampleStatsSnapshot_Total() {
	db, done := pluginExampleDB()
	defer done()
	stats := &hooks.Stats{}
	if err := db.Use(stats); err != nil {
		panic(err)
	}
	var all []Account
	db.Find(&all)
	db.Model(&Account{}).Where("status = ?", "active").Update("balance", gorm.Expr("balance + 1"))
	t := stats.Snapshot().Total()
	fmt.Printf("%d statements, %d rows, %d errors\n", t.Statements, t.RowsAffected, t.Errors)
	// Output:
	// 2 statements, 5 rows, 0 errors
}
