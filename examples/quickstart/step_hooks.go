package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// quickstartAuditTable is the audit table of the tour, dropped at the end of
// the step.
const quickstartAuditTable = "quickstart_audit"

// stepHooks installs Guard, Audit and Stats on a handle of its own (plugins
// stay installed on a handle, and later steps must not see them), refuses
// two unbounded writes, audits an updater change and shows the statistics.
func stepHooks(ctx context.Context, db *gorm.DB, out io.Writer) (err error) {
	h, err := gorm.Open(db.Dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	defer func() {
		if sqlDB, e := h.DB(); e == nil {
			err = errors.Join(err, sqlDB.Close())
		}
	}()
	stats := &hooks.Stats{}
	for _, p := range []gorm.Plugin{&hooks.Guard{}, &hooks.Audit{Table: quickstartAuditTable}, stats} {
		if err := h.Use(p); err != nil {
			return err
		}
	}
	defer func() { err = errors.Join(err, h.Migrator().DropTable(quickstartAuditTable)) }()
	h = h.WithContext(hooks.WithActor(ctx, "quickstart"))

	// A filter whose field is zero is dropped by GORM: every account would change.
	filter := Account{Status: ""}
	err = h.Model(&Account{}).Where(&filter).Update("active", false).Error
	var ue *hooks.UnboundedWriteError
	if !errors.As(err, &ue) {
		return fmt.Errorf("guard let an unbounded update through: %v", err)
	}
	fmt.Fprintf(out, "   Guard:               refused %s: %s\n", ue.Op, ue.Reason)
	if err := h.Exec("DELETE FROM accounts -- WHERE id = 1").Error; !errors.Is(err, hooks.ErrUnboundedWrite) {
		return fmt.Errorf("guard let an unbounded DELETE through: %v", err)
	}
	fmt.Fprintln(out, "   Guard:               refused Exec(\"DELETE FROM accounts -- WHERE id = 1\")")

	if _, err := updater.Update(h.Statement.Context, h.Where("id = ?", 3), func(a *Account) error {
		a.Balance += 5
		return nil
	}); err != nil {
		return err
	}
	var trail []hooks.AuditRow
	if err := h.Table(quickstartAuditTable).Where("column_name = ?", "balance").Order("id").Find(&trail).Error; err != nil {
		return err
	}
	for _, r := range trail {
		fmt.Fprintf(out, "   Audit:               %s[%s].%s %s -> %s by %s\n", r.Table, r.RowKey, r.Column, *r.OldValue, *r.NewValue, r.Actor)
	}
	u := stats.Snapshot().Get("accounts", hooks.OpUpdate)
	fmt.Fprintf(out, "   Stats:               UPDATEs on accounts: %d statements (%d refused), %d row written\n",
		u.Statements, u.Errors, u.RowsAffected)
	return nil
}
