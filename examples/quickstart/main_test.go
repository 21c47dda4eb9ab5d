package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gormup/gormup/examples/internal/exampledb"
	"github.com/gormup/gormup/internal/dbtest"
)

// The tour is documentation: it must run, end to end, on every database.
func TestTourRuns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		var out bytes.Buffer
		if err := run(context.Background(), exampledb.DSN(db), &out); err != nil {
			t.Fatalf("%v\noutput so far:\n%s", err, out.String())
		}
		assertTour(t, out.String())
	})
}

// The README's first command works with no C compiler: the quickstart builds
// with CGO_ENABLED=0 and runs, as a program, on its default database
// (pure-Go SQLite in a temporary directory).
func TestQuickstartWithoutCgo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "quickstart")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quickstart: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	if !strings.HasPrefix(stdout.String(), "gormup quickstart on sqlite\n") {
		t.Fatalf("first line of %q, want the pure-Go SQLite default", stdout.String())
	}
	assertTour(t, stdout.String())
}

func assertTour(t *testing.T, text string) {
	t.Helper()
	for i, s := range steps {
		if !strings.Contains(text, s.title) {
			t.Errorf("output lacks step %d (%s)", i+1, s.title)
		}
	}
	// Each step's outcome, which is the same on every database.
	for _, want := range []string{
		"1000 accounts seeded",
		"balance 100 -> 90, active true -> false, updated_at set",
		"0 columns changed, no UPDATE issued",
		"80 concurrent increments: balance 101 -> 181, version 0 -> 80",
		"1000 accounts streamed",
		"[{Status:active Accounts:500} {Status:closed Accounts:250} {Status:trial Accounts:250}]",
		"credited 250 trial accounts in one statement",
		"refused with ErrNoCondition, nothing written",
		"500 balances written, set-based; 1 key missing, not inserted",
		"Ensure: idx_accounts_active_created_at created",
		"Ensure: idx_accounts_active_created_at present",
		"covered now: true",
		"accounts[3].balance 1003 -> 1008 by quickstart",
		"500 in all, each credited once",
		"250 rows scanned, 125 changed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(text), "Each step has a full program under examples/.") {
		t.Errorf("tour did not finish:\n%s", text)
	}
}
