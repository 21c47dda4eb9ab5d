package dbtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// envNested marks the go test this test starts, so that it does not start
// another.
const envNested = dbtest.EnvNestedPureGo

// In a -race build, dbtest.Run skips its sqlite-purego subtests (the race
// detector makes translated SQLite too slow); this test runs all of them —
// every package's — in one `go test` without -race, so that every SQLite
// test still runs on both drivers in the README's test command. In a build
// without -race the subtests run in place and this test has nothing to do.
func TestPureGoSQLiteWithoutRace(t *testing.T) {
	if !dbtest.RaceEnabled {
		t.Skip("built without -race: the sqlite-purego subtests run in place")
	}
	if os.Getenv(envNested) != "" {
		t.Skip("already the nested run")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", "-timeout=9m", "-run=/^"+dbtest.SQLitePureGo+"$", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), envNested+"=1")
	for _, v := range []string{dbtest.EnvPostgres, dbtest.EnvMySQL, dbtest.EnvSQLServer,
		dbtest.EnvPGStandby, dbtest.EnvGalera, dbtest.EnvGaleraControl} {
		// Servers and clusters are the -race run's business: the cluster
		// tests have no subtests, so "-run /sqlite-purego" would select them
		// whole and kill a Galera node under the -race run's feet.
		cmd.Env = append(cmd.Env, v+"=")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -run /%s ./... (no -race): %v\n%s", dbtest.SQLitePureGo, err, out)
	}
	if ok := regexp.MustCompile(`(?m)^ok\s`).FindAllIndex(out, -1); len(ok) < 5 || strings.Contains(string(out), "FAIL") {
		t.Fatalf("nested run:\n%s", out)
	}
}
