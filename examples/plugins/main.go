// Command plugins shows gormup's three GORM plugins at work: Guard closes the
// holes of GORM's missing-WHERE check, Audit records every change made through
// gormup in the same transaction (a rolled-back change leaves no trace), and
// Stats counts statements, rows and time per table.
//
//	go run ./examples/plugins
//	go run ./examples/plugins -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// PluginsDemoAccount is the demo table; it is soft-deletable, as many are.
type PluginsDemoAccount struct {
	ID        int64 `gorm:"primaryKey"`
	Email     string
	Plan      string
	Balance   int64
	DeletedAt gorm.DeletedAt
}

// auditTable is the demo's audit table.
const auditTable = "plugins_demo_audit"

func main() {
	dsn := exampledb.DSNFlag()
	flag.Parse()
	if err := run(context.Background(), *dsn, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "plugins example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	db = db.WithContext(ctx)
	if err := seed(db); err != nil {
		return err
	}
	defer db.Migrator().DropTable(&PluginsDemoAccount{}, auditTable)
	fmt.Fprintf(out, "gormup plugins on %s\n", name)

	if err := showHole(db, out); err != nil {
		return err
	}
	stats := &hooks.Stats{}
	for _, p := range []gorm.Plugin{&hooks.Guard{}, &hooks.Audit{Table: auditTable}, stats} {
		if err := db.Use(p); err != nil {
			return err
		}
	}
	if err := showGuard(db, out); err != nil {
		return err
	}
	if err := showAudit(ctx, db, out); err != nil {
		return err
	}
	showStats(stats, out)
	return nil
}

func seed(db *gorm.DB) error {
	if err := db.Migrator().DropTable(&PluginsDemoAccount{}, auditTable); err != nil {
		return err
	}
	if err := db.AutoMigrate(&PluginsDemoAccount{}); err != nil {
		return err
	}
	rows := make([]PluginsDemoAccount, 5)
	for i := range rows {
		rows[i] = PluginsDemoAccount{ID: int64(i + 1), Email: fmt.Sprintf("user%d@example.com", i+1), Plan: "free", Balance: int64(10 * (i + 1))}
	}
	return db.Create(&rows).Error
}

// showHole runs, without Guard and inside a transaction rolled back at once,
// writes GORM's own missing-WHERE check lets through.
func showHole(db *gorm.DB, out io.Writer) error {
	fmt.Fprintln(out, "\n1. Without Guard: GORM's missing-WHERE check lets these through")
	keep := []int64{} // e.g. "every account except these", and the list came back empty
	cases := []struct {
		label string
		run   func(tx *gorm.DB) *gorm.DB
	}{
		{`Not({"id": keep}).Update`, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&PluginsDemoAccount{}).Not(map[string]any{"id": keep}).Update("plan", "pro")
		}},
		{`Where("1 = 1").Delete`, func(tx *gorm.DB) *gorm.DB { return tx.Where("1 = 1").Delete(&PluginsDemoAccount{}) }},
	}
	errRollback := errors.New("rollback")
	for _, c := range cases {
		err := db.Transaction(func(tx *gorm.DB) error {
			res := c.run(tx)
			if res.Error != nil {
				return res.Error
			}
			fmt.Fprintf(out, "   %-26s touched %d of 5 accounts (rolled back here)\n", c.label, res.RowsAffected)
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			return err
		}
	}
	return nil
}

func showGuard(db *gorm.DB, out io.Writer) error {
	fmt.Fprintln(out, "\n2. With Guard: every vacuous WHERE is refused before it reaches the database")
	filter := PluginsDemoAccount{Email: ""}
	cases := []struct {
		label string
		run   func() error
	}{
		{"Where(&zeroFilter).Delete", func() error { return db.Where(&filter).Delete(&PluginsDemoAccount{}).Error }},
		{`Where("1 = 1").Update`, func() error { return db.Model(&PluginsDemoAccount{}).Where("1 = 1").Update("plan", "pro").Error }},
		{`Not({"id": []int{}}).Delete`, func() error {
			return db.Not(map[string]any{"id": []int{}}).Delete(&PluginsDemoAccount{}).Error
		}},
		{`Unscoped().Model(...).Update`, func() error { return db.Unscoped().Model(&PluginsDemoAccount{}).Update("plan", "pro").Error }},
		{`Exec("UPDATE ... -- WHERE id = 1")`, func() error {
			return db.Exec("UPDATE plugins_demo_accounts SET plan = 'pro' -- WHERE id = 1").Error
		}},
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range cases {
		var ue *hooks.UnboundedWriteError
		if err := c.run(); !errors.As(err, &ue) {
			return fmt.Errorf("%s was not refused: %v", c.label, err)
		}
		fmt.Fprintf(w, "   %s\trefused: %s\n", c.label, ue.Reason)
	}
	w.Flush()
	res := hooks.AllowUnbounded(db).Model(&PluginsDemoAccount{}).Update("plan", "basic")
	if res.Error != nil {
		return res.Error
	}
	fmt.Fprintf(out, "   hooks.AllowUnbounded(db)...Update: %d accounts on purpose\n", res.RowsAffected)
	return nil
}

func showAudit(ctx context.Context, db *gorm.DB, out io.Writer) error {
	fmt.Fprintln(out, "\n3. Audit: changes made through gormup, recorded in their transaction")
	ctx = hooks.WithActor(ctx, "admin:ada")
	if _, err := updater.Update(ctx, db.Where("id = ?", 1), func(a *PluginsDemoAccount) error {
		a.Plan, a.Balance = "pro", a.Balance+90
		return nil
	}); err != nil {
		return err
	}
	if _, err := batch.UpdateRows(ctx, db, []PluginsDemoAccount{{ID: 2, Balance: 0}, {ID: 3, Balance: 0}}, []string{"Balance"}); err != nil {
		return err
	}
	// A change rolled back with its transaction leaves no audit record.
	errAbort := errors.New("abort")
	err := db.Transaction(func(tx *gorm.DB) error {
		if _, err := updater.Update(ctx, tx.Where("id = ?", 4), func(a *PluginsDemoAccount) error {
			a.Balance = 1_000_000
			return nil
		}); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		return err
	}
	var trail []hooks.AuditRow
	if err := db.Table(auditTable).Order("id").Find(&trail).Error; err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "   row\tcolumn\told\tnew\tactor")
	for _, r := range trail {
		fmt.Fprintf(w, "   %s[%s]\t%s\t%s\t%s\t%s\n", r.Table, r.RowKey, r.Column, text(r.OldValue), text(r.NewValue), r.Actor)
	}
	w.Flush()
	fmt.Fprintf(out, "   %d records; none for account 4, whose change was rolled back\n", len(trail))
	return nil
}

func text(p *string) string {
	if p == nil {
		return "?"
	}
	return *p
}

func showStats(stats *hooks.Stats, out io.Writer) {
	fmt.Fprintln(out, "\n4. Stats: what ran since the plugins were installed")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "   table\toperation\tstatements\terrors\trows")
	for _, s := range stats.Snapshot() {
		table := s.Table
		if table == "" {
			table = "(raw SQL)"
		}
		fmt.Fprintf(w, "   %s\t%s\t%d\t%d\t%d\n", table, s.Op, s.Statements, s.Errors, s.RowsAffected)
	}
	w.Flush()
}
