package hooks_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dbtest"
)

// TestGuardPassesBulkUpdateShapes runs batch.UpdateRows — whose per-row bulk
// UPDATE has no WHERE on MySQL/MariaDB (UPDATE … JOIN … ON) and SQL Server
// (UPDATE … FROM … JOIN … ON) — under Guard on every dry-run dialect: the
// statements are built (not refused), and a JOIN whose ON is vacuous is.
func TestGuardPassesBulkUpdateShapes(t *testing.T) {
	ctx := context.Background()
	for _, name := range dbtest.DryRunDialects {
		t.Run(name, func(t *testing.T) {
			db, rec := dbtest.Capture(dbtest.DryRun(t, name))
			if err := db.Use(&hooks.Guard{}); err != nil {
				t.Fatal(err)
			}
			rows := []guardItem{{ID: 1, Qty: 10}, {ID: 2, Qty: 20}}
			if _, err := batch.UpdateRows(ctx, db, rows, []string{"Qty"}); err != nil {
				t.Fatalf("UpdateRows under Guard: %v", err)
			}
			updates := rec.Matching("UPDATE")
			if len(updates) != 1 || !strings.Contains(updates[0], "guard_items") {
				t.Fatalf("recorded UPDATEs = %q, want the one bulk UPDATE", updates)
			}
			if _, err := batch.Update(ctx, db.Model(&guardItem{}).Where("qty > ?", 5), map[string]any{"name": "x"}); err != nil {
				t.Errorf("bounded batch.Update under Guard: %v", err)
			}
			// The same JOIN form with a vacuous ON is refused.
			vacuous := strings.Replace(updates[0], " ON ", " ON 1 = 1 OR ", 1)
			if vacuous == updates[0] {
				if name == dbtest.Postgres || name == dbtest.SQLite {
					return // UPDATE … FROM … WHERE: no JOIN to weaken
				}
				t.Fatalf("no ON in %q", updates[0])
			}
			if err := db.Exec(vacuous).Error; !errors.Is(err, hooks.ErrUnboundedWrite) {
				t.Errorf("JOIN ON 1 = 1 OR ...: err = %v, want ErrUnboundedWrite", err)
			}
		})
	}
}
