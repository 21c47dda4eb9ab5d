package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/gormup/gormup/examples/internal/exampledb"
)

// The benchmark runs tiny on every configured database, so that it cannot
// rot; every run inside it checks by reading the table back that exactly the
// selected rows were deleted or updated. pt-archiver runs where the database
// is MySQL/MariaDB and pt-archiver is installed (bash scripts/percona.sh);
// elsewhere, and in CI without it, only its gormup parts run.
func TestPurgebenchRuns(t *testing.T) {
	_, ptErr := exec.LookPath("pt-archiver")
	if ptErr != nil {
		t.Logf("pt-archiver not installed: its runs are skipped (%v)", ptErr)
	}
	exampledb.RunsEverywhere(t, func(ctx context.Context, dsn string, out io.Writer) error {
		var buf bytes.Buffer
		err := run(ctx, config{dsn: dsn, rows: 301, sizes: []int{7, 50}, pt: "auto", showSQL: true}, io.MultiWriter(out, &buf))
		if err != nil {
			return err
		}
		text := buf.String()
		for _, want := range []string{
			"| gormup chunk.Purge | 7 | 150 |", "| gormup chunk.Purge | 50 | 150 |",
			"| gormup chunk.Ranges UPDATE | 7 | 150 |", "| one plain UPDATE (server limit) | – | 150 |",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("output lacks %q:\n%s", want, text)
			}
		}
		pt := "| pt-archiver --purge --bulk-delete --commit-each | 7 | 150 |"
		if wantPT := ptErr == nil && strings.Contains(text, "purgebench on mysql"); wantPT != strings.Contains(text, pt) {
			t.Errorf("pt-archiver row present = %v, want %v:\n%s", !wantPT, wantPT, text)
		}
		return nil
	})
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1000, 5000")
	if err != nil || len(got) != 2 || got[0] != 1000 || got[1] != 5000 {
		t.Fatalf("parseSizes = %v, %v; want [1000 5000]", got, err)
	}
	for _, bad := range []string{"", "0", "-1", "x", "10,"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) = nil error, want one", bad)
		}
	}
}
