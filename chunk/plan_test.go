package chunk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
)

// isWrite reports whether a recorded statement writes or changes schema.
func isWrite(stmt string) bool {
	s := strings.ToUpper(strings.TrimSpace(stmt))
	for _, w := range []string{"INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "REPLACE", "MERGE", "TRUNCATE"} {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// TestPlanSendsNoWriteAndDescribesTheChunks: Plan and Purge's DryRun read
// the chunk ranges Ranges would take, the matching rows and whether the
// primary key index serves the bound — and send no write statement; every
// row is read back.
func TestPlanSendsNoWriteAndDescribesTheChunks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 25)
		ctx := context.Background()
		captured, rec := dbtest.Capture(db.DB)
		p, err := chunk.Plan(ctx, captured.Model(&runItem{}).Where("id > ?", 3), chunk.Size(10))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Ranges {
			got = append(got, fmt.Sprintf("%v..%v:%d", r.After, r.Last, r.Rows))
		}
		want := []string{"[]..[13]:10", "[13]..[23]:10", "[23]..[25]:2"}
		if !slices.Equal(got, want) || p.Matching != 22 || p.Chunks != 3 || !p.Indexed || p.Truncated || p.Table != "run_items" {
			t.Fatalf("plan %+v ranges %q, want ranges %q, 22 matching rows, 3 chunks, indexed", p, got, want)
		}
		if !strings.Contains(p.FirstSQL, "run_items") || isWrite(p.FirstSQL) {
			t.Fatalf("FirstSQL %q, want the first chunk's bounds query", p.FirstSQL)
		}
		rep, err := chunk.Purge(ctx, captured.Model(&runItem{}).Where("id > ?", 3), chunk.Size(10), chunk.DryRun())
		if err != nil || rep.Plan == nil || rep.Rows != 0 {
			t.Fatalf("Purge DryRun = %+v, %v; want a plan and no rows", rep, err)
		}
		if !strings.HasPrefix(strings.ToUpper(rep.Plan.FirstSQL), "DELETE") || !strings.Contains(rep.Plan.FirstSQL, "13") {
			t.Fatalf("Purge plan FirstSQL %q, want the first chunk's DELETE up to key 13", rep.Plan.FirstSQL)
		}
		for _, s := range rec.Statements() {
			if isWrite(s) {
				t.Fatalf("Plan sent a write: %q", s)
			}
		}
		if got := remainingIDs(t, db.DB); len(got) != 25 {
			t.Fatalf("rows left %v, want all 25", got)
		}
	})
}
