package hooks_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// Account is the model of the plugin examples.
type Account struct {
	ID        int64 `gorm:"primaryKey"`
	Email     string
	Status    string
	Balance   int64
	DeletedAt gorm.DeletedAt
}

// pluginExampleDB opens a SQLite database in a temporary directory holding
// three accounts.
func pluginExampleDB() (*gorm.DB, func()) {
	db, done := dbtest.TempFile(&Account{})
	accounts := []Account{
		{ID: 1, Email: "ann@example.com", Status: "active", Balance: 100},
		{ID: 2, Email: "bob@example.com", Status: "active", Balance: 50},
		{ID: 3, Email: "cy@example.com", Status: "closed", Balance: 0},
	}
	if err := db.Create(&accounts).Error; err != nil {
		panic(err)
	}
	return db, done
}

func ExampleGuard() {
	db, done := pluginExampleDB()
	defer done()
	if err := db.Use(&hooks.Guard{}); err != nil {
		panic(err)
	}

	// A filter struct whose only field is zero: GORM drops it, leaving only
	// the soft-delete filter — every account would be closed.
	filter := Account{Email: ""}
	err := db.Model(&Account{}).Where(&filter).Update("status", "closed").Error
	var ue *hooks.UnboundedWriteError
	if errors.As(err, &ue) {
		fmt.Printf("refused %s on %s: %s\n", ue.Op, ue.Table, ue.Reason)
	}
	// The same hole through GORM's Not with an empty list, and raw SQL.
	err = db.Not(map[string]any{"id": []int64{}}).Delete(&Account{}).Error
	fmt.Println(errors.Is(err, hooks.ErrUnboundedWrite))
	err = db.Exec("UPDATE accounts SET balance = 0 -- WHERE id = 2").Error
	fmt.Println(errors.Is(err, hooks.ErrUnboundedWrite))

	// A bounded write runs as usual.
	res := db.Model(&Account{}).Where("status = ?", "active").Update("balance", 10)
	fmt.Println(res.RowsAffected, res.Error)
	// Output:
	// refused update on accounts: the only condition is the soft-delete filter
	// true
	// true
	// 2 <nil>
}

func ExampleAllowUnbounded() {
	db, done := pluginExampleDB()
	defer done()
	if err := db.Use(&hooks.Guard{}); err != nil {
		panic(err)
	}

	// Meant to touch every row: say so for this one statement.
	res := hooks.AllowUnbounded(db).Model(&Account{}).Update("balance", 0)
	fmt.Println(res.RowsAffected, res.Error)
	// The database handle itself stays guarded.
	err := db.Model(&Account{}).Update("balance", 1).Error
	fmt.Println(errors.Is(err, hooks.ErrUnboundedWrite))
	// Output:
	// 3 <nil>
	// true
}

func ExampleAudit() {
	db, done := pluginExampleDB()
	defer done()
	if err := db.Use(&hooks.Audit{}); err != nil { // creates gormup_audit
		panic(err)
	}
	ctx := hooks.WithActor(context.Background(), "support:kim")

	// updater writes the changed columns and hands them to Audit, which
	// records them in the same transaction.
	_, err := updater.Update(ctx, db.Where("id = ?", 2), func(a *Account) error {
		a.Balance += 25
		a.Status = "vip"
		return nil
	})
	if err != nil {
		panic(err)
	}

	var trail []hooks.AuditRow
	if err := db.Table(hooks.DefaultAuditTable).Order("id").Find(&trail).Error; err != nil {
		panic(err)
	}
	for _, r := range trail {
		fmt.Printf("%s[%s].%s: %s -> %s by %s\n", r.Table, r.RowKey, r.Column, *r.OldValue, *r.NewValue, r.Actor)
	}
	// Output:
	// accounts[2].status: active -> vip by support:kim
	// accounts[2].balance: 50 -> 75 by support:kim
}

func ExampleAudit_sink() {
	db, done := pluginExampleDB()
	defer done()
	audit := &hooks.Audit{Sink: func(ctx context.Context, records []hooks.Record) error {
		for _, r := range records {
			fmt.Printf("%s %s.%s = %v where %q (%d rows)\n", r.Actor, r.Table, r.Column, r.New, r.Where, r.Rows)
		}
		return nil // an error here would roll the UPDATE back
	}}
	if err := db.Use(audit); err != nil {
		panic(err)
	}

	// A producer describes its write with WithChanges when someone listens.
	ctx := hooks.WithActor(context.Background(), "job:close-empty")
	tx := db.WithContext(ctx)
	if hooks.Collecting(tx) {
		tx = hooks.WithChanges(tx, []hooks.Change{{Table: "accounts", Where: "balance = 0", Column: "status", New: "closed"}})
	}
	if err := tx.Exec("UPDATE accounts SET status = ? WHERE balance = ?", "closed", 0).Error; err != nil {
		panic(err)
	}
	// Output:
	// job:close-empty accounts.status = closed where "balance = 0" (1 rows)
}

func ExampleStats() {
	db, done := pluginExampleDB()
	defer done()
	stats := &hooks.Stats{}
	if err := db.Use(stats); err != nil {
		panic(err)
	}

	var active []Account
	db.Where("status = ?", "active").Find(&active)
	db.Model(&Account{}).Where("status = ?", "active").Update("balance", gorm.Expr("balance + 1"))
	db.Delete(&Account{}, 3)

	for _, s := range stats.Snapshot() {
		fmt.Printf("%s %s: %d statements, %d rows, %d errors\n", s.Table, s.Op, s.Statements, s.RowsAffected, s.Errors)
	}
	stats.Reset()
	fmt.Println(len(stats.Snapshot()))
	// Output:
	// accounts query: 1 statements, 2 rows, 0 errors
	// accounts update: 1 statements, 2 rows, 0 errors
	// accounts delete: 1 statements, 1 rows, 0 errors
	// 0
}

func ExampleStatsSnapshot_Get() {
	db, done := pluginExampleDB()
	defer done()
	stats := &hooks.Stats{}
	if err := db.Use(stats); err != nil {
		panic(err)
	}

	db.Model(&Account{}).Where("status = ?", "active").Update("balance", gorm.Expr("balance + 1"))

	snap := stats.Snapshot()
	upd := snap.Get("accounts", hooks.OpUpdate)
	fmt.Printf("%s %s: %d statements, %d rows\n", upd.Table, upd.Op, upd.Statements, upd.RowsAffected)
	// A table and operation that never ran give a zero tally naming them.
	del := snap.Get("accounts", hooks.OpDelete)
	fmt.Printf("%s %s: %d statements, %d rows\n", del.Table, del.Op, del.Statements, del.RowsAffected)
	// Output:
	// accounts update: 1 statements, 2 rows
	// accounts delete: 0 statements, 0 rows
}

func ExampleChangesOf() {
	db, done := pluginExampleDB()
	defer done()
	// Audit installed: producers attach their changes (Collecting is true).
	if err := db.Use(&hooks.Audit{Sink: func(context.Context, []hooks.Record) error { return nil }}); err != nil {
		panic(err)
	}
	// A plugin of one's own reads the changes in its callback, inside the
	// statement's transaction; so does the actor, from the statement's ctx.
	err := db.Callback().Update().After("gorm:update").Register("example:changes", func(tx *gorm.DB) {
		changes, ok := hooks.ChangesOf(tx)
		if !ok {
			fmt.Println("no changes attached")
			return
		}
		for _, c := range changes {
			old := "unknown"
			if c.OldKnown {
				old = fmt.Sprint(c.Old)
			}
			fmt.Printf("%s %v %s: %s -> %v by %s\n", c.Table, c.Key, c.Column, old, c.New, hooks.ActorFrom(tx.Statement.Context))
		}
	})
	if err != nil {
		panic(err)
	}

	// updater reads the row first, so it knows the old values.
	ctx := hooks.WithActor(context.Background(), "support:kim")
	if _, err := updater.Update(ctx, db.Where("id = ?", 1), func(a *Account) error {
		a.Balance -= 40
		return nil
	}); err != nil {
		panic(err)
	}
	// A plain GORM update carries no changes.
	db.Model(&Account{}).Where("id = ?", 2).Update("status", "vip")
	// Output:
	// accounts [1] balance: 100 -> 60 by support:kim
	// no changes attached
}
